// The payload filter language: a table of documents × expressions with the matches expected, and the
// errors a bad expression gets (each naming its path).
import { describe, expect, it } from 'vitest';
import { Validator, type Schema } from '@cfworker/json-schema';
import { PAYLOAD_FILTER_SCHEMAS } from '../../src/openapi/payload-filter-schema';
import { filterErrors, matchesFilter, type Filter } from '../../src/utils/payload-filter';

const DOCS: Record<string, unknown> = {
  paidEur: { status: 'paid', amount: 120, currency: 'EUR', customer: { tier: 'gold', country: 'DE' }, items: [{ sku: 'A1', qty: 2 }] },
  paidUsd: { status: 'paid', amount: 40, currency: 'USD', customer: { tier: 'silver', country: 'US' }, items: [{ sku: 'B2', qty: 1 }] },
  refunded: { status: 'refunded', amount: 120, currency: 'EUR', customer: { tier: 'gold', country: 'FR' }, refund: { reason: null } },
  pending: { status: 'pending', amount: 0, currency: 'EUR', customer: { country: 'DE' }, items: [] },
  bare: {},
  tagged: { status: 'paid', amount: 1000, tags: ['vip', 'b2b'], customer: { tier: 'platinum' }, test: true },
};

// [name, filter, the documents it matches]
const CASES: [string, Filter, string[]][] = [
  ['a value is $eq', { status: 'paid' }, ['paidEur', 'paidUsd', 'tagged']],
  ['$eq', { status: { $eq: 'refunded' } }, ['refunded']],
  ['$ne (a missing path is not equal)', { status: { $ne: 'paid' } }, ['refunded', 'pending', 'bare']],
  ['$in', { currency: { $in: ['EUR', 'GBP'] } }, ['paidEur', 'refunded', 'pending']],
  ['$nin (missing is in nothing)', { currency: { $nin: ['EUR'] } }, ['paidUsd', 'bare', 'tagged']],
  ['$gt', { amount: { $gt: 100 } }, ['paidEur', 'refunded', 'tagged']],
  ['$gte', { amount: { $gte: 120 } }, ['paidEur', 'refunded', 'tagged']],
  ['$lt', { amount: { $lt: 40 } }, ['pending']],
  ['$lte', { amount: { $lte: 40 } }, ['paidUsd', 'pending']],
  ['a range', { amount: { $gt: 0, $lt: 500 } }, ['paidEur', 'paidUsd', 'refunded']],
  ['strings compare by code point', { currency: { $gte: 'EUR', $lt: 'F' } }, ['paidEur', 'refunded', 'pending']],
  ['a number does not compare with a string', { amount: { $gt: '0' } }, []],
  ['$exists true', { 'refund.reason': { $exists: true } }, ['refunded']],
  ['$exists false', { items: { $exists: false } }, ['refunded', 'bare', 'tagged']],
  ['null equals null only, not missing', { 'refund.reason': null }, ['refunded']],
  ['dotted path', { 'customer.tier': 'gold' }, ['paidEur', 'refunded']],
  ['deeper dotted path, missing in between', { 'customer.tier': { $in: ['gold', 'platinum'] } }, ['paidEur', 'refunded', 'tagged']],
  ['list index in a path', { 'items.0.sku': 'A1' }, ['paidEur']],
  ['list index beyond the end', { 'items.1.sku': { $exists: true } }, []],
  ['a list equals a list', { tags: ['vip', 'b2b'] }, ['tagged']],
  ['a list in a different order differs', { tags: ['b2b', 'vip'] }, []],
  ['an object with $eq', { customer: { $eq: { tier: 'platinum' } } }, ['tagged']],
  ['booleans', { test: true }, ['tagged']],
  ['several keys all hold', { status: 'paid', currency: 'EUR' }, ['paidEur']],
  ['$and', { $and: [{ status: 'paid' }, { amount: { $gte: 100 } }] }, ['paidEur', 'tagged']],
  ['$or', { $or: [{ status: 'refunded' }, { 'customer.country': 'US' }] }, ['paidUsd', 'refunded']],
  ['$not', { $not: { status: 'paid' } }, ['refunded', 'pending', 'bare']],
  ['$not of $or', { $not: { $or: [{ currency: 'EUR' }, { currency: 'USD' }] } }, ['bare', 'tagged']],
  ['nested $and in $or', { $or: [{ $and: [{ status: 'paid' }, { currency: 'USD' }] }, { amount: 0 }] }, ['paidUsd', 'pending']],
  ['$and beside a path', { 'customer.country': 'DE', $and: [{ amount: { $gte: 0 } }] }, ['paidEur', 'pending']],
  ['the empty filter matches everything', {}, Object.keys(DOCS)],
  ['zero is a value', { amount: 0 }, ['pending']],
  ['$in with numbers', { amount: { $in: [0, 40] } }, ['paidUsd', 'pending']],
  ['a path that is not there', { 'nothing.here': { $exists: true } }, []],
  ['$ne null matches missing too', { 'refund.reason': { $ne: null } }, ['paidEur', 'paidUsd', 'pending', 'bare', 'tagged']],
];

describe('payload filters', () => {
  it(`hold a table of ${CASES.length} expressions × ${Object.keys(DOCS).length} documents`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    for (const [name, filter, expected] of CASES) {
      expect(filterErrors(filter), name).toEqual([]);
      const matched = Object.entries(DOCS).flatMap(([doc, data]) => (matchesFilter(filter, data) ? [doc] : []));
      expect(matched, name).toEqual(expected);
    }
  });

  it('name the path of what is wrong', () => {
    const cases: [unknown, (string | number)[], RegExp][] = [
      [[1], [], /a filter is an object/],
      ['paid', [], /a filter is an object/],
      [{ amount: { $gt: true } }, ['amount', '$gt'], /number or a string/],
      [{ amount: { $between: [1, 2] } }, ['amount', '$between'], /unknown operator \$between/],
      [{ $and: [] }, ['$and'], /non-empty list/],
      [{ $or: {} }, ['$or'], /non-empty list/],
      [{ $and: [{ status: 'paid' }, { amount: { $in: 5 } }] }, ['$and', 1, 'amount', '$in'], /list of values/],
      [{ $not: 'x' }, ['$not'], /a filter is an object/],
      [{ $where: 'x' }, ['$where'], /unknown operator/],
      [{ 'a..b': 1 }, ['a..b'], /names separated by dots/],
      [{ x: { $exists: 'yes' } }, ['x', '$exists'], /true or false/],
      [{ x: { $gt: 1, y: 2 } }, ['x'], /only operators/],
      [{ $or: [{ $or: [{ $or: [{ $or: [{ $or: [{ $or: [{ $or: [{ $or: [{ a: 1 }] }] }] }] }] }] }] }] }, ['$or', 0, '$or', 0, '$or', 0, '$or', 0, '$or', 0, '$or', 0, '$or', 0, '$or', 0], /nests at most 8/],
      [{ x: { $in: Array.from({ length: 101 }, (_, i) => i) } }, ['x', '$in'], /at most 100 values/],
    ];
    for (const [filter, path, message] of cases) {
      const errors = filterErrors(filter);
      expect(errors.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(errors[0]!.path).toEqual(path);
      expect(errors[0]!.message).toMatch(message);
    }
  });

  it('are described in OpenAPI by a JSON Schema that agrees with the checks', () => {
    const root = { $ref: '#/components/schemas/PayloadFilter', components: { schemas: PAYLOAD_FILTER_SCHEMAS } } as unknown as Schema;
    const schema = new Validator(root, '2020-12', false);
    for (const [name, filter] of CASES) expect(schema.validate(filter).valid, name).toBe(true);
    for (const bad of [{ $where: 'x' }, { amount: { $gt: true } }, { $and: [] }, { $not: 'x' }, { x: { $exists: 'yes' } }, { x: { $between: [1, 2] } }]) {
      expect(filterErrors(bad).length, JSON.stringify(bad)).toBeGreaterThan(0);
      expect(schema.validate(bad).valid, JSON.stringify(bad)).toBe(false);
    }
  });
});
