import type { Backend } from "../backend/types.js";
import { Charm } from "../hook/charm.js";
import type { HookContext } from "../hook/types.js";
import type { HookRunner } from "./simulation.js";

/**
 * A `HookRunner` that runs a charm's `setup` (the same function its `dist/charm.js` passes to
 * `runCharm`) in-process, on whatever backend the harness provides. Errors propagate unwrapped, so
 * the harness rolls the hook back and the test sees the charm's own exception.
 */
export function charmRunner(
  setup: (charm: Charm) => void | Promise<void>,
  options: { onCharm?: (charm: Charm) => void } = {},
): HookRunner {
  return async (backend: Backend, context: HookContext) => {
    const charm = new Charm({ backend, context });
    await setup(charm);
    options.onCharm?.(charm);
    await charm.dispatch();
  };
}
