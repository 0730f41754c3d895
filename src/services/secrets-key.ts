// Where a SECRETS_KEY rotation stands: whether anything stored still needs SECRETS_KEY_PREVIOUS.
import type { Env } from '../env';
import { resealStatus } from '../delivery/reseal';
import { keyIdOf } from '../signing/secret-box';

export async function secretsKeyStatus(env: Env) {
  const status = await resealStatus(env);
  const p = status?.progress ?? null;
  const state = !status ? null : !p ? ('not_started' as const) : p.phase === 'done' ? ('done' as const) : ('running' as const);
  return {
    key_id: keyIdOf(env.SECRETS_KEY),
    previous_key_id: keyIdOf(env.SECRETS_KEY_PREVIOUS),
    reseal: state && {
      state,
      phase: p?.phase ?? null,
      resealed: p?.resealed ?? 0,
      unreadable: p?.unreadable ?? 0,
      started_at: p?.started_at ?? null,
      finished_at: p?.finished_at ?? null,
    },
    previous_key_needed: Boolean(env.SECRETS_KEY_PREVIOUS) && state !== 'done',
  };
}
