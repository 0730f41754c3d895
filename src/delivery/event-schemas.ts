// Validates an event's data against its type's JSON Schema (draft 2020-12), without eval: @cfworker/json-schema.
// Compiled validators are kept per isolate for a short while, so ingest reads D1 for a type at most every 30 s.
import { Validator, type Schema } from '@cfworker/json-schema';
import { getEventType } from '../store/event-types';
import { META_SCHEMA } from './schema-meta';
import type { FieldError } from '../utils/problem';

const TTL_MS = 30_000;
const MAX_ENTRIES = 500;
const cache = new Map<string, { expires: number; validator: Validator | null }>();

let meta: Validator | undefined;

/** A validator for `schema`; throws, saying where, when the schema is not one it can use. */
export function compileSchema(schema: unknown): Validator {
  meta ??= new Validator(META_SCHEMA as Schema, '2020-12', true);
  const check = meta.validate(schema);
  if (!check.valid) {
    const deepest = check.errors[check.errors.length - 1]!;
    throw new Error(`${deepest.instanceLocation.replace(/^#/, '') || '/'}: ${deepest.error}`);
  }
  const validator = new Validator(schema as Schema, '2020-12', false);
  validator.validate({}); // surfaces what the meta-schema cannot see: a $ref that points nowhere
  return validator;
}

export function forgetEventType(name: string): void {
  cache.delete(name);
}

async function validatorFor(db: D1Database, type: string, nowMs: number): Promise<Validator | null> {
  const hit = cache.get(type);
  if (hit && hit.expires > nowMs) return hit.validator;
  const row = await getEventType(db, type);
  const validator = row?.schema ? compileSchema(JSON.parse(row.schema)) : null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(type, { expires: nowMs + TTL_MS, validator });
  return validator;
}

/** The failing paths of `data`, `data/…` style, or [] when it conforms (or the type has no schema). */
export async function schemaErrors(db: D1Database, type: string, data: unknown, nowMs = Date.now()): Promise<FieldError[]> {
  const validator = await validatorFor(db, type, nowMs);
  if (!validator) return [];
  const result = validator.validate(data);
  if (result.valid) return [];
  // The leaf errors say what is wrong; the wrappers (properties, allOf…) only repeat that something below is.
  const leaves = result.errors.filter((e) => !['properties', 'items', 'allOf', 'anyOf', 'oneOf', '$ref', 'prefixItems', 'additionalProperties'].includes(e.keyword) || result.errors.length === 1);
  return (leaves.length ? leaves : result.errors).map((e) => ({
    path: `data${e.instanceLocation.replace(/^#/, '').replaceAll('/', '.')}`.replace(/\.$/, ''),
    message: e.error,
  }));
}
