import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Charm,
  PrematureWriteError,
  ProtocolEncodeError,
  type RemoteDataError,
} from "@charm-relations/juju-secrets-core";
import { describe, expect, it } from "vitest";
import {
  type ConnectIntegrationRemoved,
  type ConnectIntegrationRequest,
  ConnectProvider,
  type ConnectResponseInput,
  isOfRelation,
} from "../src/index.js";
import { requirerAppDatabag } from "../src/testing.js";
import { ENDPOINT, relatedModel, runHook } from "./helpers.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----";
const ANSWER: ConnectResponseInput = {
  endpoints: ["http://10.1.0.10:8083"],
  username: "relation-0",
  password: "pw-1",
  tls: false,
};

function requestedModel(bag = requirerAppDatabag()) {
  const { model, relationId } = relatedModel();
  model.setAppBag(relationId, "requirer", bag);
  return { model, relationId, ref: { endpoint: ENDPOINT, id: relationId } };
}

/** Run `body` with a provider in an update-status hook of `unit` (default the leader). */
async function withProvider(
  model: ReturnType<typeof relatedModel>["model"],
  body: (provider: ConnectProvider, charm: Charm) => void,
  unit = "provider/0",
) {
  return runHook(model, { unit, kind: "update-status" }, (charm) => {
    const provider = new ConnectProvider(charm, { endpoint: ENDPOINT });
    charm.on("updateStatus", () => body(provider, charm));
  });
}

describe("publish", () => {
  it("TLS on: tls 'enabled', the PEM as tls-ca, https endpoints", async () => {
    const { model, relationId, ref } = requestedModel();
    const out = await withProvider(model, (p) =>
      p.publish(
        { relation: ref },
        { ...ANSWER, endpoints: ["https://10.1.0.10:8083", "https://10.1.0.11:8083"], tls: true, tlsCa: PEM },
      ),
    );
    expect(out.ok).toBe(true);
    const bag = model.appBag(relationId, "provider");
    expect(bag.endpoints).toBe("https://10.1.0.10:8083,https://10.1.0.11:8083");
    expect(model.secretContent(bag["secret-tls"]!)).toEqual({ tls: "enabled", "tls-ca": PEM });
    expect(model.secretContent(bag["secret-user"]!)).toEqual({ username: "relation-0", password: "pw-1" });
  });

  it.each([
    [{ ...ANSWER, endpoints: [] }, "endpoints"],
    [{ ...ANSWER, endpoints: ["10.1.0.10:8083"] }, "endpoints[0]"],
    [{ ...ANSWER, endpoints: ["http://10.1.0.10:8083"], tls: true, tlsCa: PEM }, "endpoints[0]"],
    [{ ...ANSWER, endpoints: ["https://10.1.0.10:8083"], tls: true }, "tlsCa"],
    [{ ...ANSWER, endpoints: ["https://10.1.0.10:8083"], tls: true, tlsCa: "not a pem" }, "tlsCa"],
    [{ ...ANSWER, tlsCa: PEM }, "tlsCa"],
    [{ ...ANSWER, password: "" }, "password"],
    [{ ...ANSWER, username: "a:b" }, "username"],
    [{ endpoints: ANSWER.endpoints, username: "u", password: "p" }, "tls"],
  ] as [ConnectResponseInput, string][])(
    "bad input → ProtocolEncodeError naming %#, nothing written",
    async (input, field) => {
      const { model, relationId, ref } = requestedModel();
      let error: unknown;
      await withProvider(model, (p) => {
        try {
          p.publish({ relation: ref }, input);
        } catch (e) {
          error = e;
        }
      });
      expect(error).toBeInstanceOf(ProtocolEncodeError);
      expect((error as ProtocolEncodeError).field).toBe(field);
      expect((error as Error).message).not.toContain("pw-1");
      expect(model.appBag(relationId, "provider")).toEqual({});
      expect(model.secrets()).toEqual([]);
    },
  );

  it("refuses credentials before the request arrived (premature write)", async () => {
    const { model, relationId } = relatedModel();
    const out = await withProvider(model, (p) =>
      p.publish({ relation: { endpoint: ENDPOINT, id: relationId } }, ANSWER),
    );
    expect(out.ok).toBe(false);
    expect(out.error).toBeInstanceOf(PrematureWriteError);
    expect(model.secrets()).toEqual([]);
  });

  it("non-leaders cannot publish", async () => {
    const { model, ref } = requestedModel();
    const out = await withProvider(model, (p) => p.publish({ relation: ref }, ANSWER), "provider/1");
    expect(out.ok).toBe(false);
    expect((out.error as Error).name).toBe("NotLeaderError");
  });

  it("publishAll refreshes answered requests only; TLS switch updates secret-tls in place", async () => {
    const { model } = relatedModel({ providerUnits: 1 });
    model.addApplication("other", { endpoints: { [ENDPOINT]: "requires:connect_client" } });
    const second = model.addRelation(`provider:${ENDPOINT}`, `other:${ENDPOINT}`);
    model.setAppBag(0, "requirer", requirerAppDatabag());
    model.setAppBag(second, "other", requirerAppDatabag({ pluginUrl: "NOT-REQUIRED" }));
    let pending: ConnectIntegrationRequest[] = [];
    await withProvider(model, (p) => {
      p.publish({ relation: { endpoint: ENDPOINT, id: 0 } }, ANSWER);
      pending = p.pendingRequests();
    });
    expect(pending.map((r) => r.relation.id)).toEqual([second]);
    const tlsUri = model.appBag(0, "provider")["secret-tls"]!;
    let touched: ConnectIntegrationRequest[] = [];
    await withProvider(model, (p) => {
      touched = p.publishAll({ endpoints: ["https://10.1.0.10:8083"], tls: true, tlsCa: PEM });
    });
    expect(touched.map((r) => r.relation.id)).toEqual([0]);
    expect(model.appBag(0, "provider")).toMatchObject({
      endpoints: "https://10.1.0.10:8083",
      "secret-tls": tlsUri,
    });
    expect(model.secretContent(tlsUri)).toEqual({ tls: "enabled", "tls-ca": PEM });
    expect(model.secret(tlsUri)!.latestRevision).toBe(2);
    expect(model.appBag(second, "provider")).toEqual({});
    // Unchanged content: no new revision, no databag write.
    const again = await withProvider(model, (p) =>
      p.publishAll({ endpoints: ["https://10.1.0.10:8083"], tls: true, tlsCa: PEM }),
    );
    expect(again.commit?.databags).toEqual([]);
    expect(again.commit?.secrets.updated).toEqual([]);
    await expect(withProvider(model, (p) => p.publishAll({ password: "x" } as never))).resolves.toMatchObject(
      { ok: false },
    );
  });
});

describe("requests", () => {
  it("a bad plugin-url → requestInvalid naming the key; nothing recorded; the corrected URL is a new request", async () => {
    const { model, relationId } = requestedModel(
      requirerAppDatabag({ pluginUrl: "ftp://10.1.1.200/plugin.tar" }),
    );
    const invalid: RemoteDataError[] = [];
    const requested: ConnectIntegrationRequest[] = [];
    const charm = (c: Charm) => {
      const p = new ConnectProvider(c, { endpoint: ENDPOINT });
      p.on("invalid", ({ error }) => void invalid.push(error));
      p.on("integrationRequested", ({ request }) => void requested.push(request));
    };
    const out = await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, charm);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(invalid[0]?.key).toBe("plugin-url");
    expect(invalid[0]?.message).toMatch(/connect-client:0 requirer app databag key "plugin-url": only http/);
    expect(requested).toEqual([]);
    model.setAppBag(
      relationId,
      "requirer",
      requirerAppDatabag({ pluginUrl: "https://10.1.1.200/plugin.tar.gz" }),
    );
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, charm);
    expect(requested.map((r) => r.pluginUrl)).toEqual(["https://10.1.1.200/plugin.tar.gz"]);
  });

  it("without a requestInvalid listener the unit is blocked with the reason", async () => {
    const { model, relationId } = requestedModel(requirerAppDatabag({ pluginUrl: "file:///etc/shadow" }));
    await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId },
      (c) => void new ConnectProvider(c, { endpoint: ENDPOINT }),
    );
    expect(model.unitStatus("provider/0")).toMatchObject({ status: "blocked" });
    expect(model.unitStatus("provider/0").message).toContain('"plugin-url"');
  });

  it("a plugin-url changed after the request is invalid; the original answer stays", async () => {
    const { model, relationId, ref } = requestedModel();
    const invalid: RemoteDataError[] = [];
    const charm = (c: Charm) => {
      const p = new ConnectProvider(c, { endpoint: ENDPOINT });
      p.on("invalid", ({ error }) => void invalid.push(error));
      p.on("integrationRequested", ({ request }) => p.publish(request, ANSWER));
    };
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, charm);
    const before = model.appBag(relationId, "provider");
    model.setAppBag(relationId, "requirer", requirerAppDatabag({ pluginUrl: "http://elsewhere/p.tgz" }));
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, charm);
    expect(invalid.map((e) => e.key)).toEqual(["plugin-url"]);
    expect(model.appBag(relationId, "provider")).toEqual(before);
    expect(ref.id).toBe(relationId);
  });
});

describe("integrationRemoved", () => {
  it("relation-broken on every unit: the user and plugin prefix to clean up; the leader removes the secrets", async () => {
    const { model, relationId, ref } = requestedModel();
    await withProvider(model, (p) => p.publish({ relation: ref }, ANSWER));
    expect(model.secrets()).toHaveLength(2);
    model.relation(relationId).dying = true;
    const removed: ConnectIntegrationRemoved[] = [];
    const dir = mkdtempSync(join(tmpdir(), "connect-provider-state-"));
    for (const unit of ["provider/1", "provider/0"]) {
      model.relation(relationId).left.push(unit);
      const out = await runHook(model, { unit, kind: "relation-broken", relationId }, (c) => {
        new ConnectProvider(c, { endpoint: ENDPOINT, stateDir: dir }).on(
          "integrationRemoved",
          (e) => void removed.push(e),
        );
      });
      expect(out.ok).toBe(true);
    }
    expect(removed).toEqual([
      {
        relation: ref,
        remoteApp: "requirer",
        username: "relation-0",
        pluginPrefix: "relation-0",
        unitDeparting: false,
      },
      {
        relation: ref,
        remoteApp: "requirer",
        username: "relation-0",
        pluginPrefix: "relation-0",
        unitDeparting: false,
      },
    ]);
    expect(model.secrets()).toEqual([]);
  });

  it("a departing leader keeps the relation's secrets (the relation lives on for the other units)", async () => {
    const { model, relationId, ref } = requestedModel();
    await withProvider(model, (p) => p.publish({ relation: ref }, ANSWER));
    const dir = mkdtempSync(join(tmpdir(), "connect-provider-state-"));
    const removed: ConnectIntegrationRemoved[] = [];
    const charm = (c: Charm) => {
      new ConnectProvider(c, { endpoint: ENDPOINT, stateDir: dir }).on(
        "integrationRemoved",
        (e) => void removed.push(e),
      );
    };
    for (const remote of ["requirer/0", "requirer/1"]) {
      const out = await runHook(
        model,
        {
          unit: "provider/0",
          kind: "relation-departed",
          relationId,
          remoteUnit: remote,
          departingUnit: "provider/0",
        },
        charm,
      );
      expect(out.ok).toBe(true);
    }
    model.relation(relationId).left.push("provider/0");
    await runHook(model, { unit: "provider/0", kind: "relation-broken", relationId }, charm);
    expect(removed).toEqual([
      {
        relation: ref,
        remoteApp: "requirer",
        username: "relation-0",
        pluginPrefix: "relation-0",
        unitDeparting: true,
      },
    ]);
    expect(model.secrets()).toHaveLength(2);
    // The marker stays with the departing unit (its charm dir goes with it): a retried
    // relation-broken must give the same answer.
    expect(readdirSync(dir)).toEqual(["departing.provider-0.connect-client.0"]);
  });

  it("isOfRelation does not confuse relation-1 with relation-10", () => {
    expect(isOfRelation("relation-1", 1)).toBe(true);
    expect(isOfRelation("relation-1-0123456789abcdef", 1)).toBe(true);
    expect(isOfRelation("relation-1.tar.gz", 1)).toBe(true);
    expect(isOfRelation("relation-10", 1)).toBe(false);
    expect(isOfRelation("relation-10.tar", 1)).toBe(false);
  });
});
