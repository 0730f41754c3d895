// An example value for a JSON Schema, for the API reference: the schema's own `example`, `examples`,
// `default`, `const` or first `enum` value where it has one, else a value of its type built from its
// properties (with formats filled in plausibly). `$ref`s into the document's components are followed;
// recursion (the payload filter language refers to itself) stops at a small depth.
import { exampleString } from '../utils/schema-example';

type Schema = Record<string, any>;

const MAX_DEPTH = 6;

const FORMATS: Record<string, unknown> = {
  'date-time': '2026-11-30T12:00:00.000Z',
  date: '2026-11-30',
  uri: 'https://example.com/webhooks',
  url: 'https://example.com/webhooks',
  email: 'ops@example.com',
  uuid: '4b1c3a52-6f0e-4d7a-9b1e-2f6c8d9e0a1b',
};

/** The schema behind any `$ref`s, and the name of the component it came from (if it did). */
function resolve(schema: Schema, components: Schema): [Schema, string | undefined] {
  let s = schema;
  let component: string | undefined;
  for (let hops = 0; typeof s?.$ref === 'string' && hops < 10; hops++) {
    component = (s.$ref as string).replace('#/components/schemas/', '');
    s = { ...components[component], ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) };
  }
  return [s ?? {}, component];
}

/** An `id` by the component that holds it: Subscription → sub_…, EventAccepted → evt_…, … */
const OWNER_PREFIXES: [string, string][] = [['ApiKey', 'key'], ['Application', 'app'], ['Subscription', 'sub'], ['EventType', ''], ['Event', 'evt'], ['Delivery', 'dlv'], ['Attempt', 'atm']];

/** Ids by the property that holds them (edgehook's ids are `<prefix>_` + a time-ordered tail). */
const ID_PREFIXES: Record<string, string> = { event_id: 'evt', subscription_id: 'sub', delivery_id: 'dlv', application_id: 'app', attempt_id: 'atm', last_attempt_id: 'atm' };

/** An id of `prefix` as edgehook makes them: `<prefix>_` and a time-ordered tail. */
const sampleId = (prefix: string) => `${prefix}_01jd8x0000a1b2c3d4e5f6g7h8`;

/** A string that reads like the property it fills: times, URLs, ids, event types. */
function namedString(name: string | undefined, owner: string | undefined): string | undefined {
  if (!name) return undefined;
  if (name === 'id') {
    const prefix = OWNER_PREFIXES.find(([o]) => owner?.startsWith(o))?.[1];
    return prefix ? sampleId(prefix) : undefined;
  }
  if (name.endsWith('_at') || name === 'timestamp' || name === 'since' || name === 'until') return FORMATS['date-time'] as string;
  if (name.endsWith('url')) return name === 'callback_url' ? 'https://example.com/callbacks' : FORMATS.uri as string;
  if (ID_PREFIXES[name]) return sampleId(ID_PREFIXES[name]);
  if (name === 'type') return 'order.created';
  if (name === 'next_cursor' || name === 'cursor') return 'eyJpZCI6ImV2dF8wMWpkOHgifQ';
  return undefined;
}

function primitive(type: string | undefined, s: Schema, name?: string, owner?: string): unknown {
  switch (type) {
    case 'string':
      return FORMATS[s.format as string] ?? namedString(name, owner) ?? exampleString(s.minLength);
    case 'integer':
    case 'number':
      return s.minimum ?? s.exclusiveMinimum ?? 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

export function exampleFromSchema(schema: Schema | undefined, components: Schema = {}, depth = 0, name?: string, parent?: string): unknown {
  if (!schema || depth > MAX_DEPTH) return undefined;
  const [s, component] = resolve(schema, components);
  const owner = component ?? parent;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum.find((v: unknown) => v !== null) ?? s.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(s[key])) {
      const branch = (s[key] as Schema[]).find((b) => resolve(b, components)[0].type !== 'null') ?? s[key][0];
      return exampleFromSchema(branch, components, depth + 1, name, owner);
    }
  }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((b: Schema) => exampleFromSchema(b, components, depth + 1, name, owner));
    return parts.every((p: unknown) => p && typeof p === 'object' && !Array.isArray(p)) ? Object.assign({}, ...parts) : parts[0];
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  if (type === 'array' || s.items) {
    const item = exampleFromSchema(s.items, components, depth + 1, undefined, owner);
    return item === undefined ? [] : [item];
  }
  if (type === 'object' || s.properties) {
    const out: Record<string, unknown> = {};
    for (const [property, prop] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      const value = exampleFromSchema(prop, components, depth + 1, property, owner);
      if (value !== undefined) out[property] = value;
    }
    return out;
  }
  return primitive(type, s, name, owner);
}
