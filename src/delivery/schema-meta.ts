// What a usable event-type schema looks like: a compact meta-schema for the draft 2020-12 keywords that
// @cfworker/json-schema implements. That validator trusts its schema; this catches `{"type":"nope"}`.
const TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];
const schema = { $ref: '#/$defs/schema' };
const schemaArray = { type: 'array', minItems: 1, items: schema };
const schemaMap = { type: 'object', additionalProperties: schema };
const count = { type: 'integer', minimum: 0 };

export const META_SCHEMA = {
  $defs: {
    schema: {
      type: ['object', 'boolean'],
      properties: {
        $schema: { type: 'string' },
        $id: { type: 'string' },
        $ref: { type: 'string' },
        $defs: schemaMap,
        title: { type: 'string' },
        description: { type: 'string' },
        type: { anyOf: [{ enum: TYPES }, { type: 'array', items: { enum: TYPES }, uniqueItems: true }] },
        enum: { type: 'array' },
        properties: schemaMap,
        patternProperties: schemaMap,
        additionalProperties: schema,
        propertyNames: schema,
        required: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        items: schema,
        prefixItems: schemaArray,
        contains: schema,
        allOf: schemaArray,
        anyOf: schemaArray,
        oneOf: schemaArray,
        not: schema,
        if: schema,
        then: schema,
        else: schema,
        dependentSchemas: schemaMap,
        dependentRequired: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        minimum: { type: 'number' },
        maximum: { type: 'number' },
        exclusiveMinimum: { type: 'number' },
        exclusiveMaximum: { type: 'number' },
        multipleOf: { type: 'number', exclusiveMinimum: 0 },
        minLength: count,
        maxLength: count,
        minItems: count,
        maxItems: count,
        minContains: count,
        maxContains: count,
        minProperties: count,
        maxProperties: count,
        uniqueItems: { type: 'boolean' },
        pattern: { type: 'string' }, // checked beside: it must be one the linear-time engine runs
        format: { type: 'string' },
      },
    },
  },
  $ref: '#/$defs/schema',
};
