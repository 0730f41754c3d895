// Custom header values at rest: sealed like signing secrets (an `authorization` value is a credential
// of the receiver's), each bound to its subscription and header name. Opened to send, and to show
// (credential-like names stay masked). A masked value sent back means "keep the stored one": not sealed.
import type { Env } from '../env';
import { openSecret, sealSecret } from '../signing/secret-box';
import { MASK } from '../utils/custom-headers';

/** What a sealed header value is bound to: it opens for this subscription's header of this name only. */
export const headerOwner = (subscriptionId: string, name: string) => `${subscriptionId}/header/${name.toLowerCase()}`;

export async function sealHeaders(env: Env, subscriptionId: string, headers: Record<string, string> | null): Promise<Record<string, string> | null> {
  if (!headers) return headers;
  const sealed = await Promise.all(Object.entries(headers).map(async ([name, value]) => [name, value === MASK ? value : await sealSecret(env, headerOwner(subscriptionId, name), value)]));
  return Object.fromEntries(sealed);
}

/** The values in clear (values stored before they were sealed are returned as they are). */
export async function openHeaders(env: Env, subscriptionId: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const opened = await Promise.all(Object.entries(headers).map(async ([name, value]) => [name, await openSecret(env, headerOwner(subscriptionId, name), value)]));
  return Object.fromEntries(opened);
}
