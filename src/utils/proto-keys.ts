// `__proto__` as a key: JSON.parse keeps it as an own property, but building any object from it again
// (a validator's output, a spread, an assignment) sets the prototype instead, so the key silently
// disappears. Where a body's objects are rebuilt, such keys are found first and the body refused.

/** Dotted paths of the `__proto__` keys in `value` (outside the members `except` names at the top). */
export function protoKeyPaths(value: unknown, except: readonly string[] = []): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && found.length < 10) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      if (path === '' && except.includes(key)) continue;
      const at = path ? `${path}.${key}` : key;
      if (key === '__proto__') found.push(at);
      stack.push([(node as Record<string, unknown>)[key], at]);
    }
  }
  return found;
}

/** Whether the text could hold such a key at all (written out, or with escapes): most bodies skip the walk. */
export const mayHoldProtoKey = (text: string) => text.includes('__proto__') || text.includes('\\u');
