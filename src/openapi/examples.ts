// Examples everywhere in the document: every request body and every answer of every operation (and of
// its callbacks) gets an `example` built from its schema (exampleFromSchema: the schemas' own examples
// first), unless it has one. The reference shows them beside each operation.
import { exampleFromSchema } from './example-from-schema';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function fillContent(content: Json | undefined, components: Json) {
  for (const media of Object.values(content ?? {}) as Json[]) {
    if (media.example !== undefined || media.examples !== undefined || !media.schema) continue;
    const example = exampleFromSchema(media.schema, components);
    if (example !== undefined) media.example = example;
  }
}

function fillOperation(op: Json, components: Json) {
  fillContent(op.requestBody?.content, components);
  for (const response of Object.values(op.responses ?? {}) as Json[]) fillContent(response.content, components);
  for (const callback of Object.values(op.callbacks ?? {}) as Json[]) {
    for (const item of Object.values(callback) as Json[]) for (const m of METHODS) if (item[m]) fillOperation(item[m], components);
  }
}

/** The document with examples filled in (a copy: the registry's own objects are left as they are). */
export function withExamples<T extends object>(doc: T): T {
  const copy = structuredClone(doc) as Json;
  const components = copy.components?.schemas ?? {};
  for (const item of Object.values(copy.paths ?? {}) as Json[]) for (const m of METHODS) if (item[m]) fillOperation(item[m], components);
  return copy as T;
}
