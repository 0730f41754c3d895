export interface ClientCase {
  name: string;
  run: () => Promise<void>;
}
export interface CaseService {
  baseUrl: string;
  token: string;
  fetch: (request: Request) => Promise<Response>;
  drops: () => number | Promise<number>;
}
export function clientCases(mod: unknown, service: CaseService): ClientCase[];
