/** @jsxImportSource hono/jsx */
// A subscription's transformation as a form, for the dashboard and the portal alike: the code, on or
// off, Save, and "Try it" on a sample event (the code in the box, saved or not; nothing is sent).
import { matchesAny } from '../delivery/patterns';
import type { TryOutcome } from '../services/transformation-form';
import type { StoredSubscription, StoredTransformation } from '../store/subscriptions';

export const TRANSFORMATION_EXAMPLE = `// Reshape each webhook before it is signed and sent. Return {payload, headers?}, or {cancel: true}.
export default function ({ event_type, payload, headers }) {
  return { payload: { text: \`\${event_type}: \${JSON.stringify(payload.data)}\` }, headers };
}`;

/** The event types to try it on: the subscription's exact ones, then the catalogue's that its patterns match. */
export function sampleTypes(sub: Pick<StoredSubscription, 'events'>, catalogue: { name: string }[]): string[] {
  const exact = sub.events.filter((e) => !e.endsWith('*'));
  const matched = catalogue.map((t) => t.name).filter((n) => matchesAny(sub.events, n));
  const all = [...new Set([...exact, ...matched])];
  return all.length > 0 ? all : ['webhook.test'];
}

export const TransformationEditor = (p: { action: string; transformation: StoredTransformation | null | undefined; eventTypes: string[]; code?: string; tried?: TryOutcome }) => {
  const code = p.code ?? p.transformation?.code ?? '';
  const r = p.tried?.result;
  return (
    <form method="post" action={p.action} data-transformation>
      <p class="muted">
        JavaScript run in a sandboxed isolate on each webhook of this subscription (no network, a few milliseconds of CPU). What it returns is
        signed and sent; <code>{'{cancel: true}'}</code> sends nothing.
      </p>
      <label>
        Code
        <textarea name="code" rows={12} spellcheck={false} placeholder={TRANSFORMATION_EXAMPLE}>{code}</textarea>
      </label>
      <div class="row">
        <label>
          <input type="checkbox" name="enabled" value="1" checked={p.transformation ? p.transformation.enabled : true} /> Enabled
        </label>
        <label>
          Sample event type
          <select name="event_type">
            {p.eventTypes.map((t) => <option value={t} selected={p.tried?.event_type === t}>{t}</option>)}
          </select>
        </label>
      </div>
      <label>
        Sample data (JSON; empty: the catalogue’s example)
        <textarea name="payload" rows={3} spellcheck={false}>{p.tried?.payload ?? ''}</textarea>
      </label>
      <div class="row">
        <button class="primary" type="submit" name="do" value="save">Save transformation</button>
        <button type="submit" name="do" value="try">Try it</button>
        {p.transformation ? <button type="submit" name="do" value="remove">Remove</button> : null}
      </div>
      {r ? (
        <div data-try-result role="status">
          {!r.ok ? (
            <p class="msg err">{r.error}</p>
          ) : r.cancel ? (
            <p class="msg ok">Cancelled: nothing would be sent.</p>
          ) : (
            <>
              <p class="msg ok">This would be sent (and signed):</p>
              <pre data-try-body>{r.body}</pre>
              {Object.keys(r.headers).length > 0 ? <pre data-try-headers>{Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}</pre> : null}
            </>
          )}
        </div>
      ) : null}
    </form>
  );
};
