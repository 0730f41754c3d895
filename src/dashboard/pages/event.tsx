/** @jsxImportSource hono/jsx */
// Look an event up by id and see where it went.
import type { DeliveryRow } from '../../store/deliveries';
import type { EventRow } from '../../store/events';
import { Layout, StatusBadge, when } from '../layout';

export const EventPage = ({ id, event, deliveries, urls }: { id: string; event: EventRow | null; deliveries: DeliveryRow[]; urls: Map<string, string> }) => (
  <Layout title="Events" section="events">
    <div class="card">
      <form method="get" action="/ui/events" class="row">
        <label class="grow-1">Event id<input name="id" value={id} placeholder="evt_… or your own id" required /></label>
        <button class="primary" data-busy="Looking up…">Look up</button>
      </form>
    </div>
    {id && !event ? <div class="msg err" role="alert">No event {id}. Event ids are in the 202 answer of POST /v1/events.</div> : null}
    {event ? (
      <div class="card scroll">
        <h3 class="flush"><code>{event.type}</code> <span class="muted">{when(event.created_at)}</span></h3>
        <pre>{JSON.stringify(JSON.parse(event.data), null, 2)}</pre>
        {event.callback_url ? <p class="muted">Callback: {event.callback_url}</p> : null}
        <h3>Deliveries</h3>
        {deliveries.length === 0 ? (
          <p class="empty">{event.fanout_done ? 'No subscription wanted this event type.' : 'Fanning out…'}</p>
        ) : (
          <table>
            <tr><th>Subscription</th><th>Status</th><th>Attempts</th></tr>
            {deliveries.map((d) => (
              <tr>
                <td><a href={`/ui/deliveries/${d.id}`}>{urls.get(d.subscription_id) ?? d.subscription_id}</a></td>
                <td><StatusBadge status={d.status} /></td>
                <td>{d.attempt_count}</td>
              </tr>
            ))}
          </table>
        )}
      </div>
    ) : null}
  </Layout>
);
