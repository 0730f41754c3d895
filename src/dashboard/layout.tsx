/** @jsxImportSource hono/jsx */
// The dashboard's page shell: navigation, styles and its one small script. No external assets.
import type { Child } from 'hono/jsx';

const STYLE = `
*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1c1c1e;background:#f6f6f8}
header{background:#1c1c1e;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#ddd;text-decoration:none}header a.on{color:#fff;font-weight:600}header b{margin-right:.5rem}
header form{margin-left:auto}main{max-width:1100px;margin:auto;padding:1rem}
.card{background:#fff;border:1px solid #e3e3e6;border-radius:8px;padding:1rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .5rem;border-top:1px solid #eee;vertical-align:top}
th{font-size:13px;color:#555;border-top:0}.scroll{overflow-x:auto}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f3f3f5;padding:.6rem;border-radius:6px;overflow:auto;max-height:20rem;white-space:pre-wrap;word-break:break-all}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:12px;font-weight:600}
.succeeded,.enabled{background:#e3f6e8;color:#0a7d32}.failed,.disabled{background:#fde7e7;color:#b42318}.pending{background:#fff4d6;color:#8a5a00}
.bar{display:inline-block;width:80px;height:8px;background:#fde7e7;border-radius:4px;overflow:hidden;vertical-align:middle}.bar i{display:block;height:100%;background:#2ea043}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #ccc;border-radius:6px;background:#fff}
button{cursor:pointer;background:#f0f0f3}button.primary{background:#0550ae;color:#fff;border-color:#0550ae}button.danger{color:#b42318}
form.inline{display:inline}.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}.row label{display:flex;flex-direction:column;font-size:13px;color:#555}
.msg{padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}.ok{background:#e3f6e8}.err{background:#fde7e7}.muted{color:#666}.empty{color:#555;padding:1rem 0}
#secret{word-break:break-all}
@media (max-width:640px){.hide-sm{display:none}main{padding:.5rem}}`;

// Copy buttons, and live regions that re-fetch themselves (same URL, `x-partial: 1`) every 2 s.
const SCRIPT = `
document.addEventListener('click',function(e){var b=e.target.closest('[data-copy]');if(!b)return;
navigator.clipboard.writeText(document.getElementById(b.dataset.copy).textContent).then(function(){b.textContent='Copied'});});
document.querySelectorAll('[data-live]').forEach(function(el){setInterval(function(){if(document.hidden)return;
fetch(location.href,{headers:{'x-partial':'1'}}).then(function(r){if(r.ok)return r.text();throw r}).then(function(h){el.innerHTML=h;}).catch(function(){});},2000);});`;

export type Section = 'subscriptions' | 'deliveries' | 'events' | 'none';

export const Layout = ({ title, section, children }: { title: string; section: Section; children: Child }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} · edgehook</title>
      <style dangerouslySetInnerHTML={{ __html: STYLE }} />
    </head>
    <body>
      <header>
        <b>edgehook</b>
        {section !== 'none' ? (
          <>
            <a href="/" class={section === 'subscriptions' ? 'on' : ''}>Subscriptions</a>
            <a href="/ui/deliveries" class={section === 'deliveries' ? 'on' : ''}>Deliveries</a>
            <a href="/ui/events" class={section === 'events' ? 'on' : ''}>Events</a>
            <a href="/docs">API</a>
            <form method="post" action="/ui/logout"><button>Sign out</button></form>
          </>
        ) : null}
      </header>
      <main>{children}</main>
      <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />
    </body>
  </html>
);

export const StatusBadge = ({ status }: { status: string }) => <span class={`badge ${status}`}>{status}</span>;

export const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
