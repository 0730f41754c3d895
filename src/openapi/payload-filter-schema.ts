// The payload filter language as JSON Schema, for the OpenAPI document (the route schemas only say "an
// object"; `filterErrors` in utils/payload-filter.ts is what checks a filter, and this describes the same).
import { COMPARISONS, FILTER_LIMITS } from '../utils/payload-filter';

const REF = '#/components/schemas/PayloadFilter';

export const PAYLOAD_FILTER_SCHEMAS = {
  PayloadFilter: {
    // null where a subscription has none (the routes' schemas refer to this one for `filter: … | null`).
    type: ['object', 'null'],
    description:
      'Sends an event only when its `data` matches, beyond its type. Each key is a dotted path into `data` (`customer.tier`, `items.0.sku`) with a value it must equal or an object of operators (`PayloadFilterOperators`), or one of `$and`, `$or` (lists of filters) and `$not` (a filter). All keys must hold; `{}` matches everything. ' +
      `A missing path equals nothing and compares with nothing. At most ${FILTER_LIMITS.nodes} conditions, ${FILTER_LIMITS.depth} deep, ${FILTER_LIMITS.bytes} bytes.`,
    properties: {
      $and: { type: 'array', minItems: 1, maxItems: FILTER_LIMITS.listItems, items: { $ref: REF }, description: 'Every filter holds' },
      $or: { type: 'array', minItems: 1, maxItems: FILTER_LIMITS.listItems, items: { $ref: REF }, description: 'At least one filter holds' },
      $not: { $ref: REF, description: 'The filter does not hold' },
    },
    patternProperties: { '^\\$(?!and$|or$|not$)': false },
    additionalProperties: {
      description: 'A path into `data`: the value it must equal (any JSON), or an object of operators',
      // Operators, or a value to equal: anything but an object with a key that starts with `$`.
      anyOf: [{ $ref: '#/components/schemas/PayloadFilterOperators' }, { not: { type: 'object', not: { propertyNames: { not: { pattern: '^\\$' } } } } }],
    },
    example: { 'customer.tier': { $in: ['gold', 'platinum'] }, amount: { $gte: 100 }, $not: { test: true } },
  },
  PayloadFilterOperators: {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    description: `Comparisons of one path's value, all of which must hold: ${COMPARISONS.join(', ')}. \`$gt\`… compare numbers with numbers and strings with strings (by code point).`,
    properties: {
      $eq: { description: 'Equal (deep, for lists and objects)' },
      $ne: { description: 'Not equal (a missing path is not equal)' },
      $in: { type: 'array', maxItems: FILTER_LIMITS.listItems, description: 'Equal to one of these' },
      $nin: { type: 'array', maxItems: FILTER_LIMITS.listItems, description: 'Equal to none of these' },
      $gt: { type: ['number', 'string'] },
      $gte: { type: ['number', 'string'] },
      $lt: { type: ['number', 'string'] },
      $lte: { type: ['number', 'string'] },
      $exists: { type: 'boolean', description: 'The path is there (true) or not (false)' },
    },
  },
};
