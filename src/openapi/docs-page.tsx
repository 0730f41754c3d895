/** @jsxImportSource hono/jsx */
// GET /docs: an API reference rendered on the server from the live OpenAPI document. No script, no CDN:
// it works offline under `wrangler dev`, and it can only show what the document says.

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1c1c1e;background:#fafafa}
main{max-width:960px;margin:auto;padding:1.5rem}
h1{margin:.2rem 0}h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2.2rem}
.op{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:.8rem 1rem;margin:.8rem 0}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace;text-transform:uppercase}
.get{color:#0a7d32}.post{color:#0550ae}.patch{color:#8a5a00}.delete{color:#b42318}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f3f3f5;padding:.6rem;border-radius:6px;overflow:auto;max-height:24rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.2rem .5rem;border-top:1px solid #eee;vertical-align:top}
nav a{margin-right:1rem}.muted{color:#666}`;

function refName(schema: Json | undefined): string | null {
  const ref = schema?.$ref as string | undefined;
  return ref?.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : null;
}

const SchemaView = ({ schema }: { schema: Json | undefined }) => {
  if (!schema) return null;
  const name = refName(schema);
  return name ? <a href={`#schema-${name}`}>{name}</a> : <pre>{JSON.stringify(schema, null, 2)}</pre>;
};

const Parameters = ({ params }: { params: Json[] | undefined }) =>
  params?.length ? (
    <table>
      <tr><th>parameter</th><th>in</th><th>description</th></tr>
      {params.map((p) => (
        <tr>
          <td><code>{p.name}</code>{p.required ? ' *' : ''}</td>
          <td>{p.in}</td>
          <td>{p.description ?? ''}</td>
        </tr>
      ))}
    </table>
  ) : null;

const Operation = ({ method, path, op }: { method: string; path: string; op: Json }) => (
  <div class="op" id={`${method}-${path}`}>
    <div><span class={`m ${method}`}>{method}</span> <code>{path}</code> <span class="muted">{op.summary ?? ''}</span></div>
    {op.description ? <p>{op.description}</p> : null}
    <Parameters params={op.parameters} />
    {op.requestBody ? <div><b>Body</b> <SchemaView schema={op.requestBody.content?.['application/json']?.schema} /></div> : null}
    <table>
      <tr><th>answer</th><th>description</th><th>body</th></tr>
      {Object.entries((op.responses ?? {}) as Json).map(([status, r]) => {
        const content = (r.content ?? {}) as Json;
        const type = Object.keys(content)[0];
        return (
          <tr>
            <td>{status}</td>
            <td>{r.description}</td>
            <td>{type ? <span><code>{type}</code> <SchemaView schema={content[type].schema} /></span> : ''}</td>
          </tr>
        );
      })}
    </table>
    {Object.entries((op.callbacks ?? {}) as Json).map(([name, cb]) =>
      Object.entries(cb as Json).map(([expression, item]) => (
        <div>
          <b>Callback {name}</b>: <code>POST {expression}</code>
          <Operation method="post" path={expression} op={(item as Json).post} />
        </div>
      )),
    )}
  </div>
);

export function docsPage(doc: Json) {
  const byTag = new Map<string, { method: string; path: string; op: Json }[]>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Json)) {
    for (const method of METHODS) {
      const op = (item as Json)[method];
      if (!op) continue;
      const tag = (op.tags?.[0] as string) ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  }
  const schemas = Object.entries((doc.components?.schemas ?? {}) as Json);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info.title} API reference</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <main>
          <h1>{doc.info.title} <span class="muted">{doc.info.version}</span></h1>
          <p>{doc.info.description}</p>
          <nav>
            {[...byTag.keys()].map((t) => <a href={`#tag-${t}`}>{t}</a>)}
            <a href="#webhooks">Webhooks</a>
            <a href="#schemas">Schemas</a>
            <a href="/openapi.json">openapi.json</a>
          </nav>
          {[...byTag.entries()].map(([tag, ops]) => (
            <section id={`tag-${tag}`}>
              <h2>{tag}</h2>
              {ops.map((o) => <Operation {...o} />)}
            </section>
          ))}
          <section id="webhooks">
            <h2>Webhooks</h2>
            <p>What a subscription's URL receives, one entry per registered event type.</p>
            {Object.entries((doc.webhooks ?? {}) as Json).map(([name, item]) => <Operation method="post" path={name} op={(item as Json).post} />)}
          </section>
          <section id="schemas">
            <h2>Schemas</h2>
            {schemas.map(([name, schema]) => (
              <div id={`schema-${name}`}>
                <h3>{name}</h3>
                <pre>{JSON.stringify(schema, null, 2)}</pre>
              </div>
            ))}
          </section>
        </main>
      </body>
    </html>
  );
}
