export function clientTypes(doc: unknown): Promise<string>;
