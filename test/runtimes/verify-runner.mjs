// The verify module's cases in whatever runtime runs this file (Bun, Deno; Node and workerd have their
// own suites). Imports the package export `edgehook/verify` as a user would. Exits 1 on any failure.
import { sign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import * as mod from 'edgehook/verify';
import { verifyCases } from '../verify-cases.mjs';
import { runCases } from './run-cases.mjs';

await runCases('verify', verifyCases(mod, { Webhook, sign }));
