// What the local test receivers understand (a script of actions) and record (each request).
export type Action =
  | { status: number; delay_ms?: number; headers?: Record<string, string>; body?: string }
  | { hang: true }
  | { reset: true };

export interface Received {
  at: number;
  headers: Record<string, string>;
  body: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the receiver server started by globalSetup. */
    receiverOrigin: string;
  }
}
