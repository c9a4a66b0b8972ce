/**
 * Our provider driven with the requirer databags and secrets recorded from the Python `EtcdRequires`
 * (v0), and with the constructed v1 example (charmhub v1 library bytes): same keys, same `data`,
 * same secret contents, labels and grants as the Python provider.
 */
import { describe, expect, it } from "vitest";
import {
  etcdProvider,
  eventsOf,
  inProcess,
  type LoggedEvent,
  relatedModel,
  runHook,
  SERVER_CA_2,
  substitute,
} from "./harness.js";
import {
  FIXTURE,
  fixtureSecret,
  RECORDED_CERT,
  RECORDED_CERT_REV2,
  V1_PROVIDER_APP,
  V1_REQUIRER_APP,
} from "./helpers.js";

const AFTER = FIXTURE.after_relate;
const BEFORE = FIXTURE.before_remove_relation;
const REC_MTLS = fixtureSecret(AFTER, "etcd-client.0.mtls.secret");
const REC_USER = fixtureSecret(AFTER, "etcd-client.0.user.secret");
const REC_TLS = fixtureSecret(AFTER, "etcd-client.0.tls.secret");

/** The requirer side as recorded (its mtls secret and bags), our provider not run yet. */
function recordedRequirer(options: { v1?: boolean } = {}) {
  const { model, relationId } = relatedModel({ uuid: FIXTURE.model_uuid, providerUnits: 2 });
  const mtls = model.addSecret({
    owner: "requirer",
    content: REC_MTLS.content_by_revision["1"]!,
    label: options.v1 ? "etcd-client.0.608a1f70eef7ba96.mtls.secret" : REC_MTLS.owner_label,
    grants: [{ relationId }],
  });
  const map = { [REC_MTLS.uri]: mtls };
  const bag = options.v1 ? V1_REQUIRER_APP : AFTER.requirer_app_databag;
  model.setAppBag(
    relationId,
    "requirer",
    Object.fromEntries(Object.entries(bag).map(([k, v]) => [k, substitute(v, map)])),
  );
  if (!options.v1) {
    model.setUnitBag(relationId, "requirer/0", {
      "provided-secrets": AFTER.requirer_unit_databags["requirer/0"]!["provided-secrets"]!,
      "requested-secrets": AFTER.requirer_unit_databags["requirer/0"]!["requested-secrets"]!,
    });
  }
  return { model, relationId, mtls, map };
}

describe("provider against the recorded Python requirer (v0)", () => {
  it("answers with the recorded keys, data snapshot, secret contents, labels and grants", async () => {
    const { model, relationId, mtls, map } = recordedRequirer();
    const log: LoggedEvent[] = [];
    const provider = inProcess(etcdProvider(log, { emptyPassword: true, version: "3.5.18" }));
    const created = await runHook(model, provider, {
      unit: "provider/0",
      kind: "relation-created",
      relationId,
    });
    expect(created.commit!.databags).toEqual([]); // same model: no encryption-secret
    const changed = await runHook(model, provider, {
      unit: "provider/0",
      kind: "relation-changed",
      relationId,
    });
    expect(changed.ok).toBe(true);
    const requested = eventsOf(log, "clientRequested");
    expect(requested).toHaveLength(1);
    expect(requested[0]!.payload).toMatchObject({
      relation: { endpoint: "etcd-client", id: relationId },
      remoteApp: "requirer",
      contract: "v0",
      prefix: "/requirer/",
      commonName: "requirer-charm",
      certificate: RECORDED_CERT,
    });
    expect(requested[0]!.payload).not.toHaveProperty("requestId");

    const bag = model.appBag(relationId, "provider");
    expect(Object.keys(bag).sort()).toEqual(Object.keys(AFTER.provider_app_databag).sort());
    expect(bag.endpoints).toBe(AFTER.provider_app_databag.endpoints);
    expect(bag.version).toBe(AFTER.provider_app_databag.version);
    // The data snapshot is byte-identical once the secret URI is mapped.
    expect(bag.data).toBe(substitute(AFTER.provider_app_databag.data!, map));
    for (const [key, rec] of [
      ["secret-user", REC_USER],
      ["secret-tls", REC_TLS],
    ] as const) {
      const s = model.secret(bag[key]!)!;
      expect(s.label).toBe(rec.owner_label);
      expect(s.owner).toEqual({ kind: "application", app: "provider" });
      expect(model.secretContent(bag[key]!)).toEqual(rec.content_by_revision["1"]);
      expect(s.grants).toEqual([{ relationId, kind: "application", target: "requirer" }]);
      expect(s.latestRevision).toBe(1);
    }
    expect(model.secret(mtls)!.consumerLabels["provider/0"]).toBe(REC_MTLS.consumer_labels[0]);
    expect(model.unitBag(relationId, "provider/0")).toEqual(AFTER.provider_unit_databags["provider/0"]);
    // The trust store event saw the recorded certificate.
    const refresh = eventsOf(log, "trustStoreRefresh", "provider/0");
    expect(refresh.at(-1)!.payload.certificates.map((c: { commonName: string }) => c.commonName)).toEqual([
      "requirer-charm",
    ]);

    // Requirer unit snapshot writes wake the provider: no event, no write (I-4).
    const before = log.length;
    for (const remoteUnit of ["requirer/0", "requirer/1"]) {
      const again = await runHook(model, provider, {
        unit: "provider/0",
        kind: "relation-changed",
        relationId,
        remoteUnit,
      });
      expect(again.commit!.databags).toEqual([]);
      expect(again.commit!.secrets.updated).toEqual([]);
    }
    expect(log.length).toBe(before);
  });

  it("a non-leader unit neither writes nor crashes (I-3), and learns the certificate for its trust store", async () => {
    const { model, relationId, mtls } = recordedRequirer();
    const log: LoggedEvent[] = [];
    const provider = inProcess(etcdProvider(log));
    const out = await runHook(model, provider, { unit: "provider/1", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(out.commit!.databags).toEqual([]);
    expect(out.commit!.secrets.created).toEqual([]);
    expect(eventsOf(log, "clientRequested")).toEqual([]);
    const refresh = eventsOf(log, "trustStoreRefresh", "provider/1");
    expect(refresh).toHaveLength(1);
    expect(refresh[0]!.payload.certificates).toMatchObject([
      { relation: { id: relationId }, prefix: "/requirer/", commonName: "requirer-charm" },
    ]);
    // It now tracks the requirer's secret under the consumer label, so it will get secret-changed.
    expect(model.secret(mtls)!.consumerLabels["provider/1"]).toBe("etcd-client.0.mtls.secret");
    expect(model.secret(mtls)!.tracking["provider/1"]).toBe(1);
  });

  it("rotations as recorded: the client certificate (every unit) and our CA (revision 2, databags untouched)", async () => {
    const { model, relationId, mtls } = recordedRequirer();
    const log: LoggedEvent[] = [];
    const provider = inProcess(etcdProvider(log, { emptyPassword: true }));
    for (const unit of ["provider/0", "provider/1"])
      await runHook(model, provider, { unit, kind: "relation-changed", relationId });
    const bags = JSON.stringify(model.relation(relationId).appData);
    const s = model.secret(mtls)!;
    s.revisions.push({
      revision: 2,
      content: fixtureSecret(BEFORE, "etcd-client.0.mtls.secret").content_by_revision["2"]!,
    });
    s.latestRevision = 2;
    for (const unit of ["provider/0", "provider/1"]) {
      const out = await runHook(model, provider, { unit, kind: "secret-changed", secretId: mtls });
      expect(out.ok).toBe(true);
      const changed = eventsOf(log, "clientCertificateChanged", unit);
      expect(changed).toHaveLength(1);
      expect(changed[0]!.payload).toMatchObject({
        source: "secret-changed",
        prefix: "/requirer/",
        commonName: "requirer-charm",
        oldCommonName: "requirer-charm",
        commonNameChanged: false,
        certificate: RECORDED_CERT_REV2,
        oldCertificate: RECORDED_CERT,
      });
      const refresh = eventsOf(log, "trustStoreRefresh", unit).at(-1)!;
      expect(refresh.payload.reason).toBe("secret-changed");
      expect(refresh.payload.certificates[0].leaf).toBe(RECORDED_CERT_REV2);
    }
    expect(JSON.stringify(model.relation(relationId).appData)).toBe(bags);
    // The CA rotation: config-changed on the leader re-publishes tls-ca in place.
    model.application("provider").config["tls-ca"] = SERVER_CA_2;
    const cfg = await runHook(model, provider, { unit: "provider/0", kind: "config-changed" });
    expect(cfg.ok).toBe(true);
    const tlsUri = model.appBag(relationId, "provider")["secret-tls"]!;
    expect(model.secret(tlsUri)!.latestRevision).toBe(2);
    expect(model.secretContent(tlsUri, 2)).toEqual(
      fixtureSecret(BEFORE, "etcd-client.0.tls.secret").content_by_revision["2"],
    );
    expect(JSON.stringify(model.relation(relationId).appData)).toBe(bags);
    // The user secret was not touched (same CN): still revision 1.
    expect(model.secret(model.appBag(relationId, "provider")["secret-user"]!)!.latestRevision).toBe(1);
  });
});

describe("provider against the constructed v1 example (charmhub v1 library)", () => {
  it("writes the v1 responses and data with the recorded bytes", async () => {
    const { model, relationId, map } = recordedRequirer({ v1: true });
    const log: LoggedEvent[] = [];
    const provider = inProcess(etcdProvider(log, { version: "3.6.5" }));
    const out = await runHook(model, provider, { unit: "provider/0", kind: "relation-changed", relationId });
    expect(out.ok).toBe(true);
    expect(eventsOf(log, "clientRequested")[0]!.payload).toMatchObject({
      contract: "v1",
      requestId: "608a1f70eef7ba96",
      prefix: "/requirer/",
      commonName: "requirer-charm",
    });
    const bag = model.appBag(relationId, "provider");
    expect(Object.keys(bag).sort()).toEqual(["data", "requests", "version"]);
    const user = JSON.parse(bag.requests!)[0]["secret-user"] as string;
    const tls = JSON.parse(bag.requests!)[0]["secret-tls"] as string;
    const all = { ...map, [REC_USER.uri]: user, [REC_TLS.uri]: tls };
    expect(bag.version).toBe("v1");
    expect(bag.requests).toBe(substitute(V1_PROVIDER_APP.requests, all));
    expect(bag.data).toBe(substitute(V1_PROVIDER_APP.data, all));
    expect(model.secretContent(user)).toEqual({ username: "requirer-charm", uris: "https://10.1.0.10:2379" });
    expect(model.secretContent(tls)).toEqual({ "tls-ca": REC_TLS.content_by_revision["1"]!["tls-ca"] });
    expect(model.secret(user)!.label).toBe("etcd-client.0.608a1f70eef7ba96.user.secret");
    expect(model.secret(tls)!.label).toBe("etcd-client.0.608a1f70eef7ba96.tls.secret");
  });
});
