// An example value for a JSON Schema: its own `examples`/`example`/`const`/`default`/first `enum`
// value where it has one, else a value of its type (formats honoured), built down to a few levels.
type Schema = Record<string, unknown>;

const STRING_FORMATS: Record<string, string> = {
  'date-time': '2026-11-30T12:00:00Z',
  date: '2026-11-30',
  time: '12:00:00Z',
  email: 'customer@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '3f2c1a9e-6b1d-4c2e-9a7f-0d5b8e4c1a22',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

/** The longest string an example is built with: a schema may ask for hundreds of millions of characters. */
export const MAX_EXAMPLE_STRING = 256;

/** A string example at least `minLength` long, or, past the bound, one that says what it stands for. */
export function exampleString(minLength: unknown, plain = 'string'): string {
  const n = typeof minLength === 'number' && Number.isFinite(minLength) ? Math.ceil(minLength) : 0;
  if (n <= plain.length) return plain;
  return n <= MAX_EXAMPLE_STRING ? 'x'.repeat(n) : `(a string of at least ${n} characters)`;
}

export function exampleOf(schema: unknown, depth = 0): unknown {
  if (schema === true || schema === undefined) return 'value';
  if (typeof schema !== 'object' || schema === null || depth > 8) return null;
  const s = schema as Schema;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ('example' in s) return s.example;
  if ('const' in s) return s.const;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      if (key !== 'allOf') return exampleOf(options[0], depth + 1);
      return Object.assign({}, ...options.map((o) => exampleOf(o, depth + 1)).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)));
    }
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  if (type === 'object' || (type === undefined && typeof s.properties === 'object')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) out[k] = exampleOf(v, depth + 1);
    return out;
  }
  if (type === 'array') return [exampleOf(s.items ?? {}, depth + 1)];
  if (type === 'string') return STRING_FORMATS[String(s.format)] ?? exampleString(s.minLength);
  if (type === 'integer') return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
  if (type === 'number') return typeof s.minimum === 'number' ? s.minimum : 1.5;
  if (type === 'boolean') return true;
  if (type === 'null') return null;
  return {};
}
