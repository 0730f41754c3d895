// What travels on the deliveries queue: a tagged union, small enough for any Queue message.
// Bodies travel by reference (the event id): an event may be 1 MiB, more than one message holds.
export type Task =
  /**
   * One attempt of one delivery. Its number is `prior_attempts` (attempts made before this message,
   * in another lane) plus the queue's own `attempts` counter of this message.
   */
  | { kind: 'deliver'; delivery_id: string; prior_attempts?: number }
  /** Continue a fan-out from a KV list cursor (events with more than one page of subscriptions). */
  | { kind: 'fanout'; event_id: string; cursor: string };
