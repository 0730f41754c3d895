// Shared by the benchmarks: a local receiver that timestamps arrivals, an API client, statistics.
import { createServer } from 'node:http';

/** `failFirst`: answer 500 to the first n arrivals of each webhook-id (a delivery retried n times). */
export function startReceiver({ delayMs = 0, failFirst = 0 } = {}) {
  const arrivals = new Map(); // webhook-id -> [ms]
  let count = 0;
  const server = createServer((req, res) => {
    const at = performance.now();
    req.resume();
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      if (!arrivals.has(id)) arrivals.set(id, []);
      arrivals.get(id).push(at);
      count++;
      const answer = () => {
        if (arrivals.get(id).length <= failFirst) res.statusCode = 500;
        res.end('ok');
      };
      delayMs ? setTimeout(answer, delayMs) : answer();
    });
  });
  server.keepAliveTimeout = 120_000;
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        url: `http://127.0.0.1:${server.address().port}/hook`,
        arrivals,
        count: () => count,
        close: () => new Promise((done) => (server.closeAllConnections(), server.close(done))),
      }),
    ),
  );
}

export function client(base, token) {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

export const median = (v) => quantile(v, 0.5);

export async function waitFor(fn, timeoutMs, label) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${label}`);
}
