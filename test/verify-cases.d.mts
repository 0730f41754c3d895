export interface VerifyCase {
  name: string;
  run: () => Promise<void>;
}
export function verifyCases(mod: unknown, libs: { Webhook: unknown; sign: unknown }): VerifyCase[];
