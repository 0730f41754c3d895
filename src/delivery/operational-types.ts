// Operational webhooks: edgehook's own events about the health of subscriptions and deliveries. They
// are events like any other (signed, retried, logged), sent to the application the subscription belongs
// to and to the operator's (`default`) application, and reach only subscriptions that name them (an
// exact type or `subscription.*` / `delivery.*`; `*` alone does not ask for them). Producers may not send them.

const SUBSCRIPTION_FIELDS = {
  subscription_id: { type: 'string', description: 'The subscription concerned' },
  application_id: { type: 'string', description: 'Its application' },
  url: { type: 'string', format: 'uri', description: 'Its receiver URL' },
} as const;
const SUBSCRIPTION_REQUIRED = ['subscription_id', 'application_id', 'url'];

export interface OperationalType {
  description: string;
  schema: Record<string, unknown>;
  example: Record<string, unknown>;
}

const example = { subscription_id: 'sub_01jd8x0000a1b2c3d4e5f6g7h8', application_id: 'default', url: 'https://example.com/webhooks' };

export const OPERATIONAL_TYPES: Record<string, OperationalType> = {
  'subscription.disabled': {
    description: 'A subscription was disabled: its receiver answered 410 Gone (`gone`), every delivery failed for days (`failing`), or someone disabled it (`manual`).',
    schema: {
      type: 'object',
      required: [...SUBSCRIPTION_REQUIRED, 'reason', 'disabled_at'],
      properties: {
        ...SUBSCRIPTION_FIELDS,
        reason: { enum: ['gone', 'failing', 'manual'] },
        disabled_at: { type: 'string', format: 'date-time' },
      },
    },
    example: { ...example, reason: 'gone', disabled_at: '2026-11-30T10:00:00.000Z' },
  },
  'subscription.failing': {
    description:
      'A subscription started failing: N attempts in a row failed (`consecutive_failures`), or its success rate over the last hour fell under the threshold (`success_rate`). Sent once per episode.',
    schema: {
      type: 'object',
      required: [...SUBSCRIPTION_REQUIRED, 'reason', 'failing_since', 'consecutive_failures', 'last_hour'],
      properties: {
        ...SUBSCRIPTION_FIELDS,
        reason: { enum: ['consecutive_failures', 'success_rate'] },
        failing_since: { type: 'string', format: 'date-time' },
        consecutive_failures: { type: 'integer' },
        last_hour: {
          type: 'object',
          required: ['attempts', 'succeeded', 'success_rate'],
          properties: { attempts: { type: 'integer' }, succeeded: { type: 'integer' }, success_rate: { type: ['number', 'null'] } },
        },
      },
    },
    example: { ...example, reason: 'consecutive_failures', failing_since: '2026-11-30T10:00:00.000Z', consecutive_failures: 5, last_hour: { attempts: 12, succeeded: 7, success_rate: 0.58 } },
  },
  'subscription.recovered': {
    description: 'A failing subscription delivers again: an attempt succeeded and its success rate over the last hour is back at or above the threshold.',
    schema: {
      type: 'object',
      required: [...SUBSCRIPTION_REQUIRED, 'failing_since', 'recovered_at'],
      properties: { ...SUBSCRIPTION_FIELDS, failing_since: { type: 'string', format: 'date-time' }, recovered_at: { type: 'string', format: 'date-time' } },
    },
    example: { ...example, failing_since: '2026-11-30T10:00:00.000Z', recovered_at: '2026-11-30T10:20:00.000Z' },
  },
  'delivery.exhausted': {
    description: 'A delivery failed for good: its retries are used up (or its queue message kept failing). Not sent about deliveries of operational events.',
    schema: {
      type: 'object',
      required: ['delivery_id', 'event_id', 'event_type', 'subscription_id', 'application_id'],
      properties: {
        delivery_id: { type: 'string' },
        event_id: { type: 'string' },
        event_type: { type: 'string' },
        subscription_id: { type: 'string' },
        application_id: { type: 'string' },
      },
    },
    example: { delivery_id: 'dlv_01jd8x0000a1b2c3d4e5f6g7h8', event_id: 'evt_01jd8x0000a1b2c3d4e5f6g7h8', event_type: 'order.paid', subscription_id: example.subscription_id, application_id: 'default' },
  },
};

export type OperationalEventType = keyof typeof OPERATIONAL_TYPES;

export const isOperational = (type: string) => Object.hasOwn(OPERATIONAL_TYPES, type);
