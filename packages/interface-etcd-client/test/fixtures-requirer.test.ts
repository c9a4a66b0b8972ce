/**
 * Our requirer (v0 contract) driven with the provider databags and secrets recorded from the Python
 * `EtcdProvides`: same requirer keys, same `data` snapshots, same secret contents and labels.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ENDPOINT,
  etcdRequirer,
  eventsOf,
  inProcess,
  type LoggedEvent,
  relatedModel,
  runHook,
  substitute,
} from "./harness.js";
import {
  FIXTURE,
  fixtureSecret,
  RECORDED_CERT,
  RECORDED_CERT_REV2,
  V1_PROVIDER_APP,
  V1_REQUIRER_APP,
  V1_REQUIRER_UNIT,
} from "./helpers.js";

const AFTER = FIXTURE.after_relate;
const BEFORE = FIXTURE.before_remove_relation;
const REC_MTLS = fixtureSecret(AFTER, "etcd-client.0.mtls.secret");
const REC_USER = fixtureSecret(AFTER, "etcd-client.0.user.secret");
const REC_TLS = fixtureSecret(AFTER, "etcd-client.0.tls.secret");

async function relatedAndAnswered() {
  const { model, relationId } = relatedModel({ uuid: FIXTURE.model_uuid });
  expect(relationId).toBe(FIXTURE.relation_id);
  const log: LoggedEvent[] = [];
  const requirer = inProcess(
    etcdRequirer(log, { prefix: "/requirer/", cert: RECORDED_CERT, contract: "v0" }),
  );
  const created0 = await runHook(model, requirer, {
    unit: "requirer/0",
    kind: "relation-created",
    relationId,
  });
  const created1 = await runHook(model, requirer, {
    unit: "requirer/1",
    kind: "relation-created",
    relationId,
  });
  // The provider side, as recorded: its secrets, granted to the relation, and its app bag.
  const user = model.addSecret({
    owner: "provider",
    content: REC_USER.content_by_revision["1"]!,
    label: "etcd-client.0.user.secret",
    grants: [{ relationId }],
  });
  const tls = model.addSecret({
    owner: "provider",
    content: REC_TLS.content_by_revision["1"]!,
    label: "etcd-client.0.tls.secret",
    grants: [{ relationId }],
  });
  const ours = model.appBag(relationId, "requirer")["secret-mtls"]!;
  const uris = { [REC_USER.uri]: user, [REC_TLS.uri]: tls, [REC_MTLS.uri]: ours };
  const providerBag: Record<string, string> = {};
  for (const [k, v] of Object.entries(AFTER.provider_app_databag)) providerBag[k] = substitute(v, uris);
  model.setAppBag(relationId, "provider", providerBag);
  return { model, relationId, log, requirer, created0, created1, uris, user, tls, ours };
}

describe("requirer against the recorded Python provider (v0)", () => {
  it("relation-created: the leader writes the recorded request, the mTLS secret and the unit copies", async () => {
    const { model, relationId, created1, ours } = await relatedAndAnswered();
    const app = model.appBag(relationId, "requirer");
    expect(Object.keys(app).sort()).toEqual(Object.keys(AFTER.requirer_app_databag).sort());
    for (const k of ["prefix", "requested-secrets", "provided-secrets"])
      expect(app[k]).toBe(AFTER.requirer_app_databag[k]);
    expect(ours).toMatch(new RegExp(`^secret://${FIXTURE.model_uuid}/[0-9a-v]{20}$`));
    const secret = model.secret(ours)!;
    expect(secret.label).toBe(REC_MTLS.owner_label);
    expect(secret.owner).toEqual({ kind: "application", app: "requirer" });
    expect(model.secretContent(ours)).toEqual(REC_MTLS.content_by_revision["1"]);
    expect(secret.grants).toEqual([{ relationId, kind: "application", target: "provider" }]);
    expect(model.unitBag(relationId, "requirer/0")).toEqual({
      "provided-secrets": AFTER.requirer_unit_databags["requirer/0"]!["provided-secrets"],
      "requested-secrets": AFTER.requirer_unit_databags["requirer/0"]!["requested-secrets"],
    });
    // A non-leader writes nothing.
    expect(created1.ok).toBe(true);
    expect(created1.commit!.databags).toEqual([]);
    expect(model.unitBag(relationId, "requirer/1")).toEqual({});
  });

  it("relation-changed on both units: recorded snapshots, consumer labels, etcdReady with what Python observed", async () => {
    const { model, relationId, log, requirer, uris, user, tls } = await relatedAndAnswered();
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(model, requirer, { unit, kind: "relation-changed", relationId });
      expect(out.ok).toBe(true);
      const expected = substitute(AFTER.requirer_unit_databags[unit]!.data!, uris);
      expect(model.unitBag(relationId, unit).data).toBe(expected);
      expect(model.secret(user)!.consumerLabels[unit]).toBe("etcd-client.0.user.secret");
      expect(model.secret(tls)!.consumerLabels[unit]).toBe("etcd-client.0.tls.secret");
      const ready = eventsOf(log, "etcdReady", unit);
      expect(ready).toHaveLength(1);
      const observed = AFTER.requirer_observed[unit]!;
      expect(ready[0]!.payload).toMatchObject({
        relation: { endpoint: ENDPOINT, id: relationId },
        remoteApp: "provider",
        contract: "v0",
        prefix: "/requirer/",
        username: observed.username,
        endpoints: [observed.endpoints],
        uris: ["https://10.1.0.10:2379"],
        version: observed.version,
        tls: true,
        tlsCa: REC_TLS.content_by_revision["1"]!["tls-ca"],
      });
      // The empty v0 password is not a password (no field for it at all).
      expect(ready[0]!.payload).not.toHaveProperty("password");
    }
    expect(eventsOf(log, "endpointsChanged")).toEqual([]);
    // A second relation-changed (e.g. the other unit's snapshot write) writes and emits nothing.
    const before = log.length;
    const again = await runHook(model, requirer, {
      unit: "requirer/0",
      kind: "relation-changed",
      relationId,
      remoteUnit: "provider/0",
    });
    expect(again.commit!.databags).toEqual([]);
    expect(log.length).toBe(before);
  });

  it("rotations as recorded: the provider's CA (caRotated on every unit) and our certificate (revision 2, databags untouched)", async () => {
    const { model, relationId, log, requirer, tls, ours } = await relatedAndAnswered();
    for (const unit of ["requirer/0", "requirer/1"])
      await runHook(model, requirer, { unit, kind: "relation-changed", relationId });
    const bagsBefore = JSON.stringify(model.relation(relationId).appData.requirer);
    // Provider rotates its CA: a new revision of the tls secret, as recorded.
    const s = model.secret(tls)!;
    s.revisions.push({
      revision: 2,
      content: fixtureSecret(BEFORE, "etcd-client.0.tls.secret").content_by_revision["2"]!,
    });
    s.latestRevision = 2;
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(model, requirer, { unit, kind: "secret-changed", secretId: tls });
      expect(out.ok).toBe(true);
      const rotated = eventsOf(log, "caRotated", unit);
      expect(rotated).toHaveLength(1);
      expect(rotated[0]!.payload.tlsCa).toContain("aGFybmVzcy1ldGNkLXNlcnZlci1jYS1nZW5lcmF0aW9uLTI=");
      expect(model.secret(tls)!.tracking[unit]).toBe(2);
    }
    // The generic rotation event names the group: the CA only, never the user.
    expect(eventsOf(log, "credentialsRotated").map((e) => e.payload.groups)).toEqual([["tls"], ["tls"]]);
    // We rotate our certificate: secret-set on the same secret, revision 2 = the recorded one.
    model.application("requirer").config["mtls-cert"] = RECORDED_CERT_REV2;
    const cfg = await runHook(model, requirer, { unit: "requirer/0", kind: "config-changed" });
    expect(cfg.ok).toBe(true);
    expect(model.secret(ours)!.latestRevision).toBe(2);
    expect(model.secretContent(ours, 2)).toEqual(
      fixtureSecret(BEFORE, "etcd-client.0.mtls.secret").content_by_revision["2"],
    );
    expect(JSON.stringify(model.relation(relationId).appData.requirer)).toBe(bagsBefore);
    // Setting the same certificate again costs no revision.
    await runHook(model, requirer, { unit: "requirer/0", kind: "config-changed" });
    expect(model.secret(ours)!.latestRevision).toBe(2);
  });
});

describe("requirer against the constructed v1 example (charmhub v1 library)", () => {
  it("writes the recorded request shape, reads the recorded response shape, snapshots it the same way", async () => {
    const { model, relationId } = relatedModel({ uuid: FIXTURE.model_uuid });
    const log: LoggedEvent[] = [];
    const requirer = inProcess(etcdRequirer(log, { prefix: "/requirer/", cert: RECORDED_CERT }));
    await runHook(model, requirer, { unit: "requirer/0", kind: "relation-created", relationId });
    const app = model.appBag(relationId, "requirer");
    expect(Object.keys(app).sort()).toEqual(["requests", "version"]);
    const [request] = JSON.parse(app.requests!) as Record<string, string>[];
    const id = request!["request-id"]!;
    const salt = request!.salt!;
    const mtls = request!["secret-mtls"]!;
    expect(salt).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(id).toBe(createHash("sha256").update(`/requirer/:${salt}`).digest("hex").slice(0, 16));
    const ids = { "608a1f70eef7ba96": id, Qm3xV9tLr2aB7cWd: salt, [REC_MTLS.uri]: mtls };
    expect(app.requests).toBe(substitute(V1_REQUIRER_APP.requests, ids));
    expect(app.version).toBe("v1");
    expect(model.secret(mtls)!.label).toBe(`etcd-client.0.${id}.mtls.secret`);
    expect(model.secretContent(mtls)).toEqual({ "mtls-cert": RECORDED_CERT });
    // No unit-bag copies of secret lists in v1.
    expect(model.unitBag(relationId, "requirer/0")).toEqual({});

    const user = model.addSecret({
      owner: "provider",
      content: { uris: "https://10.1.0.10:2379", username: "requirer-charm" },
      label: `etcd-client.0.${id}.user.secret`,
      grants: [{ relationId }],
    });
    const tls = model.addSecret({
      owner: "provider",
      content: { "tls-ca": REC_TLS.content_by_revision["1"]!["tls-ca"]! },
      label: `etcd-client.0.${id}.tls.secret`,
      grants: [{ relationId }],
    });
    const all = { ...ids, [REC_USER.uri]: user, [REC_TLS.uri]: tls };
    model.setAppBag(relationId, "provider", {
      data: substitute(V1_PROVIDER_APP.data, all),
      requests: substitute(V1_PROVIDER_APP.requests, all),
      version: "v1",
    });
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(model, requirer, { unit, kind: "relation-changed", relationId });
      expect(out.ok).toBe(true);
      expect(model.unitBag(relationId, unit).data).toBe(substitute(V1_REQUIRER_UNIT.data, all));
      expect(model.secret(user)!.consumerLabels[unit]).toBe(`etcd-client.0.${id}.user.secret`);
      expect(eventsOf(log, "etcdReady", unit)[0]!.payload).toMatchObject({
        contract: "v1",
        requestId: id,
        prefix: "/requirer/",
        username: "requirer-charm",
        endpoints: ["10.1.0.10:2379"],
        uris: ["https://10.1.0.10:2379"],
        version: "3.6.5",
      });
      expect(eventsOf(log, "etcdReady", unit)[0]!.payload).not.toHaveProperty("tls");
    }
  });

  it("does not need the provider's data key (I-10)", async () => {
    const { model, relationId } = relatedModel();
    const log: LoggedEvent[] = [];
    const requirer = inProcess(etcdRequirer(log, { cert: RECORDED_CERT }));
    await runHook(model, requirer, { unit: "requirer/0", kind: "relation-created", relationId });
    const [request] = JSON.parse(model.appBag(relationId, "requirer").requests!) as Record<string, string>[];
    const user = model.addSecret({
      owner: "provider",
      content: { uris: "https://10.1.0.10:2379", username: "requirer-charm" },
      grants: [{ relationId }],
    });
    const tls = model.addSecret({
      owner: "provider",
      content: { "tls-ca": REC_TLS.content_by_revision["1"]!["tls-ca"]! },
      grants: [{ relationId }],
    });
    model.setAppBag(relationId, "provider", {
      version: "v1",
      requests: JSON.stringify([
        {
          resource: "/requirer/",
          salt: request!.salt,
          endpoints: "10.1.0.10:2379",
          "secret-user": user,
          "secret-tls": tls,
          version: "3.6.5",
        },
      ]),
    });
    const out = await runHook(model, requirer, { unit: "requirer/1", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(eventsOf(log, "etcdReady", "requirer/1")[0]!.payload.requestId).toBe(request!["request-id"]);
  });
});
