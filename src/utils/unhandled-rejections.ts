// A promise that rejects with nobody to handle it is a bug: it is logged as one JSON line (on
// Cloudflare it lands in Workers Logs; `wrangler dev` prints nothing of it otherwise). The test under
// receivers that reset, refuse and hang counts these lines: none.
let watching = false;

export function logUnhandledRejections(): void {
  if (watching) return;
  watching = true;
  globalThis.addEventListener('unhandledrejection', (event) => {
    const reason = event.reason as unknown;
    const stack = reason instanceof Error ? reason.stack?.split('\n').slice(0, 6).join(' | ') : undefined;
    console.error(JSON.stringify({ msg: 'unhandled rejection', error: String(reason), stack }));
  });
}
