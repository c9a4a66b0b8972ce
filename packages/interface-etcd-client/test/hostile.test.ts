/**
 * Hostile and broken input: a CA or garbage as client certificate, malformed databags on either side,
 * bad responses from the charm. Always a typed error naming the field (or a blocked status naming
 * relation and key), never a crash, never a partial write.
 */
import { type Charm, PrematureWriteError, RemoteDataError } from "@charm-relations/juju-secrets-core";
import { computeRequestId } from "@charm-relations/juju-secrets-core/protocol";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  CaCertificateError,
  EtcdClientProvider,
  EtcdClientRequirer,
  EtcdResponseError,
  MalformedCertificateError,
} from "../src/index.js";
import { CA_CERT, CLIENT1_CERT } from "./fixtures/certs.js";
import {
  ENDPOINT,
  etcdProvider,
  etcdRequirer,
  eventsOf,
  inProcess,
  type LoggedEvent,
  relatedModel,
  runHook,
  SERVER_CA,
} from "./harness.js";

const GARBAGE_PEM = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

/** A v0 requirer bag as Python writes it, with its mtls secret holding `cert`. */
function requirerWithCert(cert: string, extra: Record<string, string> = {}) {
  const { model, relationId } = relatedModel({ providerUnits: 2 });
  const mtls = model.addSecret({
    owner: "requirer",
    content: { "mtls-cert": cert },
    label: `etcd-client.${relationId}.mtls.secret`,
    grants: [{ relationId }],
  });
  model.setAppBag(relationId, "requirer", {
    prefix: "/app/",
    "requested-secrets":
      '["username", "password", "tls", "tls-ca", "uris", "read-only-uris", "entity-name", "entity-password"]',
    "provided-secrets": '["mtls-cert"]',
    "secret-mtls": mtls,
    ...extra,
  });
  return { model, relationId, mtls };
}

describe("provider: bad client certificates", () => {
  it.each([
    ["a CA certificate", CA_CERT, CaCertificateError, "ca-certificate"],
    ["garbage PEM", GARBAGE_PEM, MalformedCertificateError, "malformed"],
  ] as const)(
    "%s → clientCertificateRejected with a typed error, nothing published",
    async (_, cert, type, reason) => {
      const { model, relationId } = requirerWithCert(cert);
      const log: LoggedEvent[] = [];
      const provider = inProcess(etcdProvider(log));
      const out = await runHook(model, provider, {
        unit: "provider/0",
        kind: "relation-changed",
        relationId,
      });
      expect(out.ok).toBe(true);
      const rejected = eventsOf(log, "clientCertificateRejected");
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.payload.error).toBeInstanceOf(type);
      expect(rejected[0]!.payload.error.reason).toBe(reason);
      expect(rejected[0]!.payload.error.message).toContain(`etcd-client:${relationId} mtls-cert`);
      expect(rejected[0]!.payload.error.message).not.toContain("bm90IGEg");
      expect(rejected[0]!.payload).not.toHaveProperty("previousCommonName");
      expect(eventsOf(log, "clientRequested")).toEqual([]);
      // Only the snapshot: no user, no TLS secret.
      expect(Object.keys(model.appBag(relationId, "provider"))).toEqual(["data"]);
      expect(
        model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "provider"),
      ).toEqual([]);
      // The trust store never lists it.
      expect(eventsOf(log, "trustStoreRefresh").at(-1)!.payload.certificates).toEqual([]);
    },
  );

  it("without a listener a rejection is a warning in the log, not a failed hook", async () => {
    const { model, relationId } = requirerWithCert(CA_CERT);
    const runner = inProcess((charm) => {
      new EtcdClientProvider(charm);
    });
    const out = await runHook(model, runner, { unit: "provider/0", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    const warning = model.logs("provider/0").find((l) => l.level === "WARNING");
    expect(warning?.message).toMatch(
      /rejected client certificate: etcd-client:\d+ mtls-cert: the first certificate is a CA/,
    );
  });

  it("a corrected certificate after a rejection is a new request (no user existed)", async () => {
    const sim = new Simulation();
    const log: LoggedEvent[] = [];
    sim.deploy("provider", {
      runner: inProcess(etcdProvider(log)),
      units: 1,
      endpoints: { [ENDPOINT]: "provides:etcd_client" },
    });
    sim.deploy("requirer", {
      // The requirer library refuses a CA itself; a foreign requirer could send one anyway.
      runner: inProcess(etcdRequirer(log, {})),
      units: 1,
      endpoints: { [ENDPOINT]: "requires:etcd_client" },
    });
    const rel = sim.relate("requirer", "provider");
    expect((await sim.settle()).failed).toEqual([]);
    // Forge a CA into the requirer's request from outside (as a non-TS requirer could).
    const uri = sim.model.addSecret({
      owner: "requirer",
      content: { "mtls-cert": CA_CERT },
      grants: [{ relationId: rel }],
    });
    const bag = sim.model.appBag(rel, "requirer");
    const requests = JSON.parse(bag.requests!) as Record<string, unknown>[];
    requests[0]!["secret-mtls"] = uri;
    sim.model.setAppBag(rel, "requirer", { ...bag, requests: JSON.stringify(requests) });
    await sim.runHook("provider/0", "relation-changed", { relationId: rel });
    expect(eventsOf(log, "clientCertificateRejected")).toHaveLength(1);
    sim.configure("requirer", { "mtls-cert": CLIENT1_CERT });
    expect((await sim.settle()).failed).toEqual([]);
    expect(eventsOf(log, "clientRequested").map((e) => e.payload.commonName)).toEqual([
      "client1.requirer-charm",
    ]);
    expect(eventsOf(log, "etcdReady", "requirer/0")).toHaveLength(1);
  });
});

describe("provider: malformed requirer databags", () => {
  it.each([
    [{ version: "v1", requests: "[{not json" }, "requests"],
    [{ version: "v7" }, "version"],
  ])("%j → requestInvalid naming the key, nothing written", async (bag, key) => {
    const { model, relationId } = relatedModel();
    model.setAppBag(relationId, "requirer", bag);
    const log: LoggedEvent[] = [];
    const out = await runHook(model, inProcess(etcdProvider(log, { listenInvalid: true })), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(out.ok).toBe(true);
    expect(out.commit!.databags).toEqual([]);
    const invalid = eventsOf(log, "invalid");
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.payload.error).toBeInstanceOf(RemoteDataError);
    expect(invalid[0]!.payload.error.key).toBe(key);
    expect(invalid[0]!.payload.error.message).toContain(
      `etcd-client:${relationId} requirer app databag key "${key}"`,
    );
  });

  it.each([
    ["v0", { "secret-mtls": "not-a-secret-uri" }, "secret-mtls"],
    ["v0", { prefix: "" }, "prefix"],
  ] as const)("%s %j → requestInvalid naming the key, no answer", async (_, extra, key) => {
    const { model, relationId } = requirerWithCert(CLIENT1_CERT, extra);
    const log: LoggedEvent[] = [];
    const out = await runHook(model, inProcess(etcdProvider(log, { listenInvalid: true })), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(out.ok).toBe(true);
    expect(eventsOf(log, "invalid")[0]!.payload.error.key).toBe(key);
    expect(eventsOf(log, "clientRequested")).toEqual([]);
    expect(model.appBag(relationId, "provider")).not.toHaveProperty("secret-user");
  });

  it("a v1 request object with a bad secret-mtls is named by request id", async () => {
    const { model, relationId } = relatedModel();
    const salt = "abcdefghijklmnop";
    const id = computeRequestId("/app/", salt);
    model.setAppBag(relationId, "requirer", {
      version: "v1",
      requests: JSON.stringify([{ resource: "/app/", "request-id": id, salt, "secret-mtls": "nope" }]),
    });
    const log: LoggedEvent[] = [];
    await runHook(model, inProcess(etcdProvider(log, { listenInvalid: true })), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(eventsOf(log, "invalid")[0]!.payload.error.key).toBe(`requests[${id}].secret-mtls`);
    expect(model.appBag(relationId, "provider")).toEqual({});
  });

  it("without a listener the unit is blocked with a message naming relation and key", async () => {
    const { model, relationId } = requirerWithCert(CLIENT1_CERT, { "requested-secrets": "username" });
    const out = await runHook(model, inProcess(etcdProvider([])), {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(out.ok).toBe(true);
    expect(out.commit!.databags).toEqual([]);
    expect(model.unitStatus("provider/0")).toEqual({
      status: "blocked",
      message: expect.stringContaining(
        `etcd-client:${relationId} requirer app databag key "requested-secrets"`,
      ),
    });
  });
});

describe("provider: bad responses from the charm", () => {
  it.each([
    [{ endpoints: ["https://10.0.0.1:2379"] }, "endpoints[0]"],
    [{ endpoints: [] }, "endpoints"],
    [{ uris: ["10.0.0.1:2379"] }, "uris[0]"],
    [{ username: "" }, "username"],
    [{ tlsCa: "not a pem" }, "tlsCa"],
  ])("%j → EtcdResponseError naming the field; the hook fails and writes nothing", async (bad, field) => {
    const { model, relationId } = requirerWithCert(CLIENT1_CERT);
    let error: unknown;
    const runner = inProcess((charm: Charm) => {
      const p = new EtcdClientProvider(charm);
      p.on("clientRequested", (e) => {
        try {
          p.publish(e, {
            username: e.commonName,
            endpoints: ["10.0.0.1:2379"],
            version: "3.6.5",
            tlsCa: SERVER_CA,
            ...bad,
          });
        } catch (err) {
          error = err;
          throw err;
        }
      });
    });
    const out = await runHook(model, runner, { unit: "provider/0", kind: "relation-changed", relationId });
    expect(out.ok).toBe(false);
    expect(error).toBeInstanceOf(EtcdResponseError);
    expect((error as EtcdResponseError).field).toBe(field);
    expect(model.appBag(relationId, "provider")).toEqual({});
    expect(
      model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "provider"),
    ).toEqual([]);
  });

  it("answering before the request arrived is a PrematureWriteError", async () => {
    const { model, relationId } = relatedModel();
    let error: unknown;
    const runner = inProcess((charm: Charm) => {
      const p = new EtcdClientProvider(charm);
      charm.on("relationJoined", () => {
        try {
          p.publish(
            { relation: { endpoint: ENDPOINT, id: relationId } },
            {
              username: "x",
              endpoints: ["10.0.0.1:2379"],
              version: "3.6.5",
              tlsCa: SERVER_CA,
            },
          );
        } catch (e) {
          error = e;
        }
      });
    });
    const out = await runHook(model, runner, {
      unit: "provider/0",
      kind: "relation-joined",
      relationId,
      remoteUnit: "requirer/0",
    });
    expect(out.ok).toBe(true);
    expect(error).toBeInstanceOf(PrematureWriteError);
    expect(model.appBag(relationId, "provider")).toEqual({});
  });
});

describe("requirer: malformed provider answers", () => {
  async function requested() {
    const { model, relationId } = relatedModel();
    const log: LoggedEvent[] = [];
    const runner = inProcess(etcdRequirer(log, { contract: "v0", cert: CLIENT1_CERT, listenInvalid: true }));
    await runHook(model, runner, { unit: "requirer/0", kind: "relation-created", relationId });
    const tls = model.addSecret({
      owner: "provider",
      content: { tls: "True", "tls-ca": SERVER_CA },
      grants: [{ relationId }],
    });
    return { model, relationId, log, runner, tls };
  }

  it.each([
    [{ endpoints: "not-an-endpoint" }, { username: "u", uris: "https://10.0.0.1:2379" }, "endpoints"],
    // A field read from a secret is named after it: that is where an operator looks.
    [{ endpoints: "10.0.0.1:2379" }, { username: "u", uris: "10.0.0.1:2379" }, "secret-user/uris"],
    [{ endpoints: "10.0.0.1:2379" }, { username: "", uris: "https://10.0.0.1:2379" }, "secret-user/username"],
  ])("%j + user %j → invalid naming %s; no snapshot; fixed later → ready", async (plain, user, key) => {
    const { model, relationId, log, runner, tls } = await requested();
    const userUri = model.addSecret({ owner: "provider", content: user, grants: [{ relationId }] });
    model.setAppBag(relationId, "provider", {
      ...plain,
      version: "3.6.5",
      "secret-user": userUri,
      "secret-tls": tls,
    });
    const out = await runHook(model, runner, { unit: "requirer/1", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(out.commit!.databags).toEqual([]);
    expect(eventsOf(log, "etcdReady")).toEqual([]);
    const invalid = eventsOf(log, "invalid");
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.payload.error.key).toBe(key);
    expect(invalid[0]!.payload.error.message).toContain(
      `etcd-client:${relationId} provider app databag key "${key}"`,
    );
    // The provider fixes its answer: the unit becomes ready, because its snapshot never advanced.
    const s = model.secret(userUri)!;
    s.revisions.push({ revision: 2, content: { username: "client1", uris: "https://10.0.0.1:2379" } });
    s.latestRevision = 2;
    model.setAppBag(relationId, "provider", {
      ...model.appBag(relationId, "provider"),
      endpoints: "10.0.0.1:2379",
    });
    const fixed = await runHook(model, runner, { unit: "requirer/1", kind: "relation-changed", relationId });
    expect(fixed.ok).toBe(true);
    expect(eventsOf(log, "etcdReady", "requirer/1").map((e) => e.payload.username)).toEqual(["client1"]);
  });

  it("ready with secret-user and endpoints, as the Python v1 library is: no uris, no CA, no version needed (issue 18)", async () => {
    const { model, relationId, log, runner } = await requested();
    const user = model.addSecret({ owner: "provider", content: { username: "u" }, grants: [{ relationId }] });
    model.setAppBag(relationId, "provider", {
      endpoints: "10.0.0.1:2379,10.0.0.2:2379",
      "secret-user": user,
    });
    const out = await runHook(model, runner, { unit: "requirer/0", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(eventsOf(log, "invalid")).toEqual([]);
    const ready = eventsOf(log, "etcdReady");
    expect(ready).toHaveLength(1);
    // The client URLs default to https://<endpoint>: the endpoints are the members serving client TLS.
    expect(ready[0]!.payload).toMatchObject({
      username: "u",
      endpoints: ["10.0.0.1:2379", "10.0.0.2:2379"],
      uris: ["https://10.0.0.1:2379", "https://10.0.0.2:2379"],
    });
    expect(ready[0]!.payload.version).toBeUndefined();
    expect(ready[0]!.payload.tlsCa).toBeUndefined();
  });

  it('tls-ca "" means no CA, not an error: ready (as Python is, on secret-user), without a CA', async () => {
    const { model, relationId, log, runner } = await requested();
    const user = model.addSecret({
      owner: "provider",
      content: { username: "u", uris: "https://10.0.0.1:2379" },
      grants: [{ relationId }],
    });
    const tls = model.addSecret({
      owner: "provider",
      content: { tls: "False", "tls-ca": "" },
      grants: [{ relationId }],
    });
    model.setAppBag(relationId, "provider", {
      endpoints: "10.0.0.1:2379",
      version: "3.6.5",
      "secret-user": user,
      "secret-tls": tls,
    });
    const out = await runHook(model, runner, { unit: "requirer/0", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(eventsOf(log, "invalid")).toEqual([]);
    const ready = eventsOf(log, "etcdReady");
    expect(ready).toHaveLength(1);
    expect(ready[0]!.payload).toMatchObject({ username: "u", endpoints: ["10.0.0.1:2379"] });
    expect(ready[0]!.payload.tlsCa).toBeUndefined();
  });

  it("without an invalid listener the unit is blocked, naming relation and key", async () => {
    const { model, relationId } = relatedModel();
    const runner = inProcess(etcdRequirer([], { contract: "v0", cert: CLIENT1_CERT }));
    await runHook(model, runner, { unit: "requirer/0", kind: "relation-created", relationId });
    model.setAppBag(relationId, "provider", { status: "{oops" });
    const out = await runHook(model, runner, { unit: "requirer/0", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(model.unitStatus("requirer/0").status).toBe("blocked");
    expect(model.unitStatus("requirer/0").message).toContain(
      `etcd-client:${relationId} provider app databag key "status"`,
    );
  });
});

describe("requirer: bad certificates are refused before anything is written", () => {
  it("a CA as the configured certificate fails the hook with CaCertificateError; nothing written", async () => {
    const { model, relationId } = relatedModel();
    const out = await runHook(model, inProcess(etcdRequirer([], { cert: CA_CERT })), {
      unit: "requirer/0",
      kind: "relation-created",
      relationId,
    });
    expect(out.ok).toBe(false);
    expect(out.error).toBeInstanceOf(CaCertificateError);
    expect(model.appBag(relationId, "requirer")).toEqual({});
    expect(model.secrets()).toEqual([]);
  });

  it("setMtlsCert(garbage) throws MalformedCertificateError and keeps the current certificate", async () => {
    const { model, relationId } = relatedModel();
    const log: LoggedEvent[] = [];
    await runHook(model, inProcess(etcdRequirer(log, { cert: CLIENT1_CERT })), {
      unit: "requirer/0",
      kind: "relation-created",
      relationId,
    });
    let error: unknown;
    const runner = inProcess((charm: Charm) => {
      const r = new EtcdClientRequirer(charm, {
        endpoint: ENDPOINT,
        prefix: "/requirer/",
        mtlsCert: CLIENT1_CERT,
      });
      charm.on("configChanged", () => {
        try {
          r.setMtlsCert(GARBAGE_PEM);
        } catch (e) {
          error = e;
        }
      });
    });
    const out = await runHook(model, runner, { unit: "requirer/0", kind: "config-changed" });
    expect(out.ok).toBe(true);
    expect(error).toBeInstanceOf(MalformedCertificateError);
    expect(out.commit!.secrets.updated).toEqual([]);
    const [req] = JSON.parse(model.appBag(relationId, "requirer").requests!) as Record<string, string>[];
    expect(model.secretContent(req!["secret-mtls"]!)).toEqual({ "mtls-cert": CLIENT1_CERT });
  });

  it("an empty prefix is a programming error", () => {
    const { model } = relatedModel();
    void model;
    expect(() => new EtcdClientRequirer({} as Charm, { endpoint: ENDPOINT, prefix: "" })).toThrow(/prefix/);
  });
});
