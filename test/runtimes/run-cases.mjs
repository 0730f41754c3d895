// Runs a list of { name, run } cases in whatever runtime runs the caller (Node, Bun, Deno), prints a line
// each, and exits 1 on any failure (or on no case at all).
export const runtime = globalThis.Bun ? `Bun ${globalThis.Bun.version}` : globalThis.Deno ? `Deno ${globalThis.Deno.version.deno}` : `Node ${process.version}`;

// Deno has no process global without node: imports.
export const exit = (code) => (globalThis.Deno ? globalThis.Deno.exit(code) : process.exit(code));

export async function runCases(what, cases) {
  let failed = 0;
  for (const c of cases) {
    try {
      await c.run();
      console.log(`ok   ${runtime}: ${c.name}`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${runtime}: ${c.name}: ${err instanceof Error ? err.message : err}`);
    }
  }
  console.log(`${runtime}: ${cases.length - failed} of ${cases.length} ${what} cases passed`);
  if (failed > 0 || cases.length === 0) exit(1);
}
