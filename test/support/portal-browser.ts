// A browser in the customer portal, for the workerd tests: links, the session cookie, form posts.
import { expect } from 'vitest';
import { api, apiJson } from './helpers';

const ORIGIN = 'https://edgehook.test';

/** A browser's request to the portal: the session cookie, and Origin on posts as a browser sends it. */
export function page(path: string, cookie: string | null, init: RequestInit & { form?: Record<string, string | readonly string[]> } = {}) {
  const headers = new Headers(init.headers);
  if (cookie) headers.set('cookie', cookie);
  let body: BodyInit | undefined;
  if (init.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(init.form)) for (const one of typeof v === "string" ? [v] : v) form.append(k, one);
    body = form;
    headers.set('content-type', 'application/x-www-form-urlencoded');
    if (!headers.has('origin')) headers.set('origin', ORIGIN);
  }
  return api(path, { method: init.form ? 'POST' : (init.method ?? 'GET'), headers, body, token: null, redirect: 'manual' });
}

export async function link(appId: string, token?: string, json: unknown = {}) {
  return apiJson(`/v1/applications/${appId}/portal-links`, { method: 'POST', json, ...(token ? { token } : {}) });
}

/** Opens a link; returns the session cookie as the browser would send it back. */
export async function enter(url: string): Promise<string> {
  const res = await page(new URL(url).pathname + new URL(url).search, null);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/portal/');
  const set = res.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/^__Host-edgehook_portal=[A-Za-z0-9_-]{43}; /);
  for (const attr of ['Path=/', 'HttpOnly', 'Secure', 'SameSite=None', 'Partitioned']) expect(set).toContain(attr);
  return set.split(';')[0]!;
}

