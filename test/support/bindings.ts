// A real binding with some of its methods replaced (to count calls, hold one back, or fail as an outage
// would); every other member is the binding's own, bound to it.
export function replacing<T extends object>(binding: T, methods: Record<string, (...args: any[]) => unknown>): T {
  return new Proxy(binding, {
    get(target, prop) {
      if (typeof prop === 'string' && Object.hasOwn(methods, prop)) return methods[prop];
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A binding whose `methods` fail, as in a platform outage; the rest work. */
export const failing = <T extends object>(binding: T, ...methods: string[]): T =>
  replacing(binding, Object.fromEntries(methods.map((m) => [m, () => Promise.reject(new Error(`${m} unavailable`))])));
