// One attempt on the wire: POST, no redirects followed, bounded in time, response excerpt kept.
import type { AttemptResult } from './retry-policy';

export const EXCERPT_BYTES = 4096;

export interface OutboundRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

async function readExcerpt(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, EXCERPT_BYTES));
  let offset = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

const isTimeout = (err: unknown) => err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');

function describe(err: unknown, timeoutMs: number): string {
  if (isTimeout(err)) return `timed out after ${timeoutMs} ms`;
  const message = err instanceof Error ? err.message : String(err);
  return `network error: ${message.slice(0, 200)}`;
}

export async function sendAttempt(req: OutboundRequest): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const excerpt = await readExcerpt(res).catch(() => null);
    const redirected = res.status >= 300 && res.status < 400;
    return {
      status_code: res.status,
      duration_ms: elapsed(),
      error: redirected ? 'redirect not followed' : null,
      response_excerpt: excerpt,
      retry_after: res.headers.get('retry-after'),
      timed_out: false,
    };
  } catch (err) {
    return {
      status_code: null,
      duration_ms: elapsed(),
      error: describe(err, req.timeoutMs),
      response_excerpt: null,
      retry_after: null,
      timed_out: isTimeout(err),
    };
  }
}
