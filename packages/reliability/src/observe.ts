/** Feed a whole lifecycle run to a hygiene checker: every state before a hook, the final state, failed hooks' errors. */
import type { HygieneChecker } from "./hygiene.js";
import type { LifecycleRun } from "./lifecycle.js";

export function observeRun(hygiene: HygieneChecker, run: LifecycleRun): void {
  for (const h of run.hooks) hygiene.observe(h.before);
  hygiene.observe(run.sim.model.state);
  for (const h of run.sim.hooks) if (!h.ok) hygiene.error(h.error, `${h.unit} ${h.hook}`);
}
