/**
 * A schema (or an object of schemas) built on first use instead of at import. Every hook is a new
 * process that imports the interface packages, most hooks parse few of their databags, and building
 * zod schemas was the largest part of a packed charm's start (about a fifth of its CPU time).
 * The result stands for the schema in every way (`parse`, `shape`, `instanceof`, composing it into
 * other schemas); only identity differs: the proxy is not `===` the schema it builds.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = () => (built ??= build());
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      // The proxy's own target is an empty object: report every property as configurable (a Proxy rule).
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
