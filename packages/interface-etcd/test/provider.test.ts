import type { Charm } from "@charm-relations/juju-secrets-core";
import type { RelationGoneEvent } from "@charm-relations/juju-secrets-core/interface";
import { type HookRunner, JujuModel, runOnce, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { EtcdInputError, EtcdProvider, type EtcdProviderRelationEvent } from "../src/index.js";
import { CREDS_1, CREDS_2, charmRunner, fixture, secretFragments, withoutJujuKeys } from "./helpers.js";

const idle: HookRunner = async () => {};
const URLS = ["https://10.5.0.12:2379", "https://10.5.0.11:2379"];
const CS = "https://10.5.0.11:2379,https://10.5.0.12:2379";

function publishing(
  publish: (p: EtcdProvider, charm: Charm) => void,
  seen: { connected: EtcdProviderRelationEvent[]; disconnected: RelationGoneEvent[] } = {
    connected: [],
    disconnected: [],
  },
) {
  return charmRunner((charm) => {
    const p = new EtcdProvider(charm);
    p.on("connected", (e) => {
      seen.connected.push(e);
      publish(p, charm);
    });
    p.on("gone", (e) => {
      seen.disconnected.push(e);
    });
  });
}

function twoConsumers(provider: HookRunner, etcdUnits = 2) {
  const sim = new Simulation({ lifecycle: false });
  sim.deploy("etcd", { runner: provider, units: etcdUnits, endpoints: { db: "provides:etcd" } });
  for (const app of ["kcp", "calico"]) {
    sim.deploy(app, { runner: idle, units: 1, endpoints: { etcd: "requires:etcd" } });
  }
  const r1 = sim.relate("etcd:db", "kcp:etcd");
  const r2 = sim.relate("etcd:db", "calico:etcd");
  return { sim, r1, r2 };
}

describe("EtcdProvider", () => {
  it("writes the five keys in this unit's bag of every relation, on every unit (no leadership)", async () => {
    const { sim, r1, r2 } = twoConsumers(
      publishing((p) => {
        p.setConnectionString(URLS, "3.4.22");
        p.setClientCredentials(CREDS_1);
      }),
    );
    const result = await sim.settle();
    expect(result.settled).toBe(true);
    for (const rel of [r1, r2]) {
      for (const unit of ["etcd/0", "etcd/1"]) {
        expect(sim.model.unitBag(rel, unit)).toEqual({
          connection_string: CS,
          version: "3.4.22",
          client_ca: CREDS_1.ca,
          client_cert: CREDS_1.cert,
          client_key: CREDS_1.key,
        });
      }
      expect(sim.model.appBag(rel, "etcd")).toEqual({});
    }
    expect(sim.model.isLeader("etcd/1")).toBe(false);
  });

  it("reproduces the fixture's provider bags from the same inputs", async () => {
    const fx = fixture();
    const { members, port, version } = fx.inputs;
    const sim = new Simulation({ lifecycle: false });
    sim.deploy("etcd", {
      runner: publishing((p) => {
        p.setConnectionString(
          members.map((m) => `https://${m}:${port}`),
          version,
        );
        p.setClientCredentials({
          key: fx.provider_unit_databags["etcd/0"]!.client_key!,
          cert: fx.provider_unit_databags["etcd/0"]!.client_cert!,
          ca: fx.provider_unit_databags["etcd/0"]!.client_ca!,
        });
      }),
      units: 3,
      endpoints: { db: "provides:etcd" },
    });
    sim.deploy("kubernetes-control-plane", { runner: idle, units: 1, endpoints: { etcd: "requires:etcd" } });
    const rel = sim.relate("etcd:db", "kubernetes-control-plane:etcd");
    await sim.settle();
    for (const [unit, bag] of Object.entries(fx.provider_unit_databags)) {
      expect(sim.model.unitBag(rel, unit)).toEqual(withoutJujuKeys(bag));
    }
    expect(sim.model.unitBag(rel, "kubernetes-control-plane/0")).toEqual(
      withoutJujuKeys(fx.requirer_unit_databags["kubernetes-control-plane/0"]!),
    );
  });

  it("publishing the same values again writes nothing", async () => {
    const { sim, r1 } = twoConsumers(
      publishing((p) => {
        p.setConnectionString(URLS, "3.4.22");
        p.setClientCredentials(CREDS_1);
      }),
    );
    await sim.settle();
    const record = await sim.runHook("etcd/1", "relation-changed", { relationId: r1, remoteUnit: "kcp/0" });
    expect(record.ok).toBe(true);
    expect(record.databags).toEqual([]);
    expect(record.calls.filter((c) => c.tool === "relation-set")).toEqual([]);
  });

  it("an empty version stores no key (etcd 2.x) and removes a previous one", async () => {
    let version = "3.4.22";
    const { sim, r1 } = twoConsumers(
      publishing((p) => p.setConnectionString(URLS, version)),
      1,
    );
    await sim.settle();
    expect(sim.model.unitBag(r1, "etcd/0").version).toBe("3.4.22");
    version = "";
    await sim.runHook("etcd/0", "relation-changed", { relationId: r1, remoteUnit: "kcp/0" });
    expect(sim.model.unitBag(r1, "etcd/0")).toEqual({ connection_string: CS });
  });

  it("bad input throws a typed error naming the field and writes nothing of that call", async () => {
    const errors: unknown[] = [];
    const { sim, r1 } = twoConsumers(
      publishing((p) => {
        p.setConnectionString(URLS, "3.4.22");
        for (const bad of [
          () => p.setClientCredentials({ ...CREDS_1, key: CREDS_2.key }),
          () => p.setClientCredentials({ ...CREDS_1, ca: "nope" }),
          () => p.setConnectionString(["10.5.0.11:2379"]),
          () => p.setConnectionString(URLS, "3.4\n22"),
        ]) {
          try {
            bad();
          } catch (e) {
            errors.push(e);
          }
        }
      }),
      1,
    );
    expect((await sim.settle()).settled).toBe(true);
    expect(sim.model.unitBag(r1, "etcd/0")).toEqual({ connection_string: CS, version: "3.4.22" });
    const fields = errors.map((e) => (e instanceof EtcdInputError ? e.field : String(e)));
    expect(new Set(fields)).toEqual(new Set(["client_key", "client_ca", "connection_string[0]", "version"]));
    for (const e of errors) for (const f of secretFragments()) expect((e as Error).message).not.toContain(f);
  });

  it("an error left uncaught fails the hook and Juju keeps nothing of it", async () => {
    const model = new JujuModel();
    model.addApplication("etcd", { endpoints: { db: "provides:etcd" } });
    model.addApplication("kcp", { endpoints: { etcd: "requires:etcd" } });
    const rel = model.addRelation("etcd:db", "kcp:etcd", { members: "all" });
    const run = publishing((p) => {
      p.setConnectionString(URLS);
      p.setClientCredentials({ ...CREDS_1, cert: CREDS_2.cert });
    });
    const out = await runOnce(
      run,
      model,
      { unit: "etcd/0", kind: "relation-changed", relationId: rel, remoteUnit: "kcp/0" },
      {
        rethrow: false,
      },
    );
    expect(out.ok).toBe(false);
    expect(out.error).toBeInstanceOf(EtcdInputError);
    expect(out.model.unitBag(rel, "etcd/0")).toEqual({});
  });

  it("clearClientCredentials and clear remove keys from every relation", async () => {
    let mode: "all" | "no-tls" | "none" = "all";
    const { sim, r1, r2 } = twoConsumers(
      publishing((p) => {
        if (mode === "none") return p.clear();
        p.setConnectionString(URLS, "3.4.22");
        if (mode === "all") p.setClientCredentials(CREDS_1);
        else p.clearClientCredentials();
      }),
      1,
    );
    await sim.settle();
    mode = "no-tls";
    await sim.runHook("etcd/0", "relation-changed", { relationId: r1, remoteUnit: "kcp/0" });
    for (const rel of [r1, r2])
      expect(sim.model.unitBag(rel, "etcd/0")).toEqual({ connection_string: CS, version: "3.4.22" });
    mode = "none";
    await sim.runHook("etcd/0", "relation-changed", { relationId: r2, remoteUnit: "calico/0" });
    for (const rel of [r1, r2]) expect(sim.model.unitBag(rel, "etcd/0")).toEqual({});
  });

  it("a relation created later gets the published data at once, copied from a sibling relation", async () => {
    // The charm publishes only on config-changed; the new relation must not wait for the next one.
    const run = charmRunner((charm) => {
      const p = new EtcdProvider(charm);
      charm.on("configChanged", () => {
        p.setConnectionString(URLS, "3.4.22");
        p.setClientCredentials(CREDS_1);
      });
    });
    const sim = new Simulation({ lifecycle: false });
    sim.deploy("etcd", { runner: run, units: 1, endpoints: { db: "provides:etcd" } });
    sim.deploy("kcp", { runner: idle, endpoints: { etcd: "requires:etcd" } });
    sim.deploy("calico", { runner: idle, endpoints: { etcd: "requires:etcd" } });
    const r1 = sim.relate("etcd:db", "kcp:etcd");
    await sim.settle();
    await sim.runHook("etcd/0", "config-changed");
    const r2 = sim.relate("etcd:db", "calico:etcd");
    await sim.settle();
    const created = sim.hooks.find(
      (h) => h.unit === "etcd/0" && h.kind === "relation-created" && h.context.relation?.id === r2,
    );
    expect(created?.databags.map((d) => d.relationId)).toEqual([r2]);
    expect(sim.model.unitBag(r2, "etcd/0")).toEqual(sim.model.unitBag(r1, "etcd/0"));
    expect(sim.model.unitBag(r2, "etcd/0").client_key).toBe(CREDS_1.key);
  });

  it("fires connected on joined and changed, gone on broken, and writes nothing to a broken relation", async () => {
    const seen = {
      connected: [] as EtcdProviderRelationEvent[],
      disconnected: [] as RelationGoneEvent[],
    };
    const { sim, r1, r2 } = twoConsumers(
      publishing((p) => p.setConnectionString(URLS), seen),
      1,
    );
    await sim.settle();
    expect(seen.connected.map((e) => `${e.relation.id}:${e.remoteUnit}`).sort()).toEqual(
      [`${r1}:kcp/0`, `${r1}:kcp/0`, `${r2}:calico/0`, `${r2}:calico/0`].sort(),
    );
    sim.removeRelation(r1);
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    expect(seen.disconnected).toEqual([
      { relation: { endpoint: "db", id: r1 }, remoteApp: "kcp", departing: false },
    ]);
    expect(sim.model.unitBag(r2, "etcd/0")).toEqual({ connection_string: CS });
  });
});
