// Queue names as wrangler.toml declares them; the queue handler tells its two consumers apart by name.
export const DEAD_LETTER_QUEUE = 'edgehook-dead-letters';
/** Deliveries to receivers that recently hung: they wait their timeouts out away from everyone else. */
export const SLOW_QUEUE = 'edgehook-deliveries-slow';
/** Messages per `sendBatch` call (the Queues limit). */
export const SEND_BATCH_LIMIT = 100;
