// Validates an event's data against its type's JSON Schema (draft 2020-12), without eval: @cfworker/json-schema.
// Compiled validators are kept per isolate for a short while, so ingest reads D1 for a type at most every 30 s.
// What an operator's schema runs on a producer's data is bounded: its patterns and formats on linear-time
// engines (RE2JS, see linearRegex), no `$ref` that loops without descending into the data.
import { Validator, type Schema } from '@cfworker/json-schema';
import { getEventType } from '../store/event-types';
import { linearRegex, type LinearRegex } from '../utils/linear-regex';
import { installLinearFormats } from './schema-formats';
import { META_SCHEMA } from './schema-meta';
import type { FieldError } from '../utils/problem';

const TTL_MS = 30_000;
const MAX_ENTRIES = 500;
/** A type's validator; null without a schema; a string says why its stored schema cannot be used. */
type Compiled = SchemaValidator | null | string;
const cache = new Map<string, { expires: number; validator: Compiled }>();

let meta: Validator | undefined;

/** The longest `pattern` (or `patternProperties` key) a schema may hold: long patterns are how regexes blow up. */
export const MAX_PATTERN_LENGTH = 256;

/** Resolves a JSON Pointer fragment (`#/$defs/a`) inside `root`; undefined when it points nowhere. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Keywords whose subschemas apply to the same instance: a cycle through only these never ends. */
const IN_PLACE_ARRAYS = ['allOf', 'anyOf', 'oneOf'] as const;
const IN_PLACE_ONE = ['not', 'if', 'then', 'else'] as const;

/** The subschemas `node` applies to the very instance it is given (its `$ref` included). */
function inPlace(root: unknown, node: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  if (typeof node.$ref === 'string') out.push(resolvePointer(root, node.$ref));
  for (const k of IN_PLACE_ARRAYS) if (Array.isArray(node[k])) out.push(...(node[k] as unknown[]));
  for (const k of IN_PLACE_ONE) if (k in node) out.push(node[k]);
  if (node.dependentSchemas && typeof node.dependentSchemas === 'object') out.push(...Object.values(node.dependentSchemas));
  return out.filter((n) => n !== null && typeof n === 'object');
}

/** Throws when some `$ref` leads back to where it started without descending into the data (`{"$ref": "#"}`). */
function checkCycles(root: unknown, nodes: Record<string, unknown>[]): void {
  const state = new Map<object, 'open' | 'done'>();
  for (const start of nodes) {
    if (state.has(start)) continue;
    // Depth-first, without recursion: a frame is a node and the in-place subschemas it has left to visit.
    const stack: [object, unknown[]][] = [[start, inPlace(root, start)]];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top[1].pop() as Record<string, unknown> | undefined;
      if (next === undefined) {
        state.set(top[0], 'done');
        stack.pop();
      } else if (state.get(next) === 'open') {
        throw new Error('a $ref leads back to itself without descending into the data (it would recurse for ever); recursion must go through properties, items or the like');
      } else if (!state.has(next)) {
        state.set(next, 'open');
        stack.push([next, inPlace(root, next)]);
      }
    }
  }
}

/**
 * What the meta-schema cannot see: every `$ref` must resolve inside the schema, every pattern be one
 * the linear-time engine runs, no `$ref` loop in place. Returns the schema's patterns, compiled.
 */
function checkReferences(schema: unknown): Map<string, LinearRegex> {
  const patterns = new Map<string, LinearRegex>();
  const nodes: Record<string, unknown>[] = [];
  const stack: [unknown, string][] = [[schema, '']];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const obj = node as Record<string, unknown>;
    if (!Array.isArray(obj)) nodes.push(obj);
    if (typeof obj.$ref === 'string' && resolvePointer(schema, obj.$ref) === undefined) {
      throw new Error(`${at || '/'}: $ref ${obj.$ref.slice(0, 100)} does not resolve (only local references, #/…, are allowed)`);
    }
    const sources = [...(typeof obj.pattern === 'string' ? [obj.pattern] : []), ...Object.keys(obj.patternProperties ?? {})];
    for (const p of sources) {
      if (p.length > MAX_PATTERN_LENGTH) throw new Error(`${at || '/'}: a pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
      try {
        patterns.set(p, linearRegex(p));
      } catch (err) {
        throw new Error(`${at || '/'}: pattern ${p.slice(0, 100)} cannot be used: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const [k, v] of Object.entries(obj)) stack.push([v, `${at}/${k}`]);
  }
  checkCycles(schema, nodes);
  return patterns;
}

/**
 * The validator builds `new RegExp(pattern, 'u')` for `pattern` and `patternProperties` as it validates,
 * with no way to hand it another engine. While one validation runs (synchronously: nothing else runs in
 * the isolate meanwhile), `RegExp` stands for a lookup of the schema's patterns on the linear-time engine,
 * compiled when the schema was. Regex literals (the library's and everyone else's) are not affected.
 */
function withLinearPatterns<T>(patterns: Map<string, LinearRegex>, run: () => T): T {
  const original = globalThis.RegExp;
  const Linear = function (source: unknown) {
    const regex = patterns.get(String(source));
    if (!regex) throw new Error(`pattern ${String(source).slice(0, 60)} was not compiled with the schema`);
    return regex;
  } as unknown as RegExpConstructor;
  globalThis.RegExp = Linear;
  try {
    return run();
  } finally {
    globalThis.RegExp = original;
  }
}

export interface SchemaValidator {
  validate(data: unknown): ReturnType<Validator['validate']>;
}

/** A validator for `schema`; throws, saying where, when the schema is not one it can use. */
export function compileSchema(schema: unknown): SchemaValidator {
  installLinearFormats();
  meta ??= new Validator(META_SCHEMA as Schema, '2020-12', true);
  const check = meta.validate(schema);
  if (!check.valid) {
    const deepest = check.errors[check.errors.length - 1]!;
    throw new Error(`${deepest.instanceLocation.replace(/^#/, '') || '/'}: ${deepest.error}`);
  }
  const patterns = checkReferences(schema);
  const validator = new Validator(schema as Schema, '2020-12', false);
  return { validate: (data) => withLinearPatterns(patterns, () => validator.validate(data)) };
}

/** Why a stored schema is not enforced (it fails a check it was registered before), or null. */
export function schemaProblem(schemaJson: string | null): string | null {
  if (schemaJson === null) return null;
  const compiled = compileStored(schemaJson);
  return typeof compiled === 'string' ? compiled : null;
}

export function forgetEventType(name: string): void {
  cache.delete(name);
}

function compileStored(schemaJson: string): Compiled {
  try {
    return compileSchema(JSON.parse(schemaJson));
  } catch (err) {
    return String(err instanceof Error ? err.message : err).slice(0, 160);
  }
}

async function validatorFor(db: D1Database, type: string, nowMs: number): Promise<Compiled> {
  const hit = cache.get(type);
  if (hit && hit.expires > nowMs) return hit.validator;
  const row = await getEventType(db, type);
  const validator = row?.schema ? compileStored(row.schema) : null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(type, { expires: nowMs + TTL_MS, validator });
  return validator;
}

/** The failing paths of `data`, `data/…` style, or [] when it conforms (or the type has no schema). */
export async function schemaErrors(db: D1Database, type: string, data: unknown, nowMs = Date.now()): Promise<FieldError[]> {
  const validator = await validatorFor(db, type, nowMs);
  if (!validator) return [];
  // A schema stored before the checks it fails now is not enforced until the type is registered again:
  // `GET /v1/event-types` lists it with its `schema_problem`.
  if (typeof validator === 'string') return [];
  let result: ReturnType<Validator['validate']>;
  try {
    result = validator.validate(data);
  } catch (err) {
    // Data the validator cannot get through (it threw): refused, never let through unchecked.
    return [{ path: 'data', message: `could not be validated against the schema of ${type}: ${String(err instanceof Error ? err.message : err).slice(0, 160)}` }];
  }
  if (result.valid) return [];
  // The leaf errors say what is wrong; the wrappers (properties, allOf…) only repeat that something below is.
  const leaves = result.errors.filter((e) => !['properties', 'patternProperties', 'items', 'allOf', 'anyOf', 'oneOf', '$ref', 'prefixItems', 'additionalProperties'].includes(e.keyword) || result.errors.length === 1);
  return (leaves.length ? leaves : result.errors).map((e) => ({
    path: `data${e.instanceLocation.replace(/^#/, '').replaceAll('/', '.')}`.replace(/\.$/, ''),
    message: e.error,
  }));
}
