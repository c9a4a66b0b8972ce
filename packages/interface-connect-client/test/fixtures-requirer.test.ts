/**
 * Our requirer against the recorded kafka-connect-operator answer (data_interfaces v0): it must write
 * the recorded request bytes, keep the recorded per-unit snapshot, bind the recorded consumer labels,
 * and report what Python observed — with `tls-ca: disabled` read as "no CA" (Python says "present").
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { describe, expect, it } from "vitest";
import { type ConnectIntegration, ConnectRequirer } from "../src/index.js";
import {
  ENDPOINT,
  fixture,
  RECORDED_PLUGIN_URL,
  relatedModel,
  rewrite,
  rewriteBag,
  runHook,
  seedRecordedSecrets,
} from "./helpers.js";

const recorded = fixture.after_relate;

function requirerCharm(
  events: { name: string; integration?: ConnectIntegration; groups?: readonly string[] }[],
) {
  return (charm: Charm) => {
    const requirer = new ConnectRequirer(charm, { endpoint: ENDPOINT, pluginUrl: RECORDED_PLUGIN_URL });
    requirer.on(
      "integrationCreated",
      ({ connection: integration }) => void events.push({ name: "integrationCreated", integration }),
    );
    requirer.on(
      "endpointsChanged",
      ({ connection: integration }) => void events.push({ name: "endpointsChanged", integration }),
    );
    requirer.on(
      "credentialsRotated",
      ({ connection: integration, groups }) =>
        void events.push({ name: "credentialsRotated", integration, groups }),
    );
    requirer.on("invalid", ({ error }) => void events.push({ name: `invalid:${error.message}` }));
  };
}

async function answered() {
  const { model, relationId } = relatedModel();
  const events: { name: string; integration?: ConnectIntegration; groups?: readonly string[] }[] = [];
  const created = await runHook(
    model,
    { unit: "requirer/0", kind: "relation-created", relationId },
    requirerCharm(events),
  );
  expect(created.ok).toBe(true);
  // The recorded provider answers: its secrets (revision 1) and its app bag, URIs rewritten to ours.
  const uris = seedRecordedSecrets(model, recorded, relationId, new Map(), { revision: "first" });
  model.setAppBag(relationId, "provider", rewriteBag(recorded.provider_app_databag, uris));
  return { model, relationId, events, uris };
}

describe("requirer driven by the recorded provider", () => {
  it("relation-created writes the recorded request bytes: app bag and the leader's unit copy", async () => {
    const { model, relationId } = await answered();
    expect(model.appBag(relationId, "requirer")).toEqual(recorded.requirer_app_databag);
    const unit = model.unitBag(relationId, "requirer/0");
    expect(unit["requested-secrets"]).toBe(
      recorded.requirer_unit_databags["requirer/0"]!["requested-secrets"],
    );
    expect(unit["provided-secrets"]).toBe(recorded.requirer_unit_databags["requirer/0"]!["provided-secrets"]);
  });

  it("a non-leader's relation-created writes nothing", async () => {
    const { model, relationId } = relatedModel();
    const out = await runHook(
      model,
      { unit: "requirer/1", kind: "relation-created", relationId },
      requirerCharm([]),
    );
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
  });

  it("every unit: the recorded snapshot, the recorded consumer labels, and integrationCreated with what Python saw", async () => {
    const { model, relationId, events, uris } = await answered();
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(
        model,
        { unit, kind: "relation-changed", relationId, remoteUnit: "provider/0" },
        requirerCharm(events),
      );
      expect(out.ok).toBe(true);
      const bag = model.unitBag(relationId, unit);
      expect(bag.data).toBe(rewrite(recorded.requirer_unit_databags[unit]!.data!, uris));
      for (const [uri, s] of Object.entries(recorded.secrets)) {
        const ours = model.secret(uris.get(uri)!)!;
        expect(ours.consumerLabels[unit]).toBe(s.consumer_labels[0]);
        expect(ours.tracking[unit]).toBe(1);
      }
    }
    const created = events.filter((e) => e.name === "integrationCreated");
    expect(created).toHaveLength(2);
    expect(events.filter((e) => e.name !== "integrationCreated")).toEqual([]);
    for (const { integration } of created) {
      const observed = recorded.requirer_observed["requirer/0"]!;
      expect(integration).toMatchObject({
        relation: { endpoint: ENDPOINT, id: relationId },
        remoteApp: "provider",
        contract: "v0",
        pluginUrl: RECORDED_PLUGIN_URL,
        endpoints: [observed.endpoints],
        username: observed.username,
        password: "03e46721fbb4139b883356f13d49aaa1",
        tls: false,
        // Python reported tls-ca "present" because its value was "disabled": we read it as no CA.
        tlsCa: null,
      });
    }
  });

  it("a second relation-changed writes nothing and emits nothing (idempotent snapshot)", async () => {
    const { model, relationId, events } = await answered();
    await runHook(model, { unit: "requirer/1", kind: "relation-changed", relationId }, requirerCharm(events));
    const again = await runHook(
      model,
      { unit: "requirer/1", kind: "relation-changed", relationId },
      requirerCharm(events),
    );
    expect(again.ok).toBe(true);
    expect(again.commit?.databags).toEqual([]);
    expect(events.map((e) => e.name)).toEqual(["integrationCreated"]);
  });

  it("password rotation (revision 2 as recorded): credentialsRotated on every unit with the new password", async () => {
    const { model, relationId, events, uris } = await answered();
    for (const unit of ["requirer/0", "requirer/1"]) {
      await runHook(model, { unit, kind: "relation-changed", relationId }, requirerCharm(events));
    }
    const [recordedUri, s] = Object.entries(fixture.before_remove_relation.secrets).find(([, x]) =>
      x.owner_label.endsWith(".user.secret"),
    )!;
    const ours = model.secret(uris.get(recordedUri)!)!;
    ours.revisions.push({ revision: 2, content: s.content_by_revision["2"]! });
    ours.latestRevision = 2;
    for (const unit of ["requirer/0", "requirer/1"]) {
      const out = await runHook(
        model,
        { unit, kind: "secret-changed", secretId: ours.xid },
        requirerCharm(events),
      );
      expect(out.ok).toBe(true);
      expect(out.commit?.databags).toEqual([]);
      expect(model.secret(ours.xid)!.tracking[unit]).toBe(2);
    }
    const rotated = events.filter((e) => e.name === "credentialsRotated");
    expect(rotated).toHaveLength(2);
    for (const e of rotated) {
      expect(e.groups).toEqual(["user"]);
      expect(e.integration?.password).toBe(s.content_by_revision["2"]!.password);
    }
  });

  it("accessors: integrations(), integration(), isReady(), connectorName()", async () => {
    const { model, relationId } = await answered();
    let seen: ConnectIntegration[] = [];
    let ready = false;
    let name = "";
    await runHook(model, { unit: "requirer/1", kind: "update-status" }, (charm) => {
      const requirer = new ConnectRequirer(charm, { endpoint: ENDPOINT, pluginUrl: RECORDED_PLUGIN_URL });
      charm.on("updateStatus", () => {
        seen = requirer.connections();
        ready = requirer.isReady();
        name = requirer.connectorName(relationId, "mysql-source");
      });
    });
    expect(seen.map((i) => i.username)).toEqual(["relation-0"]);
    expect(ready).toBe(true);
    // kafka-connect-operator deletes connectors matching `.+?r<id>_<32 hex>$` when the relation goes.
    expect(name).toBe(`mysql-source_r0_${fixture.model_uuid.replace(/-/g, "")}`);
    expect(name).toMatch(new RegExp(`.+?r${relationId}_[0-9a-f]{32}$`));
  });
});
