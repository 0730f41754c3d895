// Dashboard sign-in: ten tries a minute per client address, counted before the token is looked at.
import { describe, expect, it } from 'vitest';
import { api, TOKEN } from './support/helpers';

function signIn(token: string, address: string) {
  return api('/ui/login', {
    method: 'POST',
    token: null,
    redirect: 'manual',
    headers: { 'cf-connecting-ip': address, origin: 'https://edgehook.test' },
    body: new URLSearchParams({ token }),
  });
}

describe('dashboard sign-in', () => {
  it('refuses an address after ten tries a minute, even with the right token; others still sign in', async () => {
    const guesser = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const res = await signIn(`guess-${i}`, guesser);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      await res.text();
    }
    const refused = await signIn(TOKEN, guesser);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).toContain('Too many sign-in attempts');

    const other = await signIn(TOKEN, '198.51.100.4');
    expect(other.status).toBe(303);
    expect(other.headers.get('set-cookie')).toMatch(/^edgehook_session=/);
  });
});
