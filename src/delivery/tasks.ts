// What travels on the deliveries queue: a tagged union, small enough for any Queue message.
// Bodies travel by reference (the event id): an event may be 1 MiB, more than one message holds.
export type Task =
  /**
   * The next attempt of one delivery, valid while `generation` is the delivery's current one in D1.
   * Every recorded attempt, redeliver and final state moves the generation on, so a duplicate or late
   * message of a chain that moved on changes nothing and sends nothing. (Absent in messages queued
   * before generations existed: generation 0.)
   */
  | {
      kind: 'deliver';
      delivery_id: string;
      /** The log shard that holds it (`<application>/<part>`); absent: the log from before shards, in D1. */
      shard?: string;
      generation?: number;
      /** A hint (the log decides): lets the consumer read subscriptions, and ask flow control, while it reads the log. */
      subscription_id?: string;
      /**
       * Sent back by its subscription's flow control, which holds it until it lets it go: its object is
       * asked, never a lent attempt (one would send it and leave it held there, counted as on its way).
       */
      released?: true;
    }
  /** Continue a fan-out from a KV list cursor (events with more than one page of subscriptions). */
  | { kind: 'fanout'; event_id: string; cursor: string; shard?: string };
