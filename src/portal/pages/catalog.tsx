/** @jsxImportSource hono/jsx */
// The event catalogue: every event type a subscription can receive, its description, its JSON Schema
// and an example of what arrives (the envelope, with `data` from the schema's examples or shape).
import type { ApplicationRow } from '../../store/applications';
import type { EventTypeRow } from '../../store/event-types';
import { Layout } from '../layout';

export interface CatalogEntry {
  type: EventTypeRow;
  example: string;
}

export const CatalogPage = ({ app, entries }: { app: ApplicationRow; entries: CatalogEntry[] }) => (
  <Layout app={app} title="Event catalogue" section="catalog">
    <p class="muted">What your subscriptions can receive. Every webhook is a JSON envelope <code>{'{"type", "timestamp", "data"}'}</code>, signed in the Standard Webhooks format.</p>
    {entries.length === 0 ? <p class="card">No event types are described yet.</p> : null}
    {entries.map(({ type, example }) => (
      <section class="card" id={`type-${type.name}`} aria-labelledby={`h-${type.name}`}>
        <h2 id={`h-${type.name}`}><code>{type.name}</code></h2>
        <p>{type.description ?? <span class="muted">No description.</span>}</p>
        <h3>Example payload</h3>
        <pre>{example}</pre>
        {type.schema ? (
          <details>
            <summary>JSON Schema of <code>data</code></summary>
            <pre>{JSON.stringify(JSON.parse(type.schema), null, 2)}</pre>
          </details>
        ) : (
          <p class="muted">No schema: <code>data</code> may be any JSON object.</p>
        )}
      </section>
    ))}
  </Layout>
);
