/**
 * The example Valkey client in-process on the Simulation, against a small provider charm built on
 * `ValkeyProvider`: two default key patterns, the rendered 0600 file, status transitions, a live
 * change of `resources`, rotation, and the v0 contract.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValkeyProvider } from "@charm-relations/interface-valkey-client";
import { valkeyRequirerConformance } from "@charm-relations/interface-valkey-client/testing";
import { Charm } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { CONNECTION_FILE, setup } from "../src/charm.js";

const inProcess =
  (build: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    build(charm);
    await charm.dispatch();
  };

/** Answers every request; `rotate` action gives every user a new password. */
function provider(users: Map<string, string>) {
  return (charm: Charm) => {
    const p = new ValkeyProvider(charm, { endpoint: "valkey-client" });
    p.on("resourceRequested", ({ request }) => {
      const password = randomBytes(8).toString("hex");
      users.set(request.username, password);
      p.publish(request, {
        username: request.username,
        password,
        endpoints: ["10.1.0.10:6379"],
        sentinelEndpoints: ["10.1.0.10:26379"],
        mode: "sentinel",
        version: "9.0.1",
        tls: false,
      });
    });
    p.on("requestRemoved", ({ request }) => {
      users.delete(request.username);
    });
    charm.on(
      "action",
      () => {
        for (const r of p.answeredRequests()) {
          const password = randomBytes(8).toString("hex");
          users.set(r.username, password);
          p.publish(r, { password });
        }
      },
      { action: "rotate" },
    );
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function world(config: Record<string, unknown> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "valkey-requirer-test-"));
  dirs.push(dataDir);
  const sim = new Simulation();
  const users = new Map<string, string>();
  sim.deploy("valkey", {
    runner: inProcess(provider(users)),
    units: 1,
    endpoints: { "valkey-client": "provides:valkey_client" },
  });
  sim.deploy("myapp", {
    runner: inProcess(setup),
    units: 2,
    endpoints: { "valkey-client": "requires:valkey_client" },
    config: { "data-dir": dataDir, ...config },
  });
  const file = () =>
    (
      JSON.parse(readFileSync(join(dataDir, CONNECTION_FILE), "utf8")) as {
        connections: { resource: string; username: string; password: string; endpoints: string[] }[];
      }
    ).connections;
  return { sim, users, file, dataDir };
}

async function settle(sim: Simulation): Promise<void> {
  const r = await sim.settle();
  expect(r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error)}`)).toEqual([]);
  expect(r.settled).toBe(true);
}

describe("example valkey-requirer", () => {
  it("asks for <app>:* and cache:*, renders both users in a 0600 file, and reports status", async () => {
    const { sim, users, file, dataDir } = world();
    await settle(sim);
    expect(sim.model.unitStatus("myapp/0")).toEqual({
      status: "blocked",
      message: "needs a valkey-client relation",
    });
    const id = sim.relate("valkey", "myapp");
    await settle(sim);
    const requests = JSON.parse(sim.model.appBag(id, "myapp").requests!) as { resource: string }[];
    expect(requests.map((r) => r.resource)).toEqual(["myapp:*", "cache:*"]);
    const conns = file();
    expect(conns.map((c) => c.resource)).toEqual(["myapp:*", "cache:*"]);
    for (const c of conns) expect(users.get(c.username)).toBe(c.password);
    expect(statSync(join(dataDir, CONNECTION_FILE)).mode & 0o777).toBe(0o600);
    expect(sim.model.unitStatus("myapp/1")).toEqual({
      status: "active",
      message: "ready: 2 Valkey users (v1)",
    });
    // Before the provider answered, the units were waiting.
    const history = sim.model.unit("myapp/0").statusHistory.map((s) => s.status);
    expect(history).toContain("waiting");
    // Logs name users, never passwords.
    const logs = JSON.stringify(sim.model.logs());
    for (const c of conns) expect(logs).not.toContain(c.password);
  });

  it("follows a live change of resources and a password rotation", async () => {
    const { sim, users, file } = world();
    sim.relate("valkey", "myapp");
    await settle(sim);
    sim.configure("myapp", { resources: "myapp:*,events:*,jobs:*" });
    await settle(sim);
    expect(file().map((c) => c.resource)).toEqual(["myapp:*", "events:*", "jobs:*"]);
    expect(users.size).toBe(3);
    sim.configure("myapp", { resources: "jobs:*" });
    await settle(sim);
    expect(file().map((c) => c.resource)).toEqual(["jobs:*"]);
    expect([...users.keys()]).toEqual([file()[0]!.username]);
    const before = file()[0]!.password;
    expect((await sim.runHook("valkey/0", "action", { actionName: "rotate" })).ok).toBe(true);
    await settle(sim);
    expect(file()[0]!.password).not.toBe(before);
    expect(file()[0]!.password).toBe(users.get(file()[0]!.username));
  });

  it("speaks v0 with its first pattern when asked to", async () => {
    const { sim, file } = world({ contract: "v0", resources: "legacy:*,ignored:*" });
    const id = sim.relate("valkey", "myapp");
    await settle(sim);
    const bag = sim.model.appBag(id, "myapp");
    expect(bag.database).toBe("legacy:*");
    expect(bag.requests).toBeUndefined();
    expect(file().map((c) => [c.resource, c.username])).toEqual([["legacy:*", `relation-${id}`]]);
    expect(sim.model.unitStatus("myapp/0")).toEqual({
      status: "active",
      message: "ready: 1 Valkey user (v0)",
    });
  });
});

describe("example valkey-requirer: valkey_client conformance", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "valkey-requirer-conformance-"));
  dirs.push(dataDir);
  for (const c of valkeyRequirerConformance(setup, { config: { "data-dir": dataDir } }))
    it(`v1: ${c.name}`, c.run);
  for (const c of valkeyRequirerConformance(setup, { config: { "data-dir": dataDir, contract: "v0" } })) {
    it(`v0: ${c.name}`, c.run);
  }
});
