/** @jsxImportSource hono/jsx */
// Applications (the producer's customers) and API keys: create, list, revoke; a new key shown once.
import type { ApiKeyRow } from '../../store/api-keys';
import type { ApplicationRow } from '../../store/applications';
import { Layout, when } from '../layout';
import type { Notice } from './subscriptions';

const NoticeBox = ({ notice, what }: { notice?: Notice; what: string }) =>
  notice ? (
    <div class={`msg ${notice.kind}`} role="status">
      {notice.text}
      {notice.secret ? (
        <div class="gap-top">
          <code id="secret">{notice.secret}</code> <button type="button" data-copy="secret">Copy</button>
          <div class="muted">Shown once: edgehook keeps only its hash. Store the {what} now.</div>
        </div>
      ) : null}
    </div>
  ) : null;

export const ApplicationsPage = ({ apps, next, notice }: { apps: ApplicationRow[]; next: string | null; notice?: Notice }) => (
  <Layout title="Applications" section="applications">
    <NoticeBox notice={notice} what="key" />
    <div class="card">
      <h3 class="flush">New application</h3>
      <form method="post" action="/ui/applications" class="row">
        <label class="grow-2">Name<input name="name" placeholder="Acme Corp" required /></label>
        <label class="grow-1 min-160">Your id for it (uid, optional)<input name="uid" placeholder="acme-corp" /></label>
        <button class="primary" data-busy="Creating…">Create</button>
      </form>
    </div>
    <div class="card scroll">
      <table>
        <tr><th>Application</th><th class="hide-sm">uid</th><th class="hide-sm">Created</th><th>See</th></tr>
        {apps.map((a) => (
          <tr id={a.id}>
            <td>{a.name}<div class="muted"><code>{a.id}</code></div></td>
            <td class="hide-sm">{a.uid ? <code>{a.uid}</code> : '—'}</td>
            <td class="hide-sm">{when(a.created_at)}</td>
            <td>
              <a href={`/?app=${a.id}`}>Subscriptions</a> · <a href={`/ui/deliveries?application_id=${a.id}`}>Deliveries</a> · <a href={`/ui/api-keys?scope=${a.id}`}>Keys</a>
              <form class="inline" method="post" action={`/ui/applications/${a.id}/portal`}> · <button data-busy="Opening…">Open its portal</button></form>
            </td>
          </tr>
        ))}
      </table>
      {next ? <p><a href={`/ui/applications?cursor=${encodeURIComponent(next)}`}>Older →</a></p> : null}
    </div>
  </Layout>
);

export const ApiKeysPage = ({ keys, apps, scope, next, notice }: { keys: ApiKeyRow[]; apps: ApplicationRow[]; scope: string; next: string | null; notice?: Notice }) => {
  const names = new Map(apps.map((a) => [a.id, a.name]));
  const scopeName = (s: string) => (s === 'operator' ? 'operator (everything)' : (names.get(s) ?? s));
  return (
    <Layout title="API keys" section="api-keys">
      <NoticeBox notice={notice} what="key" />
      <div class="card">
        <h3 class="flush">New API key</h3>
        <form method="post" action="/ui/api-keys" class="row">
          <label class="grow-2">Name<input name="name" placeholder="Acme production" required /></label>
          <label class="grow-1 min-160">Scope
            <select name="scope">
              <option value="operator" selected={scope === 'operator'}>operator (everything)</option>
              {apps.map((a) => <option value={a.id} selected={scope === a.id}>{a.name}</option>)}
            </select>
          </label>
          <button class="primary" data-busy="Creating…">Create</button>
        </form>
        <p class="muted">An application’s key sees and changes that application only; anything else answers 404.</p>
      </div>
      <div class="card scroll">
        {keys.length === 0 ? (
          <p class="empty">No API keys{scope ? ' of this scope' : ''} yet. The API_TOKEN secret is the operator key that is always there.</p>
        ) : (
          <table>
            <tr><th>Key</th><th>Scope</th><th class="hide-sm">Created</th><th>Last used</th><th>State</th></tr>
            {keys.map((k) => (
              <tr id={k.id}>
                <td>{k.name}<div class="muted"><code>{k.id}</code></div></td>
                <td>{scopeName(k.scope)}</td>
                <td class="hide-sm">{when(k.created_at)}</td>
                <td>{when(k.last_used_at)}</td>
                <td>
                  {k.revoked_at ? (
                    <span class="badge failed">revoked {when(k.revoked_at)}</span>
                  ) : (
                    <form class="inline" method="post" action={`/ui/api-keys/${k.id}/revoke`}><button class="danger" data-busy="Revoking…">Revoke</button></form>
                  )}
                </td>
              </tr>
            ))}
          </table>
        )}
        {next ? <p><a href={`/ui/api-keys?scope=${encodeURIComponent(scope)}&cursor=${encodeURIComponent(next)}`}>Older →</a></p> : null}
      </div>
    </Layout>
  );
};
