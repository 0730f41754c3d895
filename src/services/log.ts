// Reading the log for the API, the dashboard and the portal: an application's log is its shards (newest
// first) and, while it lasts, D1's log from before shards. Lookups by id ask each place in turn; lists
// merge a page from each by id, so their order and cursors hold across places. The operator's views
// (no application named) fan in over the most recently opened shards, OPERATOR_FAN_IN at most, and
// say when that left some out.
import { recoverFailed } from '../delivery/redeliver';
import type { Env } from '../env';
import { getDelivery, listDeliveries, type DeliveryFilter, type DeliveryRow } from '../store/deliveries';
import { eventTypesOf, getEvent, listEvents, type EventListItem, type EventRow } from '../store/events';
import { findInLog, legacyLog, logAt, logSources, mergePages, recentShards, type Log } from '../store/log-shards';
import { fail } from '../utils/problem';

/** Shards the operator's views read at most (the most recently opened): a page over every application. */
export const OPERATOR_FAN_IN = 20;

/** The places an operator-wide view reads, and whether some were left out (the view says so). */
export async function operatorSources(env: Env): Promise<{ sources: Log[]; partial: boolean }> {
  const [{ refs, more }, old] = await Promise.all([recentShards(env, OPERATOR_FAN_IN), legacyLog(env)]);
  return { sources: [...refs.map((r) => logAt(env, r.name)), ...(old ? [{ db: old, shard: null }] : [])], partial: more };
}

/** The places of an application's log; null: every application's (bounded, see OPERATOR_FAN_IN). */
export async function sourcesOf(env: Env, applicationId: string | null): Promise<{ sources: Log[]; partial: boolean }> {
  return applicationId === null ? operatorSources(env) : { sources: await logSources(env, applicationId), partial: false };
}

/** `applicationId` null: of any application (the operator dashboard); else one of another application is a 404. */
export async function eventOr404(env: Env, applicationId: string | null, id: string): Promise<{ log: Log; event: EventRow }> {
  const { sources } = await sourcesOf(env, applicationId);
  const hit = await findInLog(sources, (db) => getEvent(db, id, applicationId ?? undefined));
  if (!hit) throw fail(404, `No event ${id}.`);
  return { log: hit.log, event: hit.found };
}

export async function deliveryOr404(env: Env, applicationId: string | null, id: string): Promise<{ log: Log; delivery: DeliveryRow }> {
  const { sources } = await sourcesOf(env, applicationId);
  const hit = await findInLog(sources, (db) => getDelivery(db, id, applicationId ?? undefined));
  if (!hit) throw fail(404, `No delivery ${id}.`);
  return { log: hit.log, delivery: hit.found };
}

/** An application's events, newest first by id, across its log. */
export async function eventsOf(env: Env, q: { application_id: string; type?: string; limit: number; cursor?: string }): Promise<{ data: EventListItem[]; next_cursor: string | null }> {
  return mergePages(await logSources(env, q.application_id), q.limit, (db) => listEvents(db, q));
}

/** Deliveries newest first across the log of the filter's application (every application's when none: `partial` then says whether some were left out). */
export async function deliveriesOf(env: Env, f: DeliveryFilter): Promise<{ data: DeliveryRow[]; next_cursor: string | null; partial: boolean }> {
  const { sources, partial } = await sourcesOf(env, f.application_id ?? null);
  return { ...(await mergePages(sources, f.limit, (db) => listDeliveries(db, f))), partial };
}

/** The type of each event named, from every place its application's log (or the operator's fan-in) has. */
export async function eventTypesAcross(env: Env, applicationId: string | null, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { sources } = await sourcesOf(env, applicationId);
  const maps = await Promise.all(sources.map((s) => eventTypesOf(s.db, ids)));
  return new Map(maps.flatMap((m) => [...m]));
}

/** Re-sends a subscription's failed deliveries created since `sinceIso`, across its application's log. */
export async function recover(env: Env, applicationId: string, subscriptionId: string, sinceIso: string): Promise<number> {
  return recoverFailed(env, await logSources(env, applicationId), subscriptionId, sinceIso);
}
