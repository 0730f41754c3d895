// Payload filters: a small JSON match language on an event's `data`, beyond its type. A filter is an
// object; its keys are dotted paths into `data` (each compared with a value, or with an object of
// operators) or the logical operators `$and`, `$or` (lists of filters) and `$not` (a filter); all keys
// must hold. Checked when a subscription is saved (`filterErrors`), applied at fan-out (`matchesFilter`).

/**
 * A filter: a JSON object. Typed loosely on purpose: the RPC types of a subscription's object carry
 * neither `unknown` nor a recursive JSON type; `filterErrors` is what checks its shape.
 */
export type Filter = Record<string, object | string | number | boolean | null>;

export const COMPARISONS = ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists'] as const;
export const LOGICAL = ['$and', '$or', '$not'] as const;

/** Limits: a filter is read at every fan-out, and lives in the subscription's list metadata when small. */
export const FILTER_LIMITS = { depth: 8, nodes: 100, listItems: 100, bytes: 4096 } as const;

export interface FilterError {
  /** Where, from the filter's root: `amount.$gt`, `$and.1.status` (list items by index). */
  path: (string | number)[];
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOperatorObject = (v: unknown): v is Record<string, unknown> => isObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));
const PATH_RE = /^[^.$][^.]*(\.[^.]+)*$/;

/** What is wrong with a filter (empty: nothing). */
export function filterErrors(filter: unknown): FilterError[] {
  const errors: FilterError[] = [];
  let nodes = 0;
  const fail = (path: (string | number)[], message: string) => errors.push({ path, message });

  const comparison = (path: (string | number)[], op: string, value: unknown) => {
    switch (op) {
      case '$in':
      case '$nin':
        if (!Array.isArray(value)) return fail(path, `${op} takes a list of values`);
        if (value.length > FILTER_LIMITS.listItems) return fail(path, `${op} takes at most ${FILTER_LIMITS.listItems} values`);
        return;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (typeof value !== 'number' && typeof value !== 'string') return fail(path, `${op} compares with a number or a string`);
        return;
      case '$exists':
        if (typeof value !== 'boolean') return fail(path, '$exists takes true or false');
        return;
      case '$eq':
      case '$ne':
        return;
      default:
        return fail(path, `unknown operator ${op} (known: ${COMPARISONS.join(', ')})`);
    }
  };

  const node = (value: unknown, path: (string | number)[], depth: number) => {
    if (++nodes > FILTER_LIMITS.nodes) return nodes === FILTER_LIMITS.nodes + 1 && fail([], `a filter has at most ${FILTER_LIMITS.nodes} conditions`);
    if (depth > FILTER_LIMITS.depth) return fail(path, `a filter nests at most ${FILTER_LIMITS.depth} deep`);
    if (!isObject(value)) return fail(path, 'a filter is an object: {"path": value}, {"path": {"$op": value}}, {"$and": [...]}, {"$or": [...]} or {"$not": {...}}');
    for (const [key, inner] of Object.entries(value)) {
      const at = [...path, key];
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(inner) || inner.length === 0) fail(at, `${key} takes a non-empty list of filters`);
        else if (inner.length > FILTER_LIMITS.listItems) fail(at, `${key} takes at most ${FILTER_LIMITS.listItems} filters`);
        else inner.forEach((f, i) => node(f, [...at, i], depth + 1));
      } else if (key === '$not') {
        node(inner, at, depth + 1);
      } else if (key.startsWith('$')) {
        fail(at, `unknown operator ${key} here (a filter's keys are paths into data, or ${LOGICAL.join(', ')})`);
      } else if (!PATH_RE.test(key)) {
        fail(at, 'a path is names separated by dots, such as customer.tier or items.0.sku');
      } else if (isOperatorObject(inner)) {
        for (const [op, operand] of Object.entries(inner)) comparison([...at, op], op, operand);
      } else if (isObject(inner) && Object.keys(inner).some((k) => k.startsWith('$'))) {
        fail(at, 'an object of operators has only operators (keys starting with $); to compare with an object, use {"$eq": {...}}');
      }
    }
  };

  node(filter, [], 1);
  if (errors.length === 0 && new TextEncoder().encode(JSON.stringify(filter)).length > FILTER_LIMITS.bytes) fail([], `a filter is at most ${FILTER_LIMITS.bytes} bytes of JSON`);
  return errors;
}

/** The value at a dotted path (`items.0.sku`), or undefined. */
function at(data: unknown, path: string): unknown {
  let value = data;
  for (const part of path.split('.')) {
    if (Array.isArray(value) && /^\d+$/.test(part)) value = value[Number(part)];
    else if (isObject(value) && Object.hasOwn(value, part)) value = value[part];
    else return undefined;
  }
  return value;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** Orders two values of the same kind (numbers, or strings by code point); null when they do not compare. */
function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function test(value: unknown, op: string, operand: unknown): boolean {
  switch (op) {
    case '$eq':
      return equal(value, operand);
    case '$ne':
      return !equal(value, operand);
    case '$in':
      return (operand as unknown[]).some((o) => equal(value, o));
    case '$nin':
      return !(operand as unknown[]).some((o) => equal(value, o));
    case '$exists':
      return (value !== undefined) === operand;
    default: {
      const c = compare(value, operand);
      if (c === null) return false;
      return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
    }
  }
}

/** Whether `data` matches a (valid) filter. A missing path equals nothing and compares with nothing. */
export function matchesFilter(filter: Filter, data: unknown): boolean {
  return Object.entries(filter).every(([key, inner]) => {
    if (key === '$and') return (inner as Filter[]).every((f) => matchesFilter(f, data));
    if (key === '$or') return (inner as Filter[]).some((f) => matchesFilter(f, data));
    if (key === '$not') return !matchesFilter(inner as Filter, data);
    const value = at(data, key);
    if (isOperatorObject(inner)) return Object.entries(inner).every(([op, operand]) => test(value, op, operand));
    return equal(value, inner);
  });
}
