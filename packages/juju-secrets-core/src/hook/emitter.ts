/**
 * A tiny typed event emitter. Handlers run in registration order and are awaited one by one, so a
 * handler that throws stops the hook (and Juju discards everything the hook wrote).
 */
// biome-ignore lint/suspicious/noExplicitAny: event maps are user-defined records of payload types
export type EventMap = Record<string, any>;
export type Handler<P> = (payload: P) => void | Promise<void>;

export class Emitter<E extends EventMap> {
  readonly #handlers = new Map<keyof E, Handler<never>[]>();

  /** Register a handler; returns a function that removes it. */
  on<K extends keyof E>(name: K, handler: Handler<E[K]>): () => void {
    const list = this.#handlers.get(name) ?? [];
    list.push(handler as Handler<never>);
    this.#handlers.set(name, list);
    return () => {
      const current = this.#handlers.get(name);
      if (current)
        this.#handlers.set(
          name,
          current.filter((h) => h !== handler),
        );
    };
  }

  listenerCount<K extends keyof E>(name: K): number {
    return this.#handlers.get(name)?.length ?? 0;
  }

  async emit<K extends keyof E>(name: K, payload: E[K]): Promise<void> {
    for (const handler of [...(this.#handlers.get(name) ?? [])]) {
      await (handler as Handler<E[K]>)(payload);
    }
  }
}

/**
 * Re-emit events of one emitter on another, payload unchanged: interface wrappers pass the engine's
 * status and teardown events through under the same names.
 */
export function forwardEvents<E extends EventMap, K extends keyof E, T extends { [N in K]: E[N] }>(
  from: Pick<Emitter<E>, "on">,
  to: Pick<Emitter<T>, "emit">,
  names: readonly K[],
): void {
  // The constraint on T already proves E[K] fits T[K] at every call site; TS cannot see it here.
  for (const name of names) from.on(name, (payload) => to.emit(name, payload as unknown as T[K]));
}
