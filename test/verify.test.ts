// The receivers' verify module, inside workerd (the Node run of the same cases is test/node/).
import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { describe, it } from 'vitest';
import * as mod from '../src/verify/index';
import { verifyCases } from './verify-cases.mjs';

describe('verify module in workerd', () => {
  it.each(verifyCases(mod, { Webhook, sign }).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await c.run();
  });
});
