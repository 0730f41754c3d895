/** @jsxImportSource hono/jsx */
// Delivery stats drawn on the server as SVG (no script, no external assets), for the dashboard and the
// portal: outcomes over time as stacked bars with the attempt latency (p50, p95) as lines, and a
// sparkline per subscription. Each says in words what it shows, for screen readers and for anyone who
// prefers numbers.
import { percent, type DeliveryStats as Stats, type Series } from '../services/stats';

type Bucket = Stats['buckets'][number];

const W = 720;
const H = 220;
const PAD = { left: 44, right: 52, top: 12, bottom: 28 };
const WINDOW_WORDS = { '1h': 'last hour', '24h': 'last 24 hours', '7d': 'last 7 days' } as const;

export function statsSummary(stats: Stats, label: string): string {
  const t = stats.totals;
  const when = WINDOW_WORDS[stats.window];
  if (t.attempts === 0) return `${label}: no attempts in the ${when}.`;
  return `${label}: ${t.attempts} attempts in the ${when}: ${t.succeeded} succeeded, ${t.retrying} failed and were retried, ${t.failed} failed for good (${percent(t.success_rate)} succeeded); latency p50 ${t.latency_ms.p50} ms, p95 ${t.latency_ms.p95} ms.`;
}

const tick = (b: Bucket, step: number) => {
  const d = new Date(b.start);
  return step >= 21_600 ? `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 13)}h` : d.toISOString().slice(11, 16);
};

/** Outcomes per bucket, stacked (succeeded, retried, failed), and the latency p50 and p95 as lines. */
export const OutcomeChart = ({ stats, label }: { stats: Stats; label: string }) => {
  const summary = statsSummary(stats, label);
  const data = stats.buckets;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / data.length;
  const maxCount = Math.max(1, ...data.map((b) => b.attempts));
  const maxLatency = Math.max(1, ...data.map((b) => b.latency_ms.p95 ?? 0));
  const x = (i: number) => PAD.left + i * bw;
  const y = (n: number) => (n / maxCount) * plotH;
  const line = (q: 'p50' | 'p95') =>
    data
      .map((b, i) => [i, b.latency_ms[q]] as const)
      .filter(([, v]) => v !== null)
      .map(([i, v]) => `${(x(i) + bw / 2).toFixed(1)},${(PAD.top + (1 - v! / maxLatency) * plotH).toFixed(1)}`)
      .join(' ');
  const base = H - PAD.bottom;
  const every = Math.ceil(data.length / 6);
  return (
    <figure class="card stats-chart">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} data-attempts={stats.totals.attempts}>
        <title>{summary}</title>
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={base} y2={base} />
        {data.map((b, i) => {
          const ok = y(b.succeeded);
          const retry = y(b.retrying);
          const bad = y(b.failed);
          return (
            <g>
              <title>{`${b.start}: ${b.attempts} attempts, ${b.succeeded} succeeded, ${b.retrying} retried, ${b.failed} failed; p50 ${b.latency_ms.p50 ?? '–'} ms`}</title>
              {b.succeeded > 0 ? <rect class="ok-bar" x={x(i) + 1} width={Math.max(1, bw - 2)} y={base - ok} height={ok} /> : null}
              {b.retrying > 0 ? <rect class="retry-bar" x={x(i) + 1} width={Math.max(1, bw - 2)} y={base - ok - retry} height={retry} /> : null}
              {b.failed > 0 ? <rect class="bad-bar" x={x(i) + 1} width={Math.max(1, bw - 2)} y={base - ok - retry - bad} height={bad} /> : null}
            </g>
          );
        })}
        {line('p95') ? <polyline class="lat lat95" points={line('p95')} /> : null}
        {line('p50') ? <polyline class="lat" points={line('p50')} /> : null}
        <text x={2} y={PAD.top + 10}>{maxCount}</text>
        <text x={2} y={base}>0</text>
        <text x={W - PAD.right + 4} y={PAD.top + 10}>{maxLatency} ms</text>
        {data.map((b, i) => (i % every === 0 ? <text x={x(i)} y={H - 8}>{tick(b, stats.bucket_seconds)}</text> : null))}
      </svg>
      <figcaption class="muted">
        {summary} Bars: attempts per {stats.bucket_seconds >= 3600 ? `${stats.bucket_seconds / 3600} h` : `${stats.bucket_seconds / 60} min`}, stacked: succeeded (green), failed and retried (amber), failed for good
        (red). Lines: attempt latency p50 (solid) and p95 (dashed), right axis.
      </figcaption>
    </figure>
  );
};

/** Attempts per bucket as small bars, the part that did not succeed in red; with the rate in words. */
export const Sparkline = ({ buckets, label }: { buckets: Series; label: string }) => {
  const w = 120;
  const h = 24;
  const bw = w / Math.max(1, buckets.length);
  const max = Math.max(1, ...buckets.map((b) => b.attempts));
  const attempts = buckets.reduce((n, b) => n + b.attempts, 0);
  const succeeded = buckets.reduce((n, b) => n + b.succeeded, 0);
  const words = attempts === 0 ? `${label}: no attempts` : `${label}: ${attempts} attempts, ${percent(succeeded / attempts)} succeeded`;
  return (
    <span class="spark">
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={words}>
        <title>{words}</title>
        {buckets.map((b, i) => {
          const all = (b.attempts / max) * h;
          const bad = ((b.attempts - b.succeeded) / max) * h;
          return b.attempts === 0 ? null : (
            <>
              <rect class="ok-bar" x={i * bw} width={Math.max(1, bw - 1)} y={h - all} height={all - bad} />
              {bad > 0 ? <rect class="bad-bar" x={i * bw} width={Math.max(1, bw - 1)} y={h - all} height={bad} /> : null}
            </>
          );
        })}
      </svg>{' '}
      <span class="muted">{attempts === 0 ? 'no attempts' : percent(succeeded / attempts)}</span>
    </span>
  );
};

/** The chart styles, for a page's own stylesheet (colours from the page's variables). */
export const CHART_CSS =
  '.chart{width:100%;height:auto;max-width:720px}.chart .ok-bar,.spark .ok-bar{fill:var(--ok)}.chart .bad-bar,.spark .bad-bar{fill:var(--bad)}.chart .retry-bar{fill:#d4a017}' +
  '.chart .lat{stroke:var(--link);fill:none;stroke-width:2}.chart .lat95{stroke-dasharray:4 3;stroke-width:1.5}.chart .axis{stroke:var(--line)}.chart text{fill:var(--muted);font-size:11px}.spark svg{vertical-align:middle}';
