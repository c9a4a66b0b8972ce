/**
 * Full lifecycles on the Simulation (in-process charms on this package): relate and settle, rotate
 * credentials, switch TLS on, scale both sides out and in (the provider leader included), remove the
 * relation. No failed hook, no orphaned secret, every event where it is documented.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Charm } from "@charm-relations/juju-secrets-core";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  type ConnectIntegration,
  type ConnectIntegrationRemoved,
  ConnectProvider,
  ConnectRequirer,
} from "../src/index.js";
import { charmRunner } from "../src/testing.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----";
const UUID = "0318ba22-7bb6-4c71-a69b-d3ea86536e1c";

interface Log {
  requirer: { unit: string; event: string; integration?: ConnectIntegration; groups?: readonly string[] }[];
  removed: { unit: string; event: ConnectIntegrationRemoved }[];
}

/** A provider whose answer follows the model config: `tls-ca` switches TLS on; `password` is the password. */
function provider(log: Log) {
  return (charm: Charm) => {
    const p = new ConnectProvider(charm, { endpoint: "connect-client" });
    const answer = () => {
      const cfg = charm.model.config();
      const ca = typeof cfg["tls-ca"] === "string" ? (cfg["tls-ca"] as string) : undefined;
      return {
        endpoints: [ca ? "https://10.1.0.10:8083" : "http://10.1.0.10:8083"],
        tls: ca !== undefined,
        ...(ca ? { tlsCa: ca } : {}),
      };
    };
    p.on("integrationRequested", ({ request }) => {
      p.publish(request, {
        ...answer(),
        username: request.username,
        password: String(charm.model.config().password ?? "pw-1"),
      });
    });
    p.on("integrationRemoved", (event) => void log.removed.push({ unit: charm.unit, event }));
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      p.publishAll(answer());
      for (const r of p.answeredRequests())
        p.publish(r, {
          ...answer(),
          username: r.username,
          password: String(charm.model.config().password ?? "pw-1"),
        });
    });
  };
}

function requirer(log: Log) {
  return (charm: Charm) => {
    const r = new ConnectRequirer(charm, { endpoint: "connect-client", pluginUrl: "NOT-REQUIRED" });
    const rec =
      (event: string) =>
      ({ connection, groups }: { connection: ConnectIntegration; groups?: readonly string[] }) =>
        void log.requirer.push({
          unit: charm.unit,
          event,
          integration: connection,
          ...(groups ? { groups } : {}),
        });
    r.on("integrationCreated", rec("integrationCreated"));
    r.on("endpointsChanged", rec("endpointsChanged"));
    r.on("credentialsRotated", rec("credentialsRotated"));
    r.on("gone", () => void log.requirer.push({ unit: charm.unit, event: "gone" }));
    r.on("invalid", ({ error }) => {
      throw error;
    });
  };
}

async function related() {
  const log: Log = { requirer: [], removed: [] };
  const sim = new Simulation({ uuid: UUID });
  const charmDir = mkdtempSync(join(tmpdir(), "connect-lifecycle-"));
  sim.deploy("provider", {
    runner: charmRunner(provider(log)),
    units: 2,
    endpoints: { "connect-client": "provides:connect_client" },
    charmDir,
  });
  sim.deploy("requirer", {
    runner: charmRunner(requirer(log)),
    units: 2,
    endpoints: { "connect-client": "requires:connect_client" },
  });
  expect((await sim.settle()).settled).toBe(true);
  const id = sim.relate("provider:connect-client", "requirer:connect-client");
  const settled = await sim.settle();
  expect(settled).toMatchObject({ settled: true, failed: [] });
  return { sim, id, log };
}

const events = (log: Log, name: string) => log.requirer.filter((e) => e.event === name);
const ownedBy = (sim: Simulation, app: string) =>
  sim.model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === app);

describe("lifecycle on the Simulation", () => {
  it("relate → integrationCreated once per requirer unit; a repeated relation-changed writes nothing anywhere", async () => {
    const { sim, id, log } = await related();
    expect(
      events(log, "integrationCreated")
        .map((e) => e.unit)
        .sort(),
    ).toEqual(["requirer/0", "requirer/1"]);
    expect(log.requirer.filter((e) => e.event !== "integrationCreated")).toEqual([]);
    for (const e of events(log, "integrationCreated")) {
      expect(e.integration).toMatchObject({
        username: `relation-${id}`,
        password: "pw-1",
        tls: false,
        tlsCa: null,
        pluginUrl: null,
      });
    }
    for (const unit of ["provider/0", "provider/1", "requirer/0", "requirer/1"]) {
      const h = await sim.runHook(unit, "relation-changed", { relationId: id });
      expect(h.ok).toBe(true);
      expect(h.databags).toEqual([]);
    }
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });

  it("password rotation and TLS on: credentialsRotated [user] / [tls] and endpointsChanged on every requirer unit", async () => {
    const { sim, log } = await related();
    sim.configure("provider", { password: "pw-2" });
    expect((await sim.settle()).settled).toBe(true);
    const rotated = events(log, "credentialsRotated");
    expect(rotated.map((e) => [e.unit, e.groups, e.integration?.password]).sort()).toEqual([
      ["requirer/0", ["user"], "pw-2"],
      ["requirer/1", ["user"], "pw-2"],
    ]);
    sim.configure("provider", { "tls-ca": PEM });
    expect((await sim.settle()).settled).toBe(true);
    expect(
      events(log, "endpointsChanged")
        .map((e) => e.unit)
        .sort(),
    ).toEqual(["requirer/0", "requirer/1"]);
    const tls = events(log, "credentialsRotated").filter((e) => e.groups?.includes("tls"));
    expect(tls.map((e) => e.unit).sort()).toEqual(["requirer/0", "requirer/1"]);
    for (const e of tls)
      expect(e.integration).toMatchObject({ tls: true, tlsCa: PEM, endpoints: ["https://10.1.0.10:8083"] });
    // Nobody tracks the old revisions any more: Juju told the owner, and the owner pruned them.
    for (const s of ownedBy(sim, "provider"))
      expect(Object.values(s.tracking).every((r) => r === s.latestRevision)).toBe(true);
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });

  it("scale out and in on both sides, the provider leader included: credentials survive, no failed hook", async () => {
    const { sim, id, log } = await related();
    const uris = { ...sim.model.appBag(id, "provider") };
    const added = sim.addUnit("requirer");
    expect((await sim.settle()).settled).toBe(true);
    expect(events(log, "integrationCreated").map((e) => e.unit)).toContain(added);
    sim.addUnit("provider");
    expect((await sim.settle()).settled).toBe(true);
    sim.removeUnit("requirer/0");
    sim.removeUnit("provider/0"); // the leader: its relation-broken must not remove the relation's secrets
    const result = await sim.settle();
    expect(result).toMatchObject({ settled: true, failed: [] });
    expect(sim.model.leaderOf("provider")).toBe("provider/1");
    expect(log.removed.filter((r) => r.unit === "provider/0").map((r) => r.event.unitDeparting)).toEqual([
      true,
    ]);
    const bag = sim.model.appBag(id, "provider");
    expect(bag["secret-user"]).toBe(uris["secret-user"]);
    expect(sim.model.secretContent(bag["secret-user"]!)).toMatchObject({ username: `relation-${id}` });
    const h = await sim.runHook(added, "relation-changed", { relationId: id });
    expect(h.ok).toBe(true);
    expect(h.databags).toEqual([]);
  });

  it("removing the relation: gone on every requirer unit, integrationRemoved on every provider unit, no secret left", async () => {
    const { sim, id, log } = await related();
    expect(ownedBy(sim, "provider")).toHaveLength(2);
    sim.removeRelation(id);
    expect((await sim.settle()).settled).toBe(true);
    expect(
      events(log, "gone")
        .map((e) => e.unit)
        .sort(),
    ).toEqual(["requirer/0", "requirer/1"]);
    expect(log.removed.map((r) => [r.unit, r.event.username, r.event.unitDeparting]).sort()).toEqual([
      ["provider/0", `relation-${id}`, false],
      ["provider/1", `relation-${id}`, false],
    ]);
    expect(ownedBy(sim, "provider")).toEqual([]);
    expect(sim.hooks.every((h) => h.ok)).toBe(true);
  });
});
