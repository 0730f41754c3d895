export const NEEDED: string;
export function nodeVersionProblem(version?: string, platform?: string, arch?: string): string | null;
