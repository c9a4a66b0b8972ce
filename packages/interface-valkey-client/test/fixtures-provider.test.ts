/**
 * Our provider against the recorded Python requirers: fed the recorded requirer databags, it must
 * write what valkey-operator wrote (v1: `requests` and `data` byte for byte modulo secret URIs; v0:
 * the flat keys with `sentinel_endpoints`), create the same secrets under the same labels with the
 * same contents, and stay quiet on repeated hooks and on non-leaders.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { v0Snapshot } from "@charm-relations/juju-secrets-core/protocol";
import type { JujuModel } from "@charm-relations/juju-secrets-core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { ValkeyProvider, type ValkeyRequest } from "../src/provider.js";
import {
  ENDPOINT,
  EventLog,
  type Fixture,
  loadFixture,
  type RecordedSnapshot,
  relatedModel,
  rewrite,
  runHook,
} from "./harness.js";

/** A provider charm that answers every new request like valkey-operator on one VM unit. */
function providerCharm(log: EventLog) {
  return (charm: Charm) => {
    const provider = new ValkeyProvider(charm, { endpoint: ENDPOINT });
    provider.on("resourceRequested", ({ request }) => {
      log.record(charm.unit, "resourceRequested", request);
      provider.publish(request, {
        username: request.username,
        password: `pw-${request.username}`,
        endpoints: ["10.1.0.10:6379"],
        readOnlyEndpoints: ["10.1.0.10:6379"],
        sentinelEndpoints: ["10.1.0.10:26379"],
        mode: "sentinel",
        version: "9.0.1",
        tls: false,
      });
    });
    provider.on("resourcesRequested", (e) => log.record(charm.unit, "resourcesRequested", e));
    provider.on("invalid", (e) => log.record(charm.unit, "invalid", e));
  };
}

/** recorded URI → ours, matched by owner label. */
function urisByLabel(model: JujuModel, snap: RecordedSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const [uri, s] of Object.entries(snap.secrets)) {
    const ours = model.secretByLabel(s.owner_label);
    if (ours) out.set(uri, model.secretUri(ours.xid));
  }
  return out;
}

function expectSameSecrets(model: JujuModel, f: Fixture, rec: RecordedSnapshot): void {
  const owned = model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "provider");
  expect(owned.map((s) => s.label).sort()).toEqual(
    Object.values(rec.secrets)
      .map((s) => s.owner_label)
      .sort(),
  );
  for (const s of Object.values(rec.secrets)) {
    const ours = model.secretByLabel(s.owner_label)!;
    const content = ours.revisions.find((r) => r.revision === ours.latestRevision)!.content;
    const recorded = s.content_by_revision[String(s.latest_revision)]!;
    expect(Object.keys(content).sort()).toEqual(Object.keys(recorded).sort());
    if ("username" in recorded) expect(content.username).toBe(recorded.username);
    if ("tls" in recorded) expect(content.tls).toBe(recorded.tls);
    expect(ours.latestRevision).toBe(1);
    expect(ours.grants).toEqual([{ relationId: f.relation_id, kind: "application", target: "requirer" }]);
  }
}

describe("provider vs the recorded v1 requirer (two requests)", () => {
  const f = loadFixture("valkey_client.v1");
  const rec = f.after_relate;
  const { model, relationId } = relatedModel({ uuid: f.model_uuid });
  const log = new EventLog();
  const setup = providerCharm(log);
  let first: Awaited<ReturnType<typeof runHook>>;
  beforeAll(async () => {
    model.setAppBag(relationId, "requirer", rec.requirer_app_databag);
    first = await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, setup);
  });

  it("answers in the recorded bytes: version, requests (modulo secret URIs) and data", () => {
    expect(first.ok).toBe(true);
    const bag = model.appBag(relationId, "provider");
    expect(Object.keys(bag).sort()).toEqual(Object.keys(rec.provider_app_databag).sort());
    expect(bag.version).toBe("v1");
    expect(bag.data).toBe(rec.provider_app_databag.data);
    expect(bag.requests).toBe(rewrite(rec.provider_app_databag.requests!, urisByLabel(model, rec)));
    expect(model.unitBag(relationId, "provider/0")).toEqual({});
  });

  it("creates the recorded secrets: labels, keys, usernames relation-0-<request-id>, tls false, granted", () => {
    expectSameSecrets(model, f, rec);
  });

  it("emits one resourceRequested per request, then the bulk event", () => {
    const requests = log.of<ValkeyRequest>("resourceRequested");
    expect(requests.map((r) => [r.resource, r.requestId, r.username])).toEqual([
      ["requirer-charm:*", "589eb0c1e776d6fb", "relation-0-589eb0c1e776d6fb"],
      ["*", "b787d35c84b32edd", "relation-0-b787d35c84b32edd"],
    ]);
    expect(log.names()).toEqual(["resourceRequested", "resourceRequested", "resourcesRequested"]);
    expect(log.of<{ requests: ValkeyRequest[] }>("resourcesRequested")[0]!.requests).toEqual(requests);
  });

  it("a repeated relation-changed (requirer unit-bag writes) is a no-op", async () => {
    log.clear();
    const again = await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId, remoteUnit: "requirer/1" },
      setup,
    );
    expect(again.ok).toBe(true);
    expect(again.commit?.databags).toEqual([]);
    expect(again.commit?.secrets.updated).toEqual([]);
    expect(again.commit?.secrets.created).toEqual([]);
    expect(log.names()).toEqual([]);
  });

  it("a non-leader does nothing", async () => {
    const out = await runHook(model, { unit: "provider/1", kind: "relation-changed", relationId }, setup);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(log.names()).toEqual([]);
  });
});

describe("provider vs the recorded v0 requirer (DatabaseRequires)", () => {
  const f = loadFixture("valkey_client.v0-requirer");
  const rec = f.after_relate;
  const { model, relationId } = relatedModel({ uuid: f.model_uuid });
  const log = new EventLog();
  const setup = providerCharm(log);
  let first: Awaited<ReturnType<typeof runHook>>;
  beforeAll(async () => {
    model.setAppBag(relationId, "requirer", rec.requirer_app_databag);
    model.setUnitBag(relationId, "requirer/0", {
      "provided-secrets": rec.requirer_unit_databags["requirer/0"]!["provided-secrets"]!,
      "requested-secrets": rec.requirer_unit_databags["requirer/0"]!["requested-secrets"]!,
    });
    first = await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, setup);
  });

  it("answers flat with valkey-operator's keys: sentinel_endpoints, the database echo, secrets", () => {
    expect(first.ok).toBe(true);
    const bag = model.appBag(relationId, "provider");
    const recorded = rec.provider_app_databag;
    // `salt` (and later `resource`) are artefacts of the Python v1 provider's v0 mode (I-12): not written.
    const expectedKeys = Object.keys(recorded).filter((k) => k !== "salt" && k !== "resource");
    expect(Object.keys(bag).sort()).toEqual(expectedKeys.sort());
    const uris = urisByLabel(model, rec);
    for (const k of expectedKeys) {
      if (k === "data") continue;
      expect(bag[k], k).toBe(rewrite(recorded[k]!, uris));
    }
    expect(bag.sentinel_endpoints).toBe("10.1.0.10:26379");
    expect(bag["sentinel-endpoints"]).toBeUndefined();
    // A stable v0 snapshot of the requirer bag (protocol §4.6), not the Python provider's churning one.
    expect(bag.data).toBe(v0Snapshot(rec.requirer_app_databag));
  });

  it("creates the recorded v0 secrets: valkey-client.0.user.secret with username relation-0", () => {
    expectSameSecrets(model, f, rec);
  });

  it("emits resourceRequested without a request id, username relation-0", () => {
    const [request] = log.of<ValkeyRequest>("resourceRequested");
    expect(request).toMatchObject({ contract: "v0", resource: "requirer-charm:*", username: "relation-0" });
    expect(request?.requestId).toBeUndefined();
  });

  it("is stable: a repeated relation-changed writes nothing (no salt churn, I-12)", async () => {
    log.clear();
    const again = await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, setup);
    expect(again.ok).toBe(true);
    expect(again.commit?.databags).toEqual([]);
    expect(log.names()).toEqual([]);
  });
});
