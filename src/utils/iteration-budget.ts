// A transformation's code, as saved, with an iteration budget put into it: every loop iteration and
// every function call spends one unit, and the one that finds the budget spent throws. That stops an
// endless loop or recursion where a clock cannot (on Cloudflare time does not advance inside CPU-bound
// code, and under `wrangler dev` the CPU limit is not enforced). Parsed with acorn; the insertions are
// made by position into the source as sent, so everything else stays as written.
import { parse, type Node } from 'acorn';
import { full } from 'acorn-walk';

/** Names the inserted code uses; user code may not name anything so (refused at save). */
const RESERVED = '__eh$';
export const SPEND = `${RESERVED}spend`;
export const RESET = `${RESERVED}reset`;
export const BUDGET_MESSAGE = 'iteration budget spent (an endless loop or recursion?)';

type Insert = { at: number; text: string };
type Located = Node & { start: number; end: number };
type WithBody = Located & { body: Located & { type: string } };

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** The statements a budgeted body starts with, or wraps a single statement in. */
function spendIn(body: Located & { type: string }, inserts: Insert[], expressionBody = false): void {
  if (body.type === 'BlockStatement') inserts.push({ at: body.start + 1, text: `${SPEND}();` });
  else if (expressionBody) inserts.push({ at: body.start, text: `(${SPEND}(), (` }, { at: body.end, text: '))' });
  else inserts.push({ at: body.start, text: `{${SPEND}();` }, { at: body.end, text: '}' });
}

/**
 * The module to load: the prologue (the budget, its spender and reset), then the code with a spend at
 * the start of every loop body and function body. An error names what is wrong with the code instead.
 */
export function withIterationBudget(code: string, iterations: number): { module: string } | { error: string } {
  let ast: Node;
  try {
    ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch (err) {
    return { error: `it does not parse: ${(err as Error).message}` };
  }
  const inserts: Insert[] = [];
  let reserved: string | null = null;
  full(ast, (n) => {
    const node = n as WithBody & { name?: string; expression?: boolean };
    if ((node.type === 'Identifier' || node.type === 'PrivateIdentifier') && node.name?.startsWith(RESERVED)) reserved ??= node.name;
    if (LOOPS.has(node.type)) spendIn(node.body, inserts);
    else if (FUNCTIONS.has(node.type)) spendIn(node.body, inserts, node.type === 'ArrowFunctionExpression' && node.expression === true);
  });
  if (reserved) return { error: `names starting with \`${RESERVED}\` are edgehook's own (found \`${reserved}\`)` };
  inserts.sort((a, b) => b.at - a.at); // from the end, so earlier positions stay valid
  let out = code;
  for (const i of inserts) out = out.slice(0, i.at) + i.text + out.slice(i.at);
  const prologue =
    `let ${RESERVED}n = ${iterations};` +
    `function ${SPEND}() { if (--${RESERVED}n < 0) throw new RangeError(${JSON.stringify(BUDGET_MESSAGE)}); }` +
    `export function ${RESET}() { ${RESERVED}n = ${iterations}; }\n`;
  return { module: prologue + out };
}
