// What the local test receivers understand (a script of actions) and record (each request).
export type Action =
  | { status: number; delay_ms?: number; headers?: Record<string, string>; body?: string }
  | { hang: true }
  | { reset: true }
  /**
   * Random faults, each with its probability; the rest answer 200. At most `max_faults` faults per
   * webhook-id, so a retry schedule with more attempts than that always gets through.
   */
  | { chaos: { p500: number; p429: number; hang: number; reset: number; max_faults: number } }
  /** Requests whose body contains `text` get `status` the first `times` times; the rest answer 200. */
  | { match: { text: string; status: number; times: number } };

export interface Received {
  at: number;
  headers: Record<string, string>;
  body: string;
  /** What the receiver did: a status code, 'hang' or 'reset'. */
  answer?: number | 'hang' | 'reset';
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the receiver server started by globalSetup. */
    receiverOrigin: string;
    /** The example receiver Worker under wrangler dev, and the secret it verifies with. */
    exampleReceiver: { url: string; secret: string };
  }
}
