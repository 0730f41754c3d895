/** @jsxImportSource hono/jsx */
// A subscription's last 24 hours as a server-rendered SVG: attempts per hour (succeeded above the
// axis, failed below) and the median latency of each hour as a line; with a text summary for screen
// readers and for anyone who prefers numbers.
import type { AttemptPoint } from '../store/attempts';

const HOURS = 24;
const W = 720;
const H = 200;
const PAD = { left: 40, right: 44, top: 12, bottom: 28 };

interface Bucket {
  ok: number;
  bad: number;
  latencies: number[];
}

const median = (v: number[]) => {
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

export function buckets(points: AttemptPoint[], nowMs: number): Bucket[] {
  const out: Bucket[] = Array.from({ length: HOURS }, () => ({ ok: 0, bad: 0, latencies: [] }));
  const start = nowMs - HOURS * 3600_000;
  for (const p of points) {
    const i = Math.floor((Date.parse(p.at) - start) / 3600_000);
    if (i < 0 || i >= HOURS) continue;
    const b = out[i]!;
    if (p.status_code !== null && p.status_code >= 200 && p.status_code < 300) b.ok++;
    else b.bad++;
    b.latencies.push(p.duration_ms);
  }
  return out;
}

export const ActivityChart = ({ points, nowMs, label }: { points: AttemptPoint[]; nowMs: number; label: string }) => {
  const data = buckets(points, nowMs);
  const total = points.length;
  const ok = data.reduce((n, b) => n + b.ok, 0);
  const p50 = median(points.map((p) => p.duration_ms));
  const summary =
    total === 0
      ? `${label}: no attempts in the last 24 hours.`
      : `${label}: ${total} attempts in the last 24 hours, ${Math.round((100 * ok) / total)} % succeeded, median latency ${p50} ms.`;
  const maxCount = Math.max(1, ...data.map((b) => Math.max(b.ok, b.bad)));
  const maxLatency = Math.max(1, ...data.map((b) => median(b.latencies) ?? 0));
  const plotW = W - PAD.left - PAD.right;
  const mid = PAD.top + (H - PAD.top - PAD.bottom) / 2;
  const half = (H - PAD.top - PAD.bottom) / 2;
  const bw = plotW / HOURS;
  const x = (i: number) => PAD.left + i * bw;
  const line = data
    .map((b, i) => [i, median(b.latencies)] as const)
    .filter(([, m]) => m !== null)
    .map(([i, m]) => `${(x(i) + bw / 2).toFixed(1)},${(PAD.top + (1 - m! / maxLatency) * (H - PAD.top - PAD.bottom)).toFixed(1)}`);
  return (
    <figure class="card">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <title>{summary}</title>
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={mid} y2={mid} />
        {data.map((b, i) => (
          <>
            {b.ok > 0 ? <rect class="ok-bar" x={x(i) + 1} width={bw - 2} y={mid - (b.ok / maxCount) * half} height={(b.ok / maxCount) * half} /> : null}
            {b.bad > 0 ? <rect class="bad-bar" x={x(i) + 1} width={bw - 2} y={mid} height={(b.bad / maxCount) * half} /> : null}
          </>
        ))}
        {line.length > 1 ? <polyline class="lat" points={line.join(' ')} /> : null}
        <text x={2} y={PAD.top + 10}>{maxCount}/h</text>
        <text x={2} y={H - PAD.bottom}>{maxCount}/h</text>
        <text x={W - PAD.right + 4} y={PAD.top + 10}>{maxLatency} ms</text>
        <text x={PAD.left} y={H - 8}>24 h ago</text>
        <text x={W - PAD.right - 24} y={H - 8}>now</text>
      </svg>
      <figcaption class="muted">{summary} Bars: attempts per hour, succeeded above the line and failed below; the line: median latency per hour.</figcaption>
    </figure>
  );
};
