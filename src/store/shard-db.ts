// D1's interface on the caller's side of a log shard: each statement (or batch) the store runs on it is
// one call to the shard, where it runs as one transaction. The store's functions take either this or
// D1 itself (the log from before shards), unchanged.
import { d1View, type ShardRunner } from './sql-statements';

/** A shard past its bound refused a new event: it goes to the application's next shard. */
export class ShardFull extends Error {
  constructor(readonly shard: string) {
    super(`log shard ${shard} is full`);
  }
}

/**
 * The shard named `name` as a D1Database. A write that stores a new event is refused with ShardFull once
 * the shard is `boundBytes` large (the others go on: one view, one group commit, for ingest and fan-out).
 */
export function remoteD1(stub: ShardRunner, name: string, boundBytes: number): D1Database {
  return d1View(async (statements) => {
    const answer = await stub.run(statements, { boundBytes });
    if ('full' in answer) throw new ShardFull(name);
    return answer.results;
  });
}
