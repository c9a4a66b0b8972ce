/**
 * Our requirer against the recorded Python provider (valkey-operator's dpcharmlibs handler): the
 * request it writes, the per-unit `data` snapshots, secret labels and events must match what the
 * Python requirers produced in the recording, modulo random salts, request ids and secret URIs.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { ValkeyConnection } from "../src/definition.js";
import { ValkeyRequirer, type ValkeyRequirerEvents, type ValkeyRequirerOptions } from "../src/requirer.js";
import {
  addRevision,
  ENDPOINT,
  EventLog,
  type HookOutcome,
  loadFixture,
  relatedModel,
  rewrite,
  rewriteBag,
  runHook,
  seedRecordedSecrets,
} from "./harness.js";

const EVENTS: (keyof ValkeyRequirerEvents)[] = [
  "resourceCreated",
  "endpointsChanged",
  "readOnlyEndpointsChanged",
  "sentinelEndpointsChanged",
  "modeChanged",
  "versionChanged",
  "credentialsRotated",
  "statusRaised",
  "statusResolved",
  "gone",
  "invalid",
];

function requirerCharm(log: EventLog, options: ValkeyRequirerOptions) {
  return (charm: Charm) => {
    const requirer = new ValkeyRequirer(charm, { endpoint: ENDPOINT, ...options });
    for (const name of EVENTS) requirer.on(name, (p) => log.record(charm.unit, name, p));
  };
}

const relationChanged = (unit: string, relationId: number) => ({
  unit,
  kind: "relation-changed" as const,
  relationId,
});

describe("v1 requirer vs the recorded dpcharmlibs provider (two requests)", () => {
  const f = loadFixture("valkey_client.v1");
  const rec = f.after_relate;
  const { model, relationId } = relatedModel({ uuid: f.model_uuid });
  const log = new EventLog();
  const setup = requirerCharm(log, { resources: ["requirer-charm:*", "*"] });
  let created: HookOutcome;
  let ours: Record<string, string>[] = [];
  // recorded salt/request id → ours, per resource.
  const ids = new Map<string, string>();

  beforeAll(async () => {
    created = await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId }, setup);
    ours = JSON.parse(model.appBag(relationId, "requirer").requests ?? "[]") as Record<string, string>[];
    const recorded = JSON.parse(rec.requirer_app_databag.requests!) as Record<string, string>[];
    recorded.forEach((r, i) => {
      ids.set(r["request-id"]!, ours[i]?.["request-id"] ?? "?");
      ids.set(r.salt!, ours[i]?.salt ?? "?");
    });
  });

  it("writes version v1 and both requests in the recorded bytes", () => {
    expect(created.ok).toBe(true);
    const bag = model.appBag(relationId, "requirer");
    expect(Object.keys(bag).sort()).toEqual(["requests", "version"]);
    expect(bag.version).toBe("v1");
    expect(bag.requests).toBe(rewrite(rec.requirer_app_databag.requests!, ids));
    expect(ours.map((r) => r.resource)).toEqual(["requirer-charm:*", "*"]);
    // v1 writes nothing to unit bags at relation-created.
    expect(model.unitBag(relationId, "requirer/0")).toEqual({});
  });

  it("snapshots the recorded answer per unit, byte for byte, and fires resourceCreated per request", async () => {
    const uris = seedRecordedSecrets(model, rec, relationId, ids);
    const map = new Map([...ids, ...uris]);
    model.setAppBag(relationId, "provider", rewriteBag(rec.provider_app_databag, map));
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(model, relationChanged(unit, relationId), setup);
      expect(out.ok).toBe(true);
      expect(model.unitBag(relationId, unit)).toEqual(rewriteBag(rec.requirer_unit_databags[unit]!, map));
      expect(log.names(unit)).toEqual(["resourceCreated", "resourceCreated"]);
      const connections = log
        .of<{ connection: ValkeyConnection }>("resourceCreated", unit)
        .map((e) => e.connection);
      expect(connections.map((c) => c.resource)).toEqual(["requirer-charm:*", "*"]);
      // What the Python requirer observed for its `*` request.
      const observed = rec.requirer_observed[unit]!;
      const star = connections[1]!;
      expect(star.username).toBe(rewrite(observed.username as string, ids));
      expect(star.requestId).toBe(ids.get(observed.request_id as string));
      expect(star.endpoints.join(",")).toBe(observed.endpoints);
      expect(star.readOnlyEndpoints.join(",")).toBe(observed.read_only_endpoints);
      expect(star.sentinelEndpoints.join(",")).toBe(observed.sentinel_endpoints);
      expect(star.version).toBe(observed.version);
      expect(star.mode).toBe("sentinel");
      expect(star.tls).toBe(observed.tls === "true");
      expect(star.tlsCa).toBeUndefined();
      expect(star.contract).toBe("v1");
    }
  });

  it("binds the recorded consumer labels and tracks the latest revision", () => {
    for (const [recordedUri, s] of Object.entries(rec.secrets)) {
      const secret = model.secret(seededUris(model, rec, ids).get(recordedUri)!)!;
      expect(secret).toBeDefined();
      for (const unit of ["requirer/0", "requirer/1"]) {
        expect(secret.consumerLabels[unit]).toBe(rewrite(s.consumer_labels[0]!, ids));
        expect(secret.tracking[unit]).toBe(secret.latestRevision);
      }
    }
  });

  it("a second relation-changed writes nothing and fires nothing", async () => {
    log.clear();
    const out = await runHook(model, relationChanged("requirer/0", relationId), setup);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(log.names()).toEqual([]);
  });

  it("a provider password rotation (recorded revision 2) reaches every unit as credentialsRotated", async () => {
    const before = f.before_remove_relation;
    for (const [recordedUri, s] of Object.entries(before.secrets)) {
      if (!s.owner_label.endsWith(".user.secret")) continue;
      const uri = seededUris(model, rec, ids).get(recordedUri)!;
      const content = s.content_by_revision[String(s.latest_revision)]!;
      addRevision(model, uri, { ...content, username: rewrite(content.username!, ids) });
      for (const unit of ["requirer/0", "requirer/1"]) {
        log.clear();
        const out = await runHook(model, { unit, kind: "secret-changed", secretId: uri }, setup);
        expect(out.ok).toBe(true);
        const rotated = log.of<{ connection: ValkeyConnection; groups: string[] }>(
          "credentialsRotated",
          unit,
        );
        expect(rotated).toHaveLength(1);
        expect(rotated[0]!.groups).toEqual(["user"]);
        expect(rotated[0]!.connection.password).toBe(content.password);
        expect(rotated[0]!.connection.username).toBe(rewrite(content.username!, ids));
        expect(model.secret(uri)!.tracking[unit]).toBe(2);
      }
    }
  });
});

/** recorded URI → our URI, found again by owner label (the seeding order is the recorded order). */
function seededUris(
  model: ReturnType<typeof relatedModel>["model"],
  rec: ReturnType<typeof loadFixture>["after_relate"],
  ids: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [uri, s] of Object.entries(rec.secrets)) {
    const ours = model.secretByLabel(rewrite(s.owner_label, ids));
    if (ours) out.set(uri, model.secretUri(ours.xid));
  }
  return out;
}

describe("v0 requirer (DatabaseRequires-compatible) vs the recorded provider", () => {
  const f = loadFixture("valkey_client.v0-requirer");
  const rec = f.after_relate;
  const { model, relationId } = relatedModel({ uuid: f.model_uuid });
  const log = new EventLog();
  const setup = requirerCharm(log, { resources: ["requirer-charm:*"], contract: "v0" });
  let created: HookOutcome;
  beforeAll(async () => {
    created = await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId }, setup);
  });

  it("writes the recorded app bag byte for byte, and the leader's unit copy of the secret lists", () => {
    expect(created.ok).toBe(true);
    expect(model.appBag(relationId, "requirer")).toEqual(rec.requirer_app_databag);
    const { data: _data, ...lists } = rec.requirer_unit_databags["requirer/0"]!;
    expect(model.unitBag(relationId, "requirer/0")).toEqual(lists);
  });

  it("a non-leader writes nothing at relation-created", async () => {
    const out = await runHook(model, { unit: "requirer/1", kind: "relation-created", relationId }, setup);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
  });

  let uris = new Map<string, string>();
  it("snapshots the flat answer (sentinel_endpoints with an underscore) like the Python requirer", async () => {
    uris = seedRecordedSecrets(model, rec, relationId, new Map(), { revision: "first" });
    model.setAppBag(relationId, "provider", rewriteBag(rec.provider_app_databag, uris));
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(model, relationChanged(unit, relationId), setup);
      expect(out.ok).toBe(true);
      expect(model.unitBag(relationId, unit)).toEqual(rewriteBag(rec.requirer_unit_databags[unit]!, uris));
      expect(log.names(unit)).toEqual(["resourceCreated"]);
      const c = log.of<{ connection: ValkeyConnection }>("resourceCreated", unit)[0]!.connection;
      const observed = rec.requirer_observed[unit]!;
      expect(c.contract).toBe("v0");
      expect(c.requestId).toBeUndefined();
      expect(c.resource).toBe(observed.database);
      expect(c.username).toBe(observed.username);
      expect(c.endpoints.join(",")).toBe(observed.endpoints);
      expect(c.readOnlyEndpoints.join(",")).toBe(observed.read_only_endpoints);
      expect(c.sentinelEndpoints.join(",")).toBe(observed.sentinel_endpoints);
      expect(c.version).toBe(observed.version);
      expect(c.tls).toBe(false);
    }
    for (const [recordedUri, s] of Object.entries(rec.secrets)) {
      const secret = model.secret(uris.get(recordedUri)!)!;
      expect(secret.consumerLabels["requirer/0"]).toBe(s.consumer_labels[0]);
      expect(secret.consumerLabels["requirer/1"]).toBe(s.consumer_labels[0]);
    }
  });

  it("the provider's later echo keys (resource, new salt in data) update the snapshot without events", async () => {
    const later = f.before_remove_relation;
    model.setAppBag(relationId, "provider", rewriteBag(later.provider_app_databag, uris));
    for (const unit of ["requirer/0", "requirer/1"]) {
      log.clear();
      const out = await runHook(model, relationChanged(unit, relationId), setup);
      expect(out.ok).toBe(true);
      expect(model.unitBag(relationId, unit).data).toBe(
        rewrite(later.requirer_unit_databags[unit]!.data!, uris),
      );
      expect(log.names()).toEqual([]);
    }
  });

  it("the recorded rotation (revision 2) reaches every unit as credentialsRotated", async () => {
    const later = f.before_remove_relation;
    const [recordedUri, s] = Object.entries(later.secrets).find(([, x]) =>
      x.owner_label.endsWith(".user.secret"),
    )!;
    const uri = uris.get(recordedUri)!;
    const content = s.content_by_revision["2"]!;
    addRevision(model, uri, content);
    for (const unit of ["requirer/0", "requirer/1"]) {
      log.clear();
      const out = await runHook(model, { unit, kind: "secret-changed", secretId: uri }, setup);
      expect(out.ok).toBe(true);
      const rotated = log.of<{ connection: ValkeyConnection; groups: string[] }>("credentialsRotated", unit);
      expect(rotated.map((r) => r.connection.password)).toEqual([content.password]);
      expect(rotated[0]!.connection.username).toBe("relation-0");
    }
  });

  it("accepts the v1 spelling sentinel-endpoints in v0 too", async () => {
    const bag = rewriteBag(f.before_remove_relation.provider_app_databag, uris);
    const { sentinel_endpoints: sentinel, ...rest } = bag;
    model.setAppBag(relationId, "provider", { ...rest, "sentinel-endpoints": "10.1.0.11:26379" });
    log.clear();
    const out = await runHook(model, relationChanged("requirer/1", relationId), setup);
    expect(out.ok).toBe(true);
    expect(sentinel).toBe("10.1.0.10:26379");
    const changed = log.of<{ connection: ValkeyConnection }>("sentinelEndpointsChanged", "requirer/1");
    expect(changed.map((e) => e.connection.sentinelEndpoints)).toEqual([["10.1.0.11:26379"]]);
  });
});

describe("v1 requirer vs an answer shaped like the upstream spec example (no data, no nulls)", () => {
  it("matches responses by request id without the provider's data (I-10)", async () => {
    const { model, relationId } = relatedModel();
    const log = new EventLog();
    const setup = requirerCharm(log, { resources: ["application:*"] });
    await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId }, setup);
    const [request] = JSON.parse(model.appBag(relationId, "requirer").requests!) as Record<string, string>[];
    const user = model.addSecret({
      owner: "provider",
      content: { username: `relation-${relationId}-${request!["request-id"]}`, password: "pw" },
      grants: [{ relationId }],
    });
    const tls = model.addSecret({ owner: "provider", content: { tls: "false" }, grants: [{ relationId }] });
    model.setAppBag(relationId, "provider", {
      version: "v1",
      requests: `[{"resource": "application:*", "request-id": "${request!["request-id"]}", "salt": "${request!.salt}", "endpoints": "valkey-1.valkey-endpoints:6379", "read-only-endpoints": "valkey-0.valkey-endpoints:6379,valkey-2.valkey-endpoints:6379", "secret-user": "${user}", "secret-tls": "${tls}", "version": "9.0.1", "mode": "sentinel", "sentinel-endpoints": "valkey-0.valkey-endpoints:26379,valkey-1.valkey-endpoints:26379,valkey-2.valkey-endpoints:26379"}]`,
    });
    const out = await runHook(model, relationChanged("requirer/1", relationId), setup);
    expect(out.ok).toBe(true);
    const [created] = log.of<{ connection: ValkeyConnection }>("resourceCreated", "requirer/1");
    expect(created?.connection.readOnlyEndpoints).toEqual([
      "valkey-0.valkey-endpoints:6379",
      "valkey-2.valkey-endpoints:6379",
    ]);
    expect(created?.connection.sentinelEndpoints).toHaveLength(3);
  });
});
