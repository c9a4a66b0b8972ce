/**
 * The suite covers every interface of the CLI registry: each has a lifecycle (faults, retries,
 * concurrency, secret lifecycle) and hostile targets for both sides.
 */
import { REGISTRY } from "@charm-relations/cli/registry";
import { describe, expect, it } from "vitest";
import { registrySubject, rotationSteps } from "../src/from-registry.js";
import { HOSTILE_TARGETS, LIFECYCLES } from "../src/registry.js";

describe("registry coverage", () => {
  const targets = HOSTILE_TARGETS();
  it.each(REGISTRY.map((e) => [e.descriptor.name, e] as const))(
    "%s has a lifecycle and hostile targets for both sides",
    (name) => {
      const subject = registrySubject(name);
      expect(LIFECYCLES.map((l) => l.subject)).toContain(subject);
      const mine = targets.filter((t) => t.subject === subject).map((t) => t.name);
      expect(mine.some((n) => n.includes("provider"))).toBe(true);
      expect(mine.some((n) => n.includes("requirer"))).toBe(true);
    },
  );

  it("every subject of the suite is a registry interface (or the generic engines)", () => {
    const known = new Set(["generic engines", ...REGISTRY.map((e) => registrySubject(e.descriptor.name))]);
    for (const s of [...LIFECYCLES.map((l) => l.subject), ...targets.map((t) => t.subject)])
      expect(known, s).toContain(s);
  });

  it.each(REGISTRY.map((e) => [e.descriptor.name, e] as const))(
    "%s: its scenario's rotation is a configure call",
    (_name, entry) => {
      const steps = rotationSteps(entry.testing.scenario.build(entry.testing.scenario.defaultContract));
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.every((s) => s.op === "configure")).toBe(true);
    },
  );
});
