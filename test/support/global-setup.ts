// Vitest globalSetup (Node): starts the local receivers and hands their origin to the tests.
import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import { freePort, startDevServer } from '../../scripts/lib/dev-server.mjs';
import { startReceiverServer } from './receiver-server';
import './receiver-types';

export default async function setup(project: TestProject) {
  const server = await startReceiverServer();
  project.provide('receiverOrigin', server.origin);
  if (project.name !== 'workers') return () => server.close();
  // The example receiver Worker (examples/receiver) under wrangler dev, for the end-to-end test.
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const example = await startDevServer({
    config: 'examples/receiver/wrangler.toml',
    port: await freePort(),
    quiet: true,
    readyPath: '/received',
    persistTo: `.wrangler/test-receiver-${process.pid}-${project.name}`,
    vars: { WEBHOOK_SECRET: secret },
  });
  project.provide('exampleReceiver', { url: example.url, secret });
  return async () => {
    await example.stop();
    await server.close();
  };
}
