/**
 * Core engine fixes and additions made for interface-etcd-client:
 * - the requirer writes its request once even when leader-elected already did (no second salt, no
 *   orphaned or clashing mTLS secret); `setMtlsCert` before the request is written writes nothing;
 * - the provider's engine `version` is a field for the requirer's `changed` event (v0 and v1);
 * - `retainSecretsOnBroken` for requirers (a departing leader keeps the relation's mTLS secret);
 * - cross-model `mtls-cert` (protocol §7): plain PEM until the provider's `encryption-secret`, then a
 *   Fernet token with a copy of the URI (re-sent by the leader); the provider accepts both and does
 *   not report the same certificate twice.
 */
import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import { Charm } from "../src/hook/charm.js";
import { fernetDecrypt } from "../src/protocol/fernet.js";
import { type HookRunner, Simulation } from "../src/testing/index.js";

const DEF = defineInterface({
  name: "etcd_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "prefix",
  ready: { default: ["username", "uris", "endpoints", "tls-ca", "version"] },
  mtls: true,
  crossModelEncryption: true,
});
const PEM1 = "-----BEGIN CERTIFICATE-----\nQ0VSVDE=\n-----END CERTIFICATE-----\n";
const PEM2 = "-----BEGIN CERTIFICATE-----\nQ0VSVDI=\n-----END CERTIFICATE-----\n";
const OTHER_MODEL = "5b0b8f2e-1d1c-4c3e-9d55-0e6c2a7e9f10";

type Log = { unit: string; event: string; payload: unknown }[];

function requirerRunner(log: Log, contract: "v0" | "v1", options: { retain?: boolean } = {}): HookRunner {
  return async (backend, context) => {
    const charm = new Charm({ backend, context });
    const cert = charm.model.config().cert as string | undefined;
    const r = new DataRequirer(charm, "etcd-client", DEF, {
      contract,
      requests: [{ resource: "/app/", ...(cert ? { mtlsCert: cert } : {}) }],
      ...(options.retain ? { retainSecretsOnBroken: () => true } : {}),
    });
    for (const event of ["created", "changed", "credentialsRotated", "gone"] as const) {
      r.events.on(event, (payload) => {
        log.push({ unit: charm.unit, event, payload });
      });
    }
    charm.on("configChanged", () => {
      if (charm.model.isLeader() && cert) r.setMtlsCert(cert);
    });
    await charm.dispatch();
  };
}

function providerRunner(log: Log): HookRunner {
  return async (backend, context) => {
    const charm = new Charm({ backend, context });
    const p = new DataProvider(charm, "etcd-client", DEF);
    for (const event of ["requested", "mtlsCertUpdated"] as const) {
      p.events.on(event, (payload) => {
        log.push({ unit: charm.unit, event, payload });
      });
    }
    const answer = (relation: { endpoint: string; id: number }, requestId?: string) =>
      p.publishFields(
        { relation: relation, ...(requestId ? { requestId } : {}) },
        {
          endpoints: "10.0.0.1:2379",
          version: String(charm.model.config().version ?? "3.6.5"),
          username: "client",
          uris: "https://10.0.0.1:2379",
          "tls-ca": PEM1,
        },
      );
    p.events.on("requested", (e) => answer(e.request.relation, e.request.requestId));
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) for (const r of p.requests()) answer(r.relation, r.requestId);
    });
    await charm.dispatch();
  };
}

function pair(contract: "v0" | "v1", options: { crossModel?: boolean; retain?: boolean } = {}) {
  const sim = new Simulation();
  const log: Log = [];
  sim.deploy("provider", {
    runner: providerRunner(log),
    units: 1,
    endpoints: { "etcd-client": "provides:etcd_client" },
  });
  sim.deploy("requirer", {
    runner: requirerRunner(log, contract, options),
    units: 2,
    endpoints: { "etcd-client": "requires:etcd_client" },
    config: { cert: PEM1 },
    ...(options.crossModel ? { modelUuid: OTHER_MODEL } : {}),
  });
  return { sim, log };
}

const of = (log: Log, event: string) => log.filter((e) => e.event === event);

describe("requirer writes its request once", () => {
  it.each(["v0", "v1"] as const)(
    "%s: relation-created after leader-elected wrote it changes nothing",
    async (contract) => {
      const { sim } = pair(contract);
      // Related before the first settle: leader-elected on requirer/0 already sees the relation.
      sim.relate("requirer", "provider");
      const r = await sim.settle();
      expect(r.failed).toEqual([]);
      const writes = sim.hooks.filter(
        (h) => h.unit === "requirer/0" && h.databags.some((d) => d.bag === "app"),
      );
      expect(writes.map((h) => h.kind)).toEqual(["leader-elected"]);
      expect(
        sim.model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "requirer"),
      ).toHaveLength(1);
    },
  );

  it("setMtlsCert before the request exists writes nothing (the request will carry the certificate)", async () => {
    const sim = new Simulation({ lifecycle: false });
    const log: Log = [];
    sim.deploy("provider", {
      runner: providerRunner(log),
      units: 1,
      endpoints: { "etcd-client": "provides:etcd_client" },
    });
    sim.deploy("requirer", {
      runner: requirerRunner(log, "v1"),
      units: 1,
      endpoints: { "etcd-client": "requires:etcd_client" },
      config: { cert: PEM1 },
    });
    const rel = sim.model.addRelation("requirer:etcd-client", "provider:etcd-client");
    const h = await sim.runHook("requirer/0", "config-changed");
    expect(h.ok).toBe(true);
    expect(h.databags).toEqual([]);
    expect(h.secrets?.created ?? []).toEqual([]);
    const created = await sim.runHook("requirer/0", "relation-created", { relationId: rel });
    expect(created.ok).toBe(true);
    expect(JSON.parse(sim.model.appBag(rel, "requirer").requests!)).toHaveLength(1);
  });
});

describe("requirer events", () => {
  it.each(["v0", "v1"] as const)("%s: a new engine version is a changed key", async (contract) => {
    const { sim, log } = pair(contract);
    await sim.settle();
    sim.relate("requirer", "provider");
    expect((await sim.settle()).failed).toEqual([]);
    expect(of(log, "created")).toHaveLength(2);
    sim.configure("provider", { version: "3.6.6" });
    expect((await sim.settle()).failed).toEqual([]);
    const changed = of(log, "changed") as { payload: { keys: string[] } }[];
    expect(changed.map((e) => e.payload.keys)).toEqual([["version"], ["version"]]);
  });

  it("retainSecretsOnBroken keeps the requirer-owned mTLS secret", async () => {
    const { sim, log } = pair("v1", { retain: true });
    const rel = sim.relate("requirer", "provider");
    await sim.settle();
    sim.removeRelation(rel);
    expect((await sim.settle()).failed).toEqual([]);
    expect(of(log, "gone")).toHaveLength(2);
    expect(sim.model.secrets().map((s) => (s.owner.kind === "application" ? s.owner.app : ""))).toEqual([
      "requirer",
    ]);
  });
});

describe("cross-model mtls-cert (protocol §7)", () => {
  it("v0: plain PEM first, then a Fernet token with a copy of encryption-secret; no secret-mtls", async () => {
    const { sim, log } = pair("v0", { crossModel: true });
    await sim.settle();
    const rel = sim.relate("requirer", "provider");
    // Step by step: the requirer's first write, before the provider's key exists.
    await sim.runHook("requirer/0", "relation-created", { relationId: rel });
    const first = sim.model.appBag(rel, "requirer");
    expect(first["mtls-cert"]).toBe(PEM1);
    expect(first).not.toHaveProperty("secret-mtls");
    expect(first).not.toHaveProperty("provided-secrets");
    expect(first).not.toHaveProperty("encryption-secret");
    expect((await sim.settle()).failed).toEqual([]);
    const app = sim.model.appBag(rel, "requirer");
    const provider = sim.model.appBag(rel, "provider");
    expect(app["encryption-secret"]).toBe(provider["encryption-secret"]);
    const key = sim.model.secretContent(provider["encryption-secret"]!)!["encryption-key"]!;
    expect(fernetDecrypt(key, app["mtls-cert"]!)).toBe(PEM1);
    // The provider saw the certificate once (plain), not again when it came back encrypted.
    expect(
      (of(log, "mtlsCertUpdated") as { payload: { cert: string } }[]).map((e) => e.payload.cert),
    ).toEqual([PEM1]);
    expect(of(log, "created")).toHaveLength(2);
    // Settled means settled: another relation-changed on the leader does not re-encrypt.
    const again = await sim.runHook("requirer/0", "relation-changed", { relationId: rel });
    expect(again.databags).toEqual([]);
    // A new certificate: a new token, and the provider hears old and new.
    sim.configure("requirer", { cert: PEM2 });
    expect((await sim.settle()).failed).toEqual([]);
    expect(fernetDecrypt(key, sim.model.appBag(rel, "requirer")["mtls-cert"]!)).toBe(PEM2);
    expect(of(log, "mtlsCertUpdated").at(-1)!.payload).toMatchObject({ oldCert: PEM1, cert: PEM2 });
    expect(
      sim.model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "requirer"),
    ).toEqual([]);
  });

  it("v1: the request carries the token, secret-mtls is null, encryption-secret is top level", async () => {
    const { sim, log } = pair("v1", { crossModel: true });
    const rel = sim.relate("requirer", "provider");
    expect((await sim.settle()).failed).toEqual([]);
    const app = sim.model.appBag(rel, "requirer");
    const [request] = JSON.parse(app.requests!) as Record<string, unknown>[];
    expect(request!["secret-mtls"]).toBeNull();
    const key = sim.model.secretContent(sim.model.appBag(rel, "provider")["encryption-secret"]!)![
      "encryption-key"
    ]!;
    expect(fernetDecrypt(key, request!["mtls-cert"] as string)).toBe(PEM1);
    expect(app["encryption-secret"]).toBe(sim.model.appBag(rel, "provider")["encryption-secret"]);
    expect(
      (of(log, "mtlsCertUpdated") as { payload: { cert: string } }[]).map((e) => e.payload.cert),
    ).toEqual([PEM1]);
    expect(of(log, "created")).toHaveLength(2);
  });
});
