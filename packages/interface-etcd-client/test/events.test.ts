/** Smaller event paths: statuses, version changes, withdrawn v1 requests, the provider's readers. */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { computeRequestId } from "@charm-relations/juju-secrets-core/protocol";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { EtcdClientProvider } from "../src/index.js";
import { CA_CERT, CLIENT1_CERT, CLIENT2_CERT } from "./fixtures/certs.js";
import {
  ENDPOINT,
  etcdProvider,
  etcdRequirer,
  eventsOf,
  inProcess,
  type LoggedEvent,
  relatedModel,
  runHook,
} from "./harness.js";

describe("requirer events", () => {
  it("statusRaised / statusResolved and versionChanged reach every unit", async () => {
    const sim = new Simulation();
    const log: LoggedEvent[] = [];
    sim.deploy("provider", {
      runner: inProcess(etcdProvider(log)),
      units: 1,
      endpoints: { [ENDPOINT]: "provides:etcd_client" },
    });
    sim.deploy("requirer", {
      runner: inProcess(etcdRequirer(log, { contract: "v0" })),
      units: 2,
      endpoints: { [ENDPOINT]: "requires:etcd_client" },
      config: { "mtls-cert": CLIENT1_CERT },
    });
    const rel = sim.relate("requirer", "provider");
    expect((await sim.settle()).failed).toEqual([]);
    // The provider raises a status on the relation, then resolves it.
    const raise = inProcess((charm: Charm) => {
      const p = new EtcdClientProvider(charm);
      charm.on("updateStatus", () =>
        p.raiseStatus(
          { endpoint: ENDPOINT, id: rel },
          { code: 4001, message: "rotating", resolution: "wait" },
        ),
      );
    });
    await sim.runHook("provider/0", "update-status", { runner: raise });
    expect((await sim.settle()).failed).toEqual([]);
    expect(eventsOf(log, "statusRaised").map((e) => [e.unit, e.payload.status.code])).toEqual([
      ["requirer/0", 4001],
      ["requirer/1", 4001],
    ]);
    const resolve = inProcess((charm: Charm) => {
      const p = new EtcdClientProvider(charm);
      charm.on("updateStatus", () => p.resolveStatus({ endpoint: ENDPOINT, id: rel }, 4001));
    });
    await sim.runHook("provider/0", "update-status", { runner: resolve });
    expect((await sim.settle()).failed).toEqual([]);
    expect(
      eventsOf(log, "statusResolved")
        .map((e) => e.unit)
        .sort(),
    ).toEqual(["requirer/0", "requirer/1"]);
    // An etcd upgrade: the version changes.
    sim.configure("provider", { version: "3.6.6", endpoints: "10.1.0.10:2379" });
    expect((await sim.settle()).failed).toEqual([]);
    expect(eventsOf(log, "versionChanged").map((e) => e.payload.version)).toEqual(["3.6.6", "3.6.6"]);
    expect(eventsOf(log, "endpointsChanged")).toEqual([]);
  });
});

describe("provider readers and withdrawn requests", () => {
  it("clients() lists every client with its certificate or its problem; servedClients() the answered ones", async () => {
    const { model, relationId } = relatedModel({ providerUnits: 2 });
    const good = model.addSecret({
      owner: "requirer",
      content: { "mtls-cert": CLIENT1_CERT },
      grants: [{ relationId }],
    });
    const bad = model.addSecret({
      owner: "requirer",
      content: { "mtls-cert": CA_CERT },
      grants: [{ relationId }],
    });
    const req = (resource: string, salt: string, mtls: string) => ({
      resource,
      "request-id": computeRequestId(resource, salt),
      salt,
      "secret-mtls": mtls,
    });
    model.setAppBag(relationId, "requirer", {
      version: "v1",
      requests: JSON.stringify([req("/a/", "saltsaltsaltsalt", good), req("/b/", "SALTSALTSALTSALT", bad)]),
    });
    const log: LoggedEvent[] = [];
    await runHook(model, inProcess(etcdProvider(log)), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    let seen: unknown;
    const reader = inProcess((charm: Charm) => {
      const p = new EtcdClientProvider(charm);
      charm.on("updateStatus", () => {
        seen = {
          clients: p
            .clients()
            .map((c) => ({ prefix: c.prefix, cn: c.certificate?.commonName, error: c.error?.reason })),
          trusted: p.trustedCertificates().map((c) => c.commonName),
          served: charm.model.isLeader()
            ? p.servedClients().map((c) => [c.prefix, c.username])
            : "not leader",
        };
      });
    });
    await runHook(model, reader, { unit: "provider/1", kind: "update-status" });
    expect(seen).toEqual({
      clients: [
        { prefix: "/a/", cn: "client1.requirer-charm", error: undefined },
        { prefix: "/b/", cn: undefined, error: "ca-certificate" },
      ],
      trusted: ["client1.requirer-charm"],
      served: "not leader",
    });
    await runHook(model, reader, { unit: "provider/0", kind: "update-status" });
    expect((seen as { served: unknown }).served).toEqual([["/a/", "client1.requirer-charm"]]);

    // The requirer withdraws /a/: its user is reported for deletion, its secrets are gone.
    const responses = JSON.parse(model.appBag(relationId, "provider").requests!) as Record<string, string>[];
    const userUri = responses.find((r) => r.resource === "/a/")!["secret-user"]!;
    model.setAppBag(relationId, "requirer", {
      version: "v1",
      requests: JSON.stringify([req("/b/", "SALTSALTSALTSALT", bad)]),
    });
    const out = await runHook(model, inProcess(etcdProvider(log)), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(out.ok).toBe(true);
    expect(eventsOf(log, "clientRemoved").map((e) => e.payload)).toEqual([
      {
        relation: { endpoint: ENDPOINT, id: relationId },
        remoteApp: "requirer",
        requestId: computeRequestId("/a/", "saltsaltsaltsalt"),
        prefix: "/a/",
        commonName: "client1.requirer-charm",
        reason: "request-removed",
      },
    ]);
    expect(model.secret(userUri)).toBeUndefined();
    expect(JSON.parse(model.appBag(relationId, "provider").requests!)).toEqual([]);
  });

  it("a second client with a new certificate on the same relation (v1) is its own request", async () => {
    const { model, relationId } = relatedModel();
    const c1 = model.addSecret({
      owner: "requirer",
      content: { "mtls-cert": CLIENT1_CERT },
      grants: [{ relationId }],
    });
    const c2 = model.addSecret({
      owner: "requirer",
      content: { "mtls-cert": CLIENT2_CERT },
      grants: [{ relationId }],
    });
    const req = (resource: string, salt: string, mtls: string) => ({
      resource,
      "request-id": computeRequestId(resource, salt),
      salt,
      "secret-mtls": mtls,
    });
    model.setAppBag(relationId, "requirer", {
      version: "v1",
      requests: JSON.stringify([req("/one/", "aaaaaaaaaaaaaaaa", c1), req("/two/", "bbbbbbbbbbbbbbbb", c2)]),
    });
    const log: LoggedEvent[] = [];
    await runHook(model, inProcess(etcdProvider(log)), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(eventsOf(log, "clientRequested").map((e) => [e.payload.prefix, e.payload.commonName])).toEqual([
      ["/one/", "client1.requirer-charm"],
      ["/two/", "client2.requirer-charm"],
    ]);
    const responses = JSON.parse(model.appBag(relationId, "provider").requests!) as Record<string, string>[];
    expect(responses.map((r) => model.secretContent(r["secret-user"]!)!.username)).toEqual([
      "client1.requirer-charm",
      "client2.requirer-charm",
    ]);
  });
});
