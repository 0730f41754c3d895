// The receivers' verify module in Node, imported as a user would: `edgehook/verify` (the built package export).
import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { describe, it } from 'node:test';
import * as mod from 'edgehook/verify';
import { verifyCases } from '../verify-cases.mjs';

describe('verify module in Node', () => {
  for (const c of verifyCases(mod, { Webhook, sign })) it(c.name, c.run);
});
