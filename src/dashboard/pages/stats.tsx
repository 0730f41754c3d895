/** @jsxImportSource hono/jsx */
// Delivery stats of an application over a window: the totals, outcomes over time (stacked) with the
// attempt latency, optionally for one subscription or event type. From the counters (GET …/stats).
import type { ApplicationRow } from '../../store/applications';
import { percent, type DeliveryStats } from '../../services/stats';
import { OutcomeChart } from '../../views/charts';
import { Layout } from '../layout';

export const StatsPage = ({ stats, apps }: { stats: DeliveryStats; apps: ApplicationRow[] }) => {
  const t = stats.totals;
  const name = apps.find((a) => a.id === stats.application_id)?.name ?? stats.application_id;
  const scope = [stats.subscription_id ? `subscription ${stats.subscription_id}` : null, stats.event_type ? `event type ${stats.event_type}` : null].filter(Boolean).join(', ');
  return (
    <Layout title="Stats" section="stats">
      <div class="card">
        <form method="get" action="/ui/stats" class="row">
          <label>Application
            <select name="app">{apps.map((a) => <option value={a.id} selected={a.id === stats.application_id}>{a.name}{a.uid ? ` (${a.uid})` : ''}</option>)}</select>
          </label>
          <label>Window
            <select name="window">{(['1h', '24h', '7d'] as const).map((w) => <option value={w} selected={w === stats.window}>{w}</option>)}</select>
          </label>
          <label class="grow-1 min-160">Subscription id<input name="subscription_id" value={stats.subscription_id ?? ''} placeholder="all" /></label>
          <label class="grow-1 min-160">Event type<input name="event_type" value={stats.event_type ?? ''} placeholder="all" /></label>
          <button data-busy="Loading…">Show</button>
        </form>
      </div>
      <div class="card">
        <h3 class="flush">{name}{scope ? `: ${scope}` : ''}</h3>
        <table class="totals">
          <tr><th>Attempts</th><th>Succeeded</th><th>Retried</th><th>Failed for good</th><th>Success rate</th><th>Latency p50 / p95</th></tr>
          <tr>
            <td data-total="attempts">{t.attempts}</td>
            <td data-total="succeeded">{t.succeeded}</td>
            <td data-total="retrying">{t.retrying}</td>
            <td data-total="failed">{t.failed}</td>
            <td>{percent(t.success_rate)}</td>
            <td>{t.latency_ms.p50 ?? '–'} / {t.latency_ms.p95 ?? '–'} ms</td>
          </tr>
        </table>
      </div>
      <OutcomeChart stats={stats} label={name} />
    </Layout>
  );
};
