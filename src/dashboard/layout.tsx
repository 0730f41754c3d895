/** @jsxImportSource hono/jsx */
// The dashboard's page shell: navigation, styles and its one small script. No external assets.
import type { Child } from 'hono/jsx';
import { CHART_CSS } from '../views/charts';

export const STYLE = `
:root{--ok:#1e7d3a;--bad:#c0392b;--link:#2457c5;--line:#ccc;--muted:#666}
${CHART_CSS}
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
.bar{width:80px;height:8px;vertical-align:middle}.bar::-webkit-meter-bar{background:#fde7e7;border:0;border-radius:4px}.bar::-webkit-meter-optimum-value,.bar::-webkit-meter-suboptimum-value,.bar::-webkit-meter-even-less-good-value{background:#2ea043;border-radius:4px}
input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #ccc;border-radius:6px;background:#fff}
button{cursor:pointer;background:#f0f0f3}button.primary{background:#0550ae;color:#fff;border-color:#0550ae}button.danger{color:#b42318}
form.inline{display:inline}.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}.row label{display:flex;flex-direction:column;font-size:13px;color:#555}
.msg{padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}.ok{background:#e3f6e8}.err{background:#fde7e7}.muted{color:#666}.empty{color:#555;padding:1rem 0}
#secret{word-break:break-all}.flush{margin-top:0}.gap-top{margin-top:.4rem}.narrow{max-width:420px;margin:3rem auto}.right{float:right}
.grow-1{flex:1}.grow-2{flex:2;min-width:220px}.min-160{min-width:160px}.min-140{min-width:140px}
button[aria-busy=true]{opacity:.7;cursor:progress}.live-status{font-size:13px;margin:.5rem 0 0}.live-status.stale{color:#b42318}
@media (max-width:640px){.hide-sm{display:none}main{padding:.5rem}}`;

// Copy buttons; forms that say they are on their way (the button turns busy, a second press does
// nothing); live regions that re-fetch themselves (same URL, `x-partial: 1`) every 2 s and say when
// they could not: the service did not answer, or the session ended (then the old content stays).
export const SCRIPT = `
document.addEventListener('click',function(e){var b=e.target.closest('[data-copy]');if(!b)return;
navigator.clipboard.writeText(document.getElementById(b.dataset.copy).textContent).then(function(){b.textContent='Copied'});});
document.addEventListener('submit',function(e){var f=e.target;if(f.dataset.submitting){e.preventDefault();return}f.dataset.submitting='1';
var b=e.submitter||f.querySelector('button');if(!b)return;setTimeout(function(){b.dataset.label=b.textContent;b.textContent=b.dataset.busy||'Working…';b.disabled=true;b.setAttribute('aria-busy','true');},0);});
window.addEventListener('pageshow',function(e){if(!e.persisted)return;document.querySelectorAll('form[data-submitting]').forEach(function(f){delete f.dataset.submitting});
document.querySelectorAll('button[aria-busy]').forEach(function(b){b.textContent=b.dataset.label;b.disabled=false;b.removeAttribute('aria-busy')});});
document.querySelectorAll('[data-live]').forEach(function(el){var st=el.parentNode.querySelector('[data-live-status]');
function say(h,stale){st.innerHTML=h;st.classList.toggle('stale',stale)}
setInterval(function(){if(document.hidden||el.getAttribute('aria-busy'))return;el.setAttribute('aria-busy','true');
fetch(location.href,{headers:{'x-partial':'1'}}).then(function(r){if(r.ok&&r.headers.get('x-partial')==='1')return r.text();throw r})
.then(function(h){el.innerHTML=h;say('Updated at '+new Date().toISOString().slice(11,19)+'Z; updates by itself every 2 s.',false)})
.catch(function(r){say(r&&r.redirected?'Signed out: <a href="/ui/login">sign in again</a> to keep this up to date.':'Could not refresh: the service did not answer. Trying again every 2 s; what you see may be out of date.',true)})
.finally(function(){el.removeAttribute('aria-busy')});},2000);});`;

export type Section = 'subscriptions' | 'deliveries' | 'events' | 'stats' | 'applications' | 'api-keys' | 'none';

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
            <a href="/ui/stats" class={section === 'stats' ? 'on' : ''}>Stats</a>
            <a href="/ui/applications" class={section === 'applications' ? 'on' : ''}>Applications</a>
            <a href="/ui/api-keys" class={section === 'api-keys' ? 'on' : ''}>API keys</a>
            <a href="/docs">API reference</a>
            <form method="post" action="/ui/logout"><button>Sign out</button></form>
          </>
        ) : null}
      </header>
      <main>{children}</main>
      <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />
    </body>
  </html>
);

/** A region that refreshes itself, with a line that says how fresh it is. */
export const Live = ({ class: cls, children }: { class?: string; children: Child }) => (
  <div class={cls}>
    <div data-live>{children}</div>
    <p class="live-status muted" role="status" data-live-status>Updates by itself every 2 s.</p>
  </div>
);

export const StatusBadge = ({ status }: { status: string }) => <span class={`badge ${status}`}>{status}</span>;

export const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
