// Regular expressions from outside (operators' schemas) run on RE2JS, a port of RE2: matching takes time
// linear in the text, whatever the pattern, so no pattern can hang a request (V8's engine backtracks).
// RE2 has no lookaround and no backreferences: such patterns are refused where they are registered.
import { RE2JS } from 're2js';

export interface LinearRegex {
  /** Whether the pattern matches somewhere in `text` (as RegExp.prototype.test does). */
  test(text: string): boolean;
}

/** Compiled patterns, per isolate, by their ECMAScript source. */
const compiled = new Map<string, LinearRegex>();
const MAX_COMPILED = 2000;

/**
 * The pattern (ECMAScript syntax, as JSON Schema's `pattern` is written) on the linear-time engine.
 * Throws an Error saying why when RE2 cannot run it (lookaround, backreferences) or it is malformed.
 */
export function linearRegex(source: string): LinearRegex {
  const hit = compiled.get(source);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (err) {
    const why = String(err instanceof Error ? err.message : err).replace(/^error parsing regexp: /, '');
    throw new Error(`${why.slice(0, 120)} (patterns run on a linear-time engine, RE2: no lookaround, no backreferences)`);
  }
  const regex: LinearRegex = { test: (text) => re.test(text) };
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(source, regex);
  return regex;
}

/** Whether RE2 can run the pattern. */
export function isLinearRegex(source: string): boolean {
  try {
    linearRegex(source);
    return true;
  } catch {
    return false;
  }
}
