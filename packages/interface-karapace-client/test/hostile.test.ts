/**
 * Bad remote data reaches the charm as a typed `invalid` event naming the relation and the key (never
 * the value), nothing is written for that relation, and the provider's next good write recovers it.
 */
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { KarapaceRequirer } from "../src/index.js";
import { charmRunner } from "../src/testing.js";

const EP = "karapace";
const noop: HookRunner = async () => {};

describe("hostile provider data", () => {
  it("junk endpoints (with credentials in them): invalid names the key, never the value, no snapshot, then recovery", async () => {
    const seen: string[] = [];
    const sim = new Simulation({ lifecycle: false });
    sim.deploy("provider", { runner: noop, units: 1, endpoints: { [EP]: "provides:karapace_client" } });
    sim.deploy("requirer", {
      runner: charmRunner((charm) => {
        const r = new KarapaceRequirer(charm, { subject: "test-subject" });
        r.on("invalid", ({ error }) => void seen.push(error.message));
        charm.on("collectStatus", (e) => e.add(r.connection() ? "active" : "waiting"));
      }),
      units: 1,
      endpoints: { [EP]: "requires:karapace_client" },
    });
    await sim.settle();
    const id = sim.relate(`provider:${EP}`, `requirer:${EP}`);
    await sim.settle();
    const secret = "s3cr3t-Value-not-to-leak";
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) =>
        b.relationSet({ endpoint: EP, id }, { endpoints: `https://u:${secret}@10.1.0.10:1` }, true),
    });
    expect((await sim.settle()).settled).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatch(/endpoints/);
    expect(seen.join(" ")).not.toContain(secret);
    expect(sim.model.unitBag(id, "requirer/0").data ?? "{}").toBe("{}");
    expect(sim.model.unitStatus("requirer/0").status).toBe("waiting");

    // The provider fixes its bag (plain credentials: the fallback keys) and the requirer recovers.
    await sim.runHook("provider/0", "update-status", {
      runner: async (b) =>
        b.relationSet({ endpoint: EP, id }, { endpoints: "10.1.0.10:1", username: "u", password: "p" }, true),
    });
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.unitStatus("requirer/0").status).toBe("active");
    expect(JSON.parse(sim.model.unitBag(id, "requirer/0").data!)).toMatchObject({ endpoints: "10.1.0.10:1" });
  });
});
