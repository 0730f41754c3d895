// The request body and headers of an attempt, signed over the exact bytes sent.
import { isSecretKeyText } from '../signing/key-pair';
import { signatureHeader, signGithub } from '../signing/sign';
import { VERSION } from '../version';

/** `{"type":…,"timestamp":…,"data":…}`, built around the stored JSON text of `data` (never re-serialised). */
export function envelopeBody(type: string, timestamp: string, dataJson: string): string {
  return `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(timestamp)},"data":${dataJson}}`;
}

export interface SigningInput {
  webhookId: string;
  body: string;
  /** Secrets that sign, newest first; each adds one signature (`v1,` a `whsec_` secret, `v1a,` a `whsk_` key). */
  secrets: string[];
  /** Adds `x-hub-signature-256` (GitHub's scheme) with the newest secret, when that is an HMAC secret. */
  github: boolean;
  nowMs: number;
}

export async function attemptHeaders(input: SigningInput): Promise<Record<string, string>> {
  const timestamp = Math.floor(input.nowMs / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `edgehook/${VERSION}`,
    'webhook-id': input.webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': await signatureHeader(input.secrets, input.webhookId, timestamp, input.body),
  };
  if (input.github && input.secrets[0] && !isSecretKeyText(input.secrets[0])) headers['x-hub-signature-256'] = await signGithub(input.secrets[0], input.body);
  return headers;
}
