// The fan-out chart of BENCHMARKS.md: completion time against N, beside the serial bound and the ideal.
export function fanoutChart(fanout) {
  const ns = Object.keys(fanout).map(Number).sort((a, b) => a - b);
  const W = 640, H = 360, L = 70, R = 20, T = 30, B = 50;
  const maxY = Math.max(...ns.map((n) => fanout[n].serial)) * 1.05;
  const x = (n) => L + ((W - L - R) * (n - 0)) / (ns[ns.length - 1] - 0);
  const y = (ms) => H - B - ((H - T - B) * ms) / maxY;
  const line = (pick, color, label, dash = '') => {
    const pts = [[0, pick === 'serial' ? 0 : pick === 'ideal' ? fanout[ns[0]].ideal : 0], ...ns.map((n) => [n, fanout[n][pick]])];
    const d = pts.map(([n, v], i) => `${i ? 'L' : 'M'}${x(n).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dots = ns.map((n) => `<circle cx="${x(n).toFixed(1)}" cy="${y(fanout[n][pick]).toFixed(1)}" r="3" fill="${color}"/>`).join('');
    return { path: `<path d="${d}" fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''}/>${dots}`, label, color };
  };
  const series = [line('serial', '#b42318', 'serial bound (N × 100 ms)', '6 4'), line('ms', '#0550ae', 'edgehook, measured'), line('ideal', '#0a7d32', 'ideal (100 ms + one measured queue hop)', '2 4')];
  const raw = maxY / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= raw);
  const ticks = Array.from({ length: Math.floor(maxY / step) + 1 }, (_, i) => i * step);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui,sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="10" y="18" font-size="14" font-weight="600">Fan-out: one event to N subscriptions, 100 ms receiver</text>
${ticks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${L - 8}" y="${y(t) + 4}" text-anchor="end">${+(t / 1000).toFixed(1)} s</text>`).join('\n')}
${ns.map((n) => `<text x="${x(n)}" y="${H - B + 18}" text-anchor="middle">${n}</text>`).join('')}
<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">N subscriptions</text>
${series.map((s) => s.path).join('\n')}
${series.map((s, i) => `<rect x="${L + 10}" y="${T + 8 + i * 18}" width="12" height="3" fill="${s.color}"/><text x="${L + 28}" y="${T + 13 + i * 18}">${s.label}</text>`).join('\n')}
</svg>
`;
}
