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

/** The shard named `name` as a D1Database. `opening`: its writes store new events (refused once it is full). */
export function remoteD1(stub: ShardRunner, name: string, opening?: { boundBytes: number }): D1Database {
  return d1View(async (statements) => {
    const answer = await stub.run(statements, opening ? { opening: true, boundBytes: opening.boundBytes } : {});
    if ('full' in answer) throw new ShardFull(name);
    return answer.results;
  });
}
