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
