// A proxy on 127.0.0.1 in front of `wrangler dev` that loses answers the way a network does: the first
// POST of each Idempotency-Key reaches edgehook, which stores the event, and then the proxy closes the
// client's connection in the middle of the answer. `GET /__proxy/drops` says how many it dropped.
import { createServer } from 'node:http';

export async function startDroppingProxy(target) {
  const seen = new Set();
  let drops = 0;
  const server = createServer(async (req, res) => {
    if (req.url === '/__proxy/drops') return res.end(String(drops));
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length', 'accept-encoding'].includes(name)));
    const answer = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = Buffer.from(await answer.arrayBuffer());
    const key = req.headers['idempotency-key'];
    if (req.method === 'POST' && typeof key === 'string' && !seen.has(key)) {
      seen.add(key);
      drops++;
      // The event is stored; its answer breaks off after the status line.
      req.socket.end(`HTTP/1.1 ${answer.status} Accepted\r\ncontent-type: applic`);
      return;
    }
    // fetch has decoded the body: its length and encoding headers no longer describe it
    const passed = [...answer.headers].filter(([name]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(name));
    res.writeHead(answer.status, Object.fromEntries(passed));
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}
