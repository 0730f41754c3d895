/** @jsxImportSource hono/jsx */
// One subscription's transformation: the editor, with "Try it" on a sample event.
import type { TryOutcome } from '../../services/transformation-form';
import type { StoredSubscription } from '../../store/subscriptions';
import { TransformationEditor } from '../../views/transformation-editor';
import { Layout } from '../layout';

export const TransformationPage = (p: { sub: StoredSubscription; eventTypes: string[]; notice?: { kind: 'ok' | 'err'; text: string }; tried?: TryOutcome; code?: string }) => (
  <Layout title="Transformation" section="subscriptions">
    {p.notice ? <div class={`msg ${p.notice.kind}`} role="status">{p.notice.text}</div> : null}
    <div class="card">
      <h3 class="flush">
        Transformation of <code>{p.sub.url}</code> <span class="muted">({p.sub.id})</span>
      </h3>
      <TransformationEditor action={`/ui/subscriptions/${p.sub.id}/transformation`} transformation={p.sub.transformation} eventTypes={p.eventTypes} code={p.code} tried={p.tried} />
      <p><a href={`/?app=${encodeURIComponent(p.sub.application_id)}`}>Back to the subscriptions</a></p>
    </div>
  </Layout>
);
