export function descendants(pid: number): number[];
export function gone(pids: number[], ms: number): Promise<number[]>;
export function stopTree(pid: number, options?: { graceMs?: number; sig?: NodeJS.Signals; group?: boolean }): Promise<number>;
export function processesWithEnv(name: string, value: string): { pid: number; cmd: string }[];
export function signal(pids: number[], sig: NodeJS.Signals): void;
