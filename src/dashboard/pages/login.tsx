/** @jsxImportSource hono/jsx */
// Sign-in: the Worker's API_TOKEN, posted once and kept as a session cookie.
import { Layout } from '../layout';

export const LoginPage = ({ error }: { error?: string }) => (
  <Layout title="Sign in" section="none">
    <div class="card narrow">
      <h2 class="flush">Sign in</h2>
      <p class="muted">Use this Worker's API token (the <code>API_TOKEN</code> secret; <code>dev-token</code> under <code>npm run dev</code>). It is kept for this browser session only.</p>
      {error ? <div class="msg err" role="alert">{error}</div> : null}
      <form method="post" action="/ui/login" class="row">
        <label class="grow-1">API token<input type="password" name="token" autocomplete="current-password" required autofocus /></label>
        <button class="primary" data-busy="Signing in…">Sign in</button>
      </form>
    </div>
  </Layout>
);
