/** @jsxImportSource hono/jsx */
// The customer portal's page shell: the application's name, theme and accent colour; a skip link,
// landmarks and a visible focus ring; no script and no external asset.
import type { Child } from 'hono/jsx';
import { DEFAULT_PORTAL, type ApplicationRow, type PortalSettings } from '../store/applications';
import { CHART_CSS } from '../views/charts';

export const STYLE = `
:root{--bg:#f6f6f8;--card:#fff;--fg:#1c1c1e;--muted:#555;--line:#d9d9de;--link:#0550ae;--ok-bg:#e3f6e8;--ok:#0a6b2b;--bad-bg:#fde7e7;--bad:#a3201a;--wait-bg:#fff4d6;--wait:#6b4500;--code:#f0f0f3}
html[data-theme=dark]{--bg:#161618;--card:#202023;--fg:#f2f2f4;--muted:#b4b4bb;--line:#3a3a40;--link:#8ab4ff;--ok-bg:#12361f;--ok:#8fe0a8;--bad-bg:#40181a;--bad:#ffaaa4;--wait-bg:#3b2d0c;--wait:#ffd98a;--code:#2a2a2e}
@media (prefers-color-scheme:dark){html[data-theme=auto]{--bg:#161618;--card:#202023;--fg:#f2f2f4;--muted:#b4b4bb;--line:#3a3a40;--link:#8ab4ff;--ok-bg:#12361f;--ok:#8fe0a8;--bad-bg:#40181a;--bad:#ffaaa4;--wait-bg:#3b2d0c;--wait:#ffd98a;--code:#2a2a2e}}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,sans-serif;margin:0;color:var(--fg);background:var(--bg)}
a{color:var(--link)}:focus-visible{outline:3px solid var(--fg);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem;z-index:1}
header{background:var(--accent);color:var(--on-accent);padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:var(--on-accent)}header nav{display:flex;gap:1rem;flex-wrap:wrap}header nav a[aria-current=page]{font-weight:700}
header form{margin-left:auto}main{max-width:1000px;margin:auto;padding:1rem}h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .5rem;border-top:1px solid var(--line);vertical-align:top}th{font-size:13px;color:var(--muted);border-top:0}
.scroll{overflow-x:auto}code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:var(--code);padding:.6rem;border-radius:6px;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-all}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:12px;font-weight:600}
.succeeded,.enabled{background:var(--ok-bg);color:var(--ok)}.failed,.disabled{background:var(--bad-bg);color:var(--bad)}.pending{background:var(--wait-bg);color:var(--wait)}
input,select,button,textarea{font:inherit;padding:.4rem .55rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
button{cursor:pointer}button.primary{background:var(--accent);color:var(--on-accent);border-color:var(--accent)}button.danger{color:var(--bad)}
.row{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end}label{display:flex;flex-direction:column;font-size:13px;color:var(--muted);gap:.2rem}
label.check{flex-direction:row;align-items:baseline;gap:.5rem;color:var(--fg);font-size:15px}fieldset{border:1px solid var(--line);border-radius:6px;margin:0;padding:.5rem .8rem}
.grow{flex:1;min-width:220px}.msg{padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}.ok{background:var(--ok-bg);color:var(--ok)}.err{background:var(--bad-bg);color:var(--bad)}
.muted{color:var(--muted)}.inline{display:inline}.secret{width:100%;font-family:ui-monospace,monospace}
${CHART_CSS}
@media (max-width:640px){main{padding:.5rem}.hide-sm{display:none}}`;

/** The accent as CSS variables, with the text colour on it that reads better (WCAG contrast). */
export function accentStyle(portal: PortalSettings): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(portal.accent_color.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  const onAccent = (1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05) ? '#ffffff' : '#000000';
  return `:root{--accent:${portal.accent_color};--on-accent:${onAccent}}`;
}

export type Section = 'subscriptions' | 'catalog' | 'deliveries' | 'none';

const NAV: [Section, string, string][] = [
  ['subscriptions', '/portal/', 'Subscriptions'],
  ['catalog', '/portal/catalog', 'Event catalogue'],
  ['deliveries', '/portal/deliveries', 'Deliveries'],
];

export const Layout = ({ app, title, section, children }: { app: Pick<ApplicationRow, 'name' | 'portal'> | null; title: string; section: Section; children: Child }) => (
  <html lang="en" data-theme={app?.portal.theme ?? 'auto'}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} · {app?.name ?? 'Webhooks'}</title>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      <style dangerouslySetInnerHTML={{ __html: accentStyle(app?.portal ?? DEFAULT_PORTAL) }} />
    </head>
    <body>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <strong>{app ? `${app.name} · Webhooks` : 'Webhooks'}</strong>
        {app && section !== 'none' ? (
          <>
            <nav aria-label="Portal">
              {NAV.map(([s, href, label]) => (
                <a href={href} aria-current={s === section ? 'page' : undefined}>{label}</a>
              ))}
              <a href="/docs" target="_blank" rel="noopener">API reference</a>
            </nav>
            <form method="post" action="/portal/sign-out"><button type="submit">Sign out</button></form>
          </>
        ) : null}
      </header>
      <main id="main">
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

export const StatusBadge = ({ status }: { status: string }) => <span class={`badge ${status}`}>{status}</span>;

export const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

export interface Notice {
  kind: 'ok' | 'err';
  text: string;
}

export const NoticeBox = ({ notice }: { notice?: Notice }) =>
  notice ? (
    <div class={`msg ${notice.kind}`} role={notice.kind === 'err' ? 'alert' : 'status'}>
      {notice.text}
    </div>
  ) : null;
