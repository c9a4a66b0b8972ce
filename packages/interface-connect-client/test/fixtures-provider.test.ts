/**
 * Our provider against the recorded `KafkaConnectRequires` request: same keys, the same `data`
 * bytes, secrets with the recorded labels, contents and grants — the wire bytes of
 * kafka-connect-operator.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { describe, expect, it } from "vitest";
import { type ConnectIntegrationRequest, ConnectProvider } from "../src/index.js";
import { requirerAppDatabag } from "../src/testing.js";
import { ENDPOINT, fixture, RECORDED_PLUGIN_URL, relatedModel, runHook } from "./helpers.js";

const recorded = fixture.after_relate;
const PASSWORD = "03e46721fbb4139b883356f13d49aaa1";

function providerCharm(requests: ConnectIntegrationRequest[], answer = true) {
  return (charm: Charm) => {
    const provider = new ConnectProvider(charm, { endpoint: ENDPOINT });
    provider.on("integrationRequested", ({ request }) => {
      requests.push(request);
      if (!answer) return;
      provider.publish(request, {
        endpoints: ["http://10.1.0.10:8083"],
        username: request.username,
        password: PASSWORD,
        tls: false,
      });
    });
  };
}

async function requested(bag = recorded.requirer_app_databag) {
  const { model, relationId } = relatedModel();
  model.setAppBag(relationId, "requirer", bag);
  return { model, relationId };
}

describe("provider driven by the recorded requirer", () => {
  it("answers with the recorded keys, data bytes, secret labels, contents and grants", async () => {
    const { model, relationId } = await requested();
    const requests: ConnectIntegrationRequest[] = [];
    const out = await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId },
      providerCharm(requests),
    );
    expect(out.ok).toBe(true);
    expect(requests).toEqual([
      {
        relation: { endpoint: ENDPOINT, id: relationId },
        remoteApp: "requirer",
        contract: "v0",
        pluginUrl: RECORDED_PLUGIN_URL,
        username: "relation-0",
        pluginPrefix: "relation-0",
      },
    ]);
    const bag = model.appBag(relationId, "provider");
    expect(Object.keys(bag).sort()).toEqual(Object.keys(recorded.provider_app_databag).sort());
    expect(bag.data).toBe(recorded.provider_app_databag.data);
    expect(bag.endpoints).toBe(recorded.provider_app_databag.endpoints);
    // One relation-set for the whole answer.
    expect(out.commit?.databags).toHaveLength(1);
    for (const [key, group] of [
      ["secret-user", "user"],
      ["secret-tls", "tls"],
    ] as const) {
      const ours = model.secret(bag[key]!)!;
      const theirs = Object.values(recorded.secrets).find((s) => s.owner_label.endsWith(`.${group}.secret`))!;
      expect(bag[key]).toMatch(new RegExp(`^secret://${fixture.model_uuid}/[0-9a-v]{20}$`));
      expect(ours.label).toBe(theirs.owner_label);
      expect(ours.owner).toEqual({ kind: "application", app: "provider" });
      expect(model.secretContent(bag[key]!)).toEqual(theirs.content_by_revision["1"]);
      expect(ours.latestRevision).toBe(1);
      expect(ours.grants).toEqual([{ relationId, kind: "application", target: theirs.grants!["0"]![0] }]);
    }
  });

  it("non-leaders record nothing and answer nothing; requests() works on them", async () => {
    const { model, relationId } = await requested();
    const requests: ConnectIntegrationRequest[] = [];
    let listed: ConnectIntegrationRequest[] = [];
    const out = await runHook(
      model,
      { unit: "provider/1", kind: "relation-changed", relationId },
      (charm) => {
        const provider = new ConnectProvider(charm, { endpoint: ENDPOINT });
        provider.on("integrationRequested", ({ request }) => void requests.push(request));
        charm.on("relationChanged", () => {
          listed = provider.requests();
        });
      },
    );
    expect(out.ok).toBe(true);
    expect(requests).toEqual([]);
    expect(out.commit?.databags).toEqual([]);
    expect(listed.map((r) => r.pluginUrl)).toEqual([RECORDED_PLUGIN_URL]);
  });

  it("NOT-REQUIRED reaches the charm as pluginUrl null", async () => {
    const { model, relationId } = await requested(requirerAppDatabag({ pluginUrl: "NOT-REQUIRED" }));
    const requests: ConnectIntegrationRequest[] = [];
    await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId },
      providerCharm(requests),
    );
    expect(requests.map((r) => r.pluginUrl)).toEqual([null]);
    expect(model.appBag(relationId, "provider")["secret-user"]).toBeDefined();
  });

  it("a repeated relation-changed (e.g. woken by a requirer unit-bag write) writes nothing and emits nothing", async () => {
    const { model, relationId } = await requested();
    const requests: ConnectIntegrationRequest[] = [];
    await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId },
      providerCharm(requests),
    );
    const again = await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId, remoteUnit: "requirer/1" },
      providerCharm(requests),
    );
    expect(again.ok).toBe(true);
    expect(again.commit?.databags).toEqual([]);
    expect(again.commit?.secrets.created).toEqual([]);
    expect(again.commit?.secrets.updated).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it("the plain-text fallback for a requirer without requested-secrets, in the real spelling", async () => {
    const { model, relationId } = await requested(requirerAppDatabag({ requestedSecrets: false }));
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, providerCharm([]));
    const bag = model.appBag(relationId, "provider");
    expect(bag).toMatchObject({
      username: "relation-0",
      password: PASSWORD,
      tls: "disabled",
      "tls-ca": "disabled",
    });
    expect(bag["secret-user"]).toBeUndefined();
    expect(model.secrets()).toEqual([]);
  });
});
