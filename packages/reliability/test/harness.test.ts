/**
 * The suite's own checkers catch what they claim to: a charm that swallows hook-tool errors, one that
 * writes something new on every run, secret values leaked into a log, a status or a databag, a
 * duplicated secret, and hostile handling that crashes or shrugs. Without these, a green suite would
 * prove nothing.
 */
import { randomBytes } from "node:crypto";
import { type Charm, HookToolError } from "@charm-relations/juju-secrets-core";
import { DataProvider } from "@charm-relations/juju-secrets-core/interface";
import { pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { charmRunner, JujuModel, MemoryBackend } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FaultyBackend, faultError } from "../src/fault-backend.js";
import { genericProvider, genericRequirer, PG } from "../src/generic.js";
import { runHostile } from "../src/hostile.js";
import { providerBases, settledWorld } from "../src/hostile-bases.js";
import { V0_REQUEST_ROLES } from "../src/hostile-generic.js";
import { HygieneChecker } from "../src/hygiene.js";
import { type LifecycleSpec, pgLifecycle, removeCharmDirs, runLifecycle } from "../src/lifecycle.js";
import { duplicateLabels, orphanSecrets } from "../src/secrets-check.js";
import { faultSweep, retrySweep } from "../src/sweep.js";

afterAll(removeCharmDirs);

/** The pg lifecycle with the provider swapped for `provider`, relate only. */
function withProvider(provider: (charm: Charm) => void): LifecycleSpec {
  const spec = pgLifecycle();
  return {
    ...spec,
    apps: spec.apps.map((a) => (a.name === "provider" ? { ...a, runner: charmRunner(provider) } : a)),
    steps: spec.steps.slice(0, 1),
  };
}

describe("FaultyBackend", () => {
  it("fails exactly the Nth call with the typed error ProcessBackend would raise, and no other", () => {
    const model = new JujuModel();
    model.addApplication("a", { endpoints: { db: "requires:x" } });
    const b = new FaultyBackend(new MemoryBackend(model, { unit: "a/0" }), { at: 2, kind: "exit1" });
    expect(b.isLeader()).toBe(true);
    expect(() => b.configGet()).toThrow("config-get failed (exit 1): ERROR connection is shut down");
    expect(b.relationIds("db")).toEqual([]);
    expect(b.injected).toMatchObject({ position: 2, tool: "config-get", kind: "exit1" });
    expect(b.tools).toEqual(["is-leader", "config-get", "relation-ids"]);
  });

  it("garbage only breaks tools whose output is read; secret-get's error never carries its output", () => {
    expect(faultError("relation-set", [], "garbage")).toBeUndefined();
    const e = faultError("secret-get", ["--format=json", "secret:x"], "garbage")!;
    expect(e).toBeInstanceOf(HookToolError);
    expect(e.message).toBe("secret-get output was not valid JSON");
    expect(e.stdout).toBe("");
    expect(faultError("secret-add", [], "timeout", 250)!.message).toBe(
      "secret-add timed out after 250 ms and was killed",
    );
  });
});

describe("the sweeps catch misbehaving charms", () => {
  it("faultSweep: a charm that swallows hook-tool errors is reported", async () => {
    const swallowing = (charm: Charm) => {
      const provider = new DataProvider(charm, "database", PG);
      provider.events.on("requested", ({ request }) => {
        try {
          provider.publishFields(request.relation, {
            endpoints: "10.0.0.1:5432",
            username: "u",
            password: "p-0123456789",
          });
        } catch {
          // "best effort": exactly what the sweep must catch
        }
      });
    };
    const run = await runLifecycle(withProvider(swallowing));
    const result = await faultSweep(run, { kinds: ["exit1"], filter: (h) => h.app === "provider" });
    expect(result.findings.some((f) => f.problem.startsWith("hook succeeded despite the fault"))).toBe(true);
  });

  it("retrySweep: a charm that writes something new on every run is reported", async () => {
    const restless = (charm: Charm) => {
      genericProvider(PG, "database")(charm);
      charm.on("relationChanged", (e) => e.relation.localUnit.set("nonce", randomBytes(4).toString("hex")));
    };
    const run = await runLifecycle(withProvider(restless));
    const result = await retrySweep(run);
    expect(result.findings.some((f) => f.problem.includes("databags changed"))).toBe(true);
  });
});

describe("HygieneChecker", () => {
  it("finds a secret value in a databag, a juju-log line, a status, argv and an error message", () => {
    const model = new JujuModel();
    model.addApplication("p", { endpoints: { db: "provides:x" } });
    model.addApplication("r", { endpoints: { db: "requires:x" } });
    const id = model.addRelation("p:db", "r:db");
    const pw = "pw-leaked-0123456789";
    model.addSecret({ owner: "p", content: { username: "u", password: pw } });
    model.setAppBag(id, "p", { endpoints: "x", uris: `postgresql://u:${pw}@h/db` });
    const b = new MemoryBackend(model, { unit: "p/0" });
    b.jujuLog("INFO", `connecting with ${pw}`);
    b.statusSet("blocked", `bad password ${pw}`, false);
    const checker = new HygieneChecker();
    checker.observe(model.state);
    checker.error(new Error(`failed for ${pw}`));
    const where = checker.violations().map((v) => v.where.split(" ")[0]);
    expect(new Set(where)).toEqual(new Set(["databag", "juju-log", "status", "argv", "error"]));
    // Names, flags and certificates are public: never reported.
    expect(checker.violations().every((v) => v.secret.endsWith("/password"))).toBe(true);
  });
});

describe("secret invariants", () => {
  it("a second secret under the same label is a duplicate and an orphan", async () => {
    const run = await runLifecycle(withProvider(genericProvider(PG, "database")));
    const state = run.sim.model.toJSON();
    const [first] = Object.values(state.secrets);
    state.secrets.zzzzzzzzzzzzzzzzzzzz = { ...structuredClone(first!), xid: "zzzzzzzzzzzzzzzzzzzz" };
    expect(duplicateLabels(state)).toEqual([`provider ${first!.label} ×2`]);
    expect(orphanSecrets(state).map((s) => s.xid)).toEqual(["zzzzzzzzzzzzzzzzzzzz"]);
  });
});

describe("the hostile judge", () => {
  it("reports a charm that crashes on bad data, and one that shrugs it off", async () => {
    const w = await settledWorld(pgLifecycle());
    const bases = async () =>
      providerBases(w.state, { relationId: w.relations[0]!, local: "provider", remote: "requirer" });
    const crashing = (charm: Charm) => {
      charm.on("relationChanged", (e) => {
        JSON.parse(e.relation.remoteAppData()["requested-secrets"] ?? "[]").map((x: string) =>
          x.toUpperCase(),
        );
      });
    };
    const shrugging = (charm: Charm) => void charm;
    const roles = { jsonStringArrays: V0_REQUEST_ROLES.jsonStringArrays! };
    const bad = [
      fc.constant({
        category: "wrong JSON",
        key: "requested-secrets",
        expect: "error" as const,
        note: "x",
        apply: (b: Record<string, string>) => ({ ...b, "requested-secrets": pyDumps({ a: 1 }) }),
      }),
    ];
    const crash = await runHostile(
      { name: "crash", subject: "t", endpoint: "database", setup: crashing, roles, extra: () => bad, bases },
      { runs: 10 },
    );
    expect(crash.stats.byOutcome.crash ?? 0).toBeGreaterThan(0);
    expect(crash.findings.some((f) => f.problem.startsWith("uncaught"))).toBe(true);
    const shrug = await runHostile(
      { name: "shrug", subject: "t", endpoint: "database", setup: shrugging, roles, extra: () => bad, bases },
      { runs: 10 },
    );
    expect(shrug.findings.some((f) => f.problem.startsWith("accepted"))).toBe(true);
  });

  it("the generic requirer refuses an invalid secret URI with a blocked status naming relation and key", async () => {
    const w = await settledWorld(pgLifecycle());
    const bases = async () => [
      {
        state: w.state,
        relationId: w.relations[0]!,
        remoteApp: "provider",
        units: ["requirer/0"],
        label: "fresh",
      },
    ];
    const result = await runHostile(
      {
        name: "uri",
        subject: "t",
        endpoint: "database",
        setup: genericRequirer(PG, "database"),
        roles: { secretUris: ["secret-user"] },
        bases,
      },
      { runs: 20 },
    );
    expect(result.findings).toEqual([]);
    expect(result.stats.byOutcome.blocked).toBeGreaterThan(0);
  });
});
