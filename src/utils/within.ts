/** `promise`'s value if it settles within `ms` (`{ value }`), else null; a rejection within `ms` rejects. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | null> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const late = new Promise<null>((ok) => (timer = setTimeout(() => ok(null), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
