// Bundled by bench/schema-validation.mjs and run in Node (V8, the engine workerd runs): validates one
// order event against its schema N times, either as before the trust pass (@cfworker/json-schema with
// the engine's backtracking RegExp and its own formats) or as edgehook does now (compileSchema: RE2JS
// for `pattern`s and formats). `old` must run in a process of its own: compileSchema replaces the
// library's format table for the whole isolate.
import { Validator, type Schema } from '@cfworker/json-schema';
import { compileSchema } from '../src/delivery/event-schemas';

const SCHEMA = {
  type: 'object',
  required: ['order_id', 'email', 'placed_at', 'items'],
  properties: {
    order_id: { type: 'string', pattern: '^ord_[0-9a-z]{8,32}$' },
    email: { type: 'string', format: 'email' },
    placed_at: { type: 'string', format: 'date-time' },
    site: { type: 'string', format: 'uri' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    items: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['sku', 'qty'],
        properties: { sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}(-[a-z]+)?$' }, qty: { type: 'integer', minimum: 1 }, note: { type: 'string', maxLength: 200 } },
      },
    },
    metadata: { type: 'object', patternProperties: { '^x-[a-z-]+$': { type: 'string' } } },
  },
};
const DATA = {
  order_id: 'ord_01jd8x0000a1b2',
  email: 'ada@example.com',
  placed_at: '2026-12-07T10:00:00Z',
  site: 'https://shop.example.com/orders/1042',
  currency: 'EUR',
  items: Array.from({ length: 10 }, (_, i) => ({ sku: `ABC-${String(1000 + i)}-red`, qty: i + 1, note: 'gift wrap' })),
  metadata: { 'x-channel': 'web', 'x-campaign': 'winter' },
};

const mode = process.argv[2];
const n = Number(process.argv[3] ?? 20000);
const validate = mode === 'old' ? ((v) => (d: unknown) => v.validate(d))(new Validator(SCHEMA as Schema, '2020-12', false)) : ((v) => (d: unknown) => v.validate(d))(compileSchema(SCHEMA));
if (!validate(DATA).valid) throw new Error(`${mode}: the order does not validate`);
for (let i = 0; i < 2000; i++) validate(DATA); // warm-up
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) validate(DATA);
const us = Number(process.hrtime.bigint() - start) / 1000 / n;
console.log(JSON.stringify({ mode, us }));
