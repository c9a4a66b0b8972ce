/** Feed a whole lifecycle run to a hygiene checker: every state before a hook, the final state, failed hooks' errors. */
import { HygieneChecker } from "./hygiene.js";
import type { LifecycleRun } from "./lifecycle.js";
import type { LifecycleEntry } from "./registry.js";

export function observeRun(hygiene: HygieneChecker, run: LifecycleRun): void {
  for (const h of run.hooks) hygiene.observe(h.before);
  hygiene.observe(run.sim.model.state);
  for (const h of run.sim.hooks) if (!h.ok) hygiene.error(h.error, `${h.unit} ${h.hook}`);
}

/** A checker for one lifecycle entry (its plain-bag allowance and extra secret values). */
export function hygieneFor(entry: LifecycleEntry): HygieneChecker {
  const checker = new HygieneChecker(entry.hygiene ?? {});
  for (const s of entry.extraSecrets ?? []) checker.secret(s, "extra secret");
  return checker;
}
