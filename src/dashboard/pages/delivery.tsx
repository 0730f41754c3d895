/** @jsxImportSource hono/jsx */
// One delivery: its attempts (time, status, duration, error, request headers, response excerpt), the
// request body, and a Redeliver button. Refreshes itself while open.
import type { Child } from 'hono/jsx';
import type { AttemptRow } from '../../store/attempts';
import type { DeliveryRow } from '../../store/deliveries';
import { Layout, Live, StatusBadge, when } from '../layout';

const BODY_SHOWN = 64 * 1024;

export const DeliveryDetail = ({ delivery, attempts, url, body }: { delivery: DeliveryRow; attempts: AttemptRow[]; url: string; body: string }) => (
  <>
    <p>
      <StatusBadge status={delivery.status} /> <code>{delivery.id}</code> · {delivery.attempt_count} attempt(s)
      {delivery.status === 'pending' && delivery.next_attempt_at ? <span> · next attempt {when(delivery.next_attempt_at)}</span> : null}
    </p>
    <p class="muted">
      Event <a href={`/ui/events?id=${delivery.event_id}`}><code>{delivery.event_id}</code></a> → {url}
    </p>
    <h3>Attempts</h3>
    {attempts.length === 0 ? (
      <p class="empty">No attempt yet: it is queued.</p>
    ) : (
      <table data-attempts={attempts.length}>
        <tr><th>Time</th><th>Status</th><th>Duration</th><th>Error</th></tr>
        {attempts.map((a) => (
          <>
            <tr class="attempt">
              <td>{when(a.at)}</td>
              <td>{a.status_code ?? '—'}</td>
              <td>{a.duration_ms} ms</td>
              <td>{a.error ?? ''}</td>
            </tr>
            <tr>
              <td colspan={4}>
                <details>
                  <summary>Request headers and response</summary>
                  <pre>{a.request_headers ? Object.entries(JSON.parse(a.request_headers) as Record<string, string>).map(([k, v]) => `${k}: ${v}`).join('\n') : '(not recorded)'}</pre>
                  <pre>{a.response_excerpt ?? '(no response body)'}</pre>
                </details>
              </td>
            </tr>
          </>
        ))}
      </table>
    )}
    <h3>Request body</h3>
    <pre>{body.length > BODY_SHOWN ? `${body.slice(0, BODY_SHOWN)}\n… (${body.length} bytes in all)` : body}</pre>
  </>
);

export const DeliveryPage = ({ id, detail, notice }: { id: string; detail: Child; notice?: string }) => (
  <Layout title={`Delivery ${id}`} section="deliveries">
    {notice ? <div class="msg ok" role="status">{notice}</div> : null}
    <div class="card">
      <form method="post" action={`/ui/deliveries/${id}/redeliver`} class="row right">
        <button class="primary" data-busy="Queueing…">Redeliver</button>
      </form>
      <Live>{detail}</Live>
    </div>
  </Layout>
);
