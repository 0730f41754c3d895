export const ROOT: string;
export function freePort(): Promise<number>;
export function ensureDevVars(path?: string): Record<string, string>;
export function startDevServer(options?: {
  port?: number;
  vars?: Record<string, string>;
  persistTo?: string;
  quiet?: boolean;
  sweepEveryMs?: number;
  config?: string;
  readyPath?: string;
}): Promise<{ url: string; stop: () => Promise<void>; output: () => string }>;
