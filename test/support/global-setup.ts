// Vitest globalSetup (Node): starts the local receivers and hands their origin to the tests.
import type { TestProject } from 'vitest/node';
import { startReceiverServer } from './receiver-server';
import './receiver-types';

export default async function setup(project: TestProject) {
  const server = await startReceiverServer();
  project.provide('receiverOrigin', server.origin);
  return () => server.close();
}
