// The exact text of one member of a JSON object, as it was sent: stored as received instead of
// re-serialised (which would drop a `__proto__` key or rewrite numbers). The text must be valid JSON
// (the caller has parsed it already); duplicate keys resolve to the last, as JSON.parse does.
const WS = new Set([' ', '\t', '\n', '\r']);

export function rawMember(json: string, key: string): string | undefined {
  let i = 0;
  const skipWs = () => {
    while (WS.has(json[i]!)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    i++;
  };
  /** Skips one value; strings are skipped whole, so brackets inside them do not count. */
  const skipValue = () => {
    let depth = 0;
    while (i < json.length) {
      const ch = json[i]!;
      if (ch === '"') {
        skipString();
        if (depth === 0) return;
        continue;
      }
      if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) return; // the end of the enclosing object: a scalar ended here
        if (--depth === 0) {
          i++;
          return;
        }
      } else if (depth === 0 && (ch === ',' || WS.has(ch))) return;
      i++;
    }
  };
  skipWs();
  if (json[i] !== '{') return undefined;
  i++;
  let found: string | undefined;
  for (;;) {
    skipWs();
    if (json[i] !== '"') return found; // `}`: the end of the object
    const keyStart = i;
    skipString();
    const name = JSON.parse(json.slice(keyStart, i)) as string;
    skipWs();
    i++; // colon
    skipWs();
    const valueStart = i;
    skipValue();
    if (name === key) found = json.slice(valueStart, i);
    skipWs();
    if (json[i] === ',') i++;
  }
}
