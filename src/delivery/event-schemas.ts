// Validates an event's data against its type's JSON Schema (draft 2020-12), without eval: @cfworker/json-schema.
// Compiled validators are kept per isolate for a short while, so ingest reads D1 for a type at most every 30 s.
import { Validator, type Schema } from '@cfworker/json-schema';
import { getEventType } from '../store/event-types';
import { META_SCHEMA } from './schema-meta';
import type { FieldError } from '../utils/problem';

const TTL_MS = 30_000;
const MAX_ENTRIES = 500;
/** A type's validator; null without a schema; a string says why its stored schema cannot be used. */
type Compiled = Validator | null | string;
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

/** What the meta-schema cannot see: every `$ref` must resolve inside the schema, every pattern be a bounded regex. */
function checkReferences(schema: unknown): void {
  const stack: [unknown, string][] = [[schema, '']];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string' && resolvePointer(schema, obj.$ref) === undefined) {
      throw new Error(`${at || '/'}: $ref ${obj.$ref.slice(0, 100)} does not resolve (only local references, #/…, are allowed)`);
    }
    const patterns = [...(typeof obj.pattern === 'string' ? [obj.pattern] : []), ...Object.keys(obj.patternProperties ?? {})];
    for (const p of patterns) {
      if (p.length > MAX_PATTERN_LENGTH) throw new Error(`${at || '/'}: a pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
      try {
        new RegExp(p, 'u');
      } catch {
        throw new Error(`${at || '/'}: pattern ${p.slice(0, 100)} is not a regular expression`);
      }
    }
    for (const [k, v] of Object.entries(obj)) stack.push([v, `${at}/${k}`]);
  }
}

/** A validator for `schema`; throws, saying where, when the schema is not one it can use. */
export function compileSchema(schema: unknown): Validator {
  meta ??= new Validator(META_SCHEMA as Schema, '2020-12', true);
  const check = meta.validate(schema);
  if (!check.valid) {
    const deepest = check.errors[check.errors.length - 1]!;
    throw new Error(`${deepest.instanceLocation.replace(/^#/, '') || '/'}: ${deepest.error}`);
  }
  checkReferences(schema);
  return new Validator(schema as Schema, '2020-12', false);
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
  // A schema stored before the checks it would fail now: the event is refused (422), never a 5xx.
  const unusable = (why: string) => [{ path: 'type', message: `the schema registered for ${type} cannot be used (${why}); fix the event type` }];
  if (typeof validator === 'string') return unusable(validator);
  let result: ReturnType<Validator['validate']>;
  try {
    result = validator.validate(data);
  } catch (err) {
    return unusable(String(err instanceof Error ? err.message : err).slice(0, 160));
  }
  if (result.valid) return [];
  // The leaf errors say what is wrong; the wrappers (properties, allOf…) only repeat that something below is.
  const leaves = result.errors.filter((e) => !['properties', 'items', 'allOf', 'anyOf', 'oneOf', '$ref', 'prefixItems', 'additionalProperties'].includes(e.keyword) || result.errors.length === 1);
  return (leaves.length ? leaves : result.errors).map((e) => ({
    path: `data${e.instanceLocation.replace(/^#/, '').replaceAll('/', '.')}`.replace(/\.$/, ''),
    message: e.error,
  }));
}
