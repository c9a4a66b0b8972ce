/**
 * The example Valkey charm in-process on the Simulation, against a small client charm built on
 * `ValkeyRequirer`: ACL users per request, TLS and config handling, the departing-leader rule, the
 * rotate action, and cleanup on relation removal.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ValkeyConnection, ValkeyRequirer } from "@charm-relations/interface-valkey-client";
import { valkeyProviderConformance } from "@charm-relations/interface-valkey-client/testing";
import { Charm } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { ACL_FILE, setup } from "../src/charm.js";

const inProcess =
  (build: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    build(charm);
    await charm.dispatch();
  };

/** A client asking for `a:*` and `b:*`; keeps the latest connection per unit and pattern. */
function client(seen: Map<string, ValkeyConnection>) {
  return (charm: Charm) => {
    const r = new ValkeyRequirer(charm, { endpoint: "valkey-client", resources: ["a:*", "b:*"] });
    const keep = ({ connection }: { connection: ValkeyConnection }) => {
      seen.set(`${charm.unit} ${connection.resource}`, connection);
    };
    r.on("resourceCreated", keep);
    r.on("credentialsRotated", keep);
    r.on("endpointsChanged", keep);
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function world() {
  const dataDir = mkdtempSync(join(tmpdir(), "valkey-provider-test-"));
  dirs.push(dataDir);
  const sim = new Simulation();
  const seen = new Map<string, ValkeyConnection>();
  sim.deploy("valkey", {
    runner: inProcess(setup),
    units: 2,
    endpoints: { "valkey-client": "provides:valkey_client" },
    config: { "data-dir": dataDir, "sentinel-endpoints": "10.0.0.1:26379,10.0.0.2:26379" },
  });
  sim.deploy("client", {
    runner: inProcess(client(seen)),
    units: 1,
    endpoints: { "valkey-client": "requires:valkey_client" },
  });
  const acl = () => readFileSync(join(dataDir, ACL_FILE), "utf8");
  return { sim, seen, acl, dataDir };
}

async function settle(sim: Simulation): Promise<void> {
  const r = await sim.settle();
  expect(r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`)).toEqual([]);
  expect(r.settled).toBe(true);
}

const rule = (c: ValkeyConnection) =>
  `user ${c.username} on #${createHash("sha256").update(c.password).digest("hex")} -@all +@read +@write +@keyspace +@pubsub +@transaction +info ~${c.resource} &${c.resource}`;

describe("example valkey-provider", () => {
  it("creates one ACL user per request and publishes what clients need", async () => {
    const { sim, seen, acl, dataDir } = world();
    const id = sim.relate("valkey", "client");
    await settle(sim);
    const a = seen.get("client/0 a:*")!;
    const b = seen.get("client/0 b:*")!;
    expect(a.username).toMatch(new RegExp(`^relation-${id}-[0-9a-f]{16}$`));
    expect(a.endpoints).toEqual(["localhost:6379"]);
    expect(a.sentinelEndpoints).toEqual(["10.0.0.1:26379", "10.0.0.2:26379"]);
    expect([a.mode, a.version, a.tls]).toEqual(["sentinel", "9.0.1", false]);
    expect(acl().split("\n")).toEqual(["user default off", ...[rule(a), rule(b)].sort(), ""]);
    expect(statSync(join(dataDir, ACL_FILE)).mode & 0o777).toBe(0o600);
    expect(sim.model.unitStatus("valkey/0")).toEqual({ status: "active", message: "serving valkey clients" });
    expect(sim.model.unitStatus("valkey/1")).toEqual({ status: "active", message: "" });
  });

  it("a relation's hooks rewrite only its own ACL users; the other relations' rules stay", async () => {
    const { sim, seen, acl } = world();
    sim.deploy("other", {
      runner: inProcess(client(seen)),
      units: 1,
      endpoints: { "valkey-client": "requires:valkey_client" },
    });
    const one = sim.relate("valkey", "client");
    await settle(sim);
    const two = sim.relate("valkey", "other");
    await settle(sim);
    const users = (app: string) => [seen.get(`${app}/0 a:*`)!, seen.get(`${app}/0 b:*`)!];
    const all = [...users("client"), ...users("other")].map(rule).sort();
    expect(acl().split("\n")).toEqual(["user default off", ...all, ""]);
    // Answering the second relation listed no other relation.
    const answered = sim.hooks.filter(
      (h) => h.unit === "valkey/0" && h.kind === "relation-changed" && h.context.relation?.id === two,
    );
    expect(answered.length).toBeGreaterThan(0);
    for (const h of answered) expect(h.calls.filter((c) => c.tool === "relation-ids")).toEqual([]);

    sim.removeRelation(one);
    await settle(sim);
    expect(acl().split("\n")).toEqual(["user default off", ...users("other").map(rule).sort(), ""]);
  });

  it("switches TLS on with its CA and port, and refuses an invalid endpoint with a blocked status", async () => {
    const { sim, seen } = world();
    sim.relate("valkey", "client");
    await settle(sim);
    sim.configure("valkey", {
      tls: true,
      "tls-ca": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----",
    });
    await settle(sim);
    const a = seen.get("client/0 a:*")!;
    expect([a.tls, a.tlsCa?.startsWith("-----BEGIN"), a.endpoints]).toEqual([true, true, ["localhost:6380"]]);
    sim.configure("valkey", { endpoints: "https://primary:6379" });
    await settle(sim);
    expect(sim.model.unitStatus("valkey/0").status).toBe("blocked");
    expect(sim.model.unitStatus("valkey/0").message).toContain("endpoints[0]");
    expect(seen.get("client/0 a:*")!.endpoints).toEqual(["localhost:6380"]);
  });

  it("keeps serving when the leader unit is removed; the new leader rotates passwords", async () => {
    const { sim, seen, acl } = world();
    const id = sim.relate("valkey", "client");
    await settle(sim);
    const before = sim.model.secrets().length;
    sim.removeUnit("valkey/0");
    await settle(sim);
    expect(sim.model.leaderOf("valkey")).toBe("valkey/1");
    expect(sim.model.secrets()).toHaveLength(before);
    const old = seen.get("client/0 a:*")!.password;
    expect((await sim.runHook("valkey/1", "action", { actionName: "rotate-passwords" })).ok).toBe(true);
    await settle(sim);
    const a = seen.get("client/0 a:*")!;
    expect(a.password).not.toBe(old);
    expect(acl()).toContain(rule(a));

    sim.removeRelation(id);
    await settle(sim);
    expect(acl()).toBe("user default off\n");
    expect(sim.model.secrets()).toEqual([]);
  });
});

describe("example valkey-provider: valkey_client conformance", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "valkey-provider-conformance-"));
  dirs.push(dataDir);
  for (const c of valkeyProviderConformance(setup, { config: { "data-dir": dataDir } })) it(c.name, c.run);
});
