// GET /run: edgehook/client's shared cases (test/client-cases.mjs) in workerd, as a Worker that uses the
// client would run them: the package export, the runtime's own fetch, a real dropped connection.
import * as client from 'edgehook/client';
import { clientCases } from '../../client-cases.mjs';

interface Env {
  EDGEHOOK_URL: string;
  EDGEHOOK_TOKEN: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/ready') return new Response('ready');
    if (path !== '/run') return new Response('GET /run', { status: 404 });
    const drops = async () => Number(await (await fetch(`${env.EDGEHOOK_URL}/__proxy/drops`)).text());
    const results: { name: string; ok: boolean; error?: string }[] = [];
    for (const c of clientCases(client, { baseUrl: env.EDGEHOOK_URL, token: env.EDGEHOOK_TOKEN, fetch: (r) => fetch(r), drops })) {
      try {
        await c.run();
        results.push({ name: c.name, ok: true });
      } catch (err) {
        results.push({ name: c.name, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return Response.json({ runtime: `workerd (${navigator.userAgent})`, results });
  },
};
