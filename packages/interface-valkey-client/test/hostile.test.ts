/**
 * Hostile and broken input on both sides: malformed or dangerous remote data becomes a typed
 * `invalid` / `requestInvalid` event (or a blocked status naming relation and key when nobody
 * listens), never a crash, never a partial write; bad publish input is refused before any write.
 */
import {
  type Charm,
  NotLeaderError,
  PrematureWriteError,
  ProtocolEncodeError,
} from "@charm-relations/juju-secrets-core";
import { pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import type { JujuModel } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { ValkeyProvider } from "../src/provider.js";
import { ValkeyRequirer } from "../src/requirer.js";
import { ENDPOINT, EventLog, relatedModel, runHook } from "./harness.js";

type Invalid = { error: { message: string; key?: string; issues: readonly { key: string }[] } };

function requirer(log: EventLog, options: { listen?: boolean; contract?: "v0" | "v1" } = {}) {
  return (charm: Charm) => {
    const r = new ValkeyRequirer(charm, {
      endpoint: ENDPOINT,
      resources: options.contract === "v0" ? ["app:*"] : ["app:*", "cache:*"],
      contract: options.contract ?? "v1",
    });
    if (options.listen ?? true) r.on("invalid", (e) => log.record(charm.unit, "invalid", e));
    r.on("resourceCreated", (e) => log.record(charm.unit, "resourceCreated", e));
  };
}

/** A correct v1 answer to the requirer's current requests, with real secrets. */
function answer(
  model: JujuModel,
  id: number,
  patch: (r: Record<string, unknown>, i: number) => void = () => {},
): Record<string, string> {
  const requests = JSON.parse(model.appBag(id, "requirer").requests!) as Record<string, string>[];
  const responses = requests.map((q, i) => {
    const user = model.addSecret({
      owner: "provider",
      content: { username: `relation-${id}-${q["request-id"]}`, password: `pw${i}` },
      grants: [{ relationId: id }],
    });
    const tls = model.addSecret({
      owner: "provider",
      content: { tls: "false" },
      grants: [{ relationId: id }],
    });
    const r: Record<string, unknown> = {
      resource: q.resource,
      "request-id": q["request-id"],
      salt: q.salt,
      endpoints: "10.1.0.10:6379",
      "read-only-endpoints": "10.1.0.10:6379",
      "secret-user": user,
      "secret-tls": tls,
      "secret-extra": null,
      "secret-entity": null,
      version: "9.0.1",
      "sentinel-endpoints": "10.1.0.10:26379",
      mode: "sentinel",
      "mtls-cert": null,
    };
    patch(r, i);
    return r;
  });
  return { version: "v1", requests: pyDumps(responses) };
}

async function v1Requirer(log: EventLog, options: { listen?: boolean } = {}) {
  const { model, relationId: id } = relatedModel();
  const setup = requirer(log, options);
  expect(
    (await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId: id }, setup)).ok,
  ).toBe(true);
  return { model, id, setup };
}

describe("requirer: malformed provider data", () => {
  it("requests that are not JSON: invalid event naming the key, nothing written", async () => {
    const log = new EventLog();
    const { model, id, setup } = await v1Requirer(log);
    model.setAppBag(id, "provider", { version: "v1", requests: '[{"resource": ' });
    const out = await runHook(model, { unit: "requirer/1", kind: "relation-changed", relationId: id }, setup);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    const [e] = log.of<Invalid>("invalid", "requirer/1");
    expect(e?.error.key).toBe("requests");
    expect(e?.error.message).toContain(`${ENDPOINT}:${id}`);
  });

  it("without an invalid listener the unit goes blocked, naming relation and key", async () => {
    const log = new EventLog();
    const { model, id, setup } = await v1Requirer(log, { listen: false });
    model.setAppBag(
      id,
      "provider",
      answer(model, id, (r) => {
        r.endpoints = "https://leak-me.example:6379";
      }),
    );
    const out = await runHook(model, { unit: "requirer/0", kind: "relation-changed", relationId: id }, setup);
    expect(out.ok).toBe(true);
    const status = model.unitStatus("requirer/0");
    expect(status.status).toBe("blocked");
    expect(status.message).toContain(`${ENDPOINT}:${id}`);
    expect(status.message).toMatch(/requests\[[0-9a-f]{16}\]\.endpoints\[0\]/);
    expect(status.message).not.toContain("leak-me");
    expect(model.unitBag(id, "requirer/0")).toEqual({});
  });

  it("a bad response does not advance the snapshot: once corrected, resourceCreated fires", async () => {
    const log = new EventLog();
    const { model, id, setup } = await v1Requirer(log);
    model.setAppBag(
      id,
      "provider",
      answer(model, id, (r, i) => {
        if (i === 1) r["sentinel-endpoints"] = "nope";
      }),
    );
    await runHook(model, { unit: "requirer/1", kind: "relation-changed", relationId: id }, setup);
    expect(log.names("requirer/1")).toEqual(["invalid"]);
    expect(model.unitBag(id, "requirer/1")).toEqual({});
    model.setAppBag(id, "provider", answer(model, id));
    await runHook(model, { unit: "requirer/1", kind: "relation-changed", relationId: id }, setup);
    expect(log.names("requirer/1")).toEqual(["invalid", "resourceCreated", "resourceCreated"]);
    expect(model.unitBag(id, "requirer/1").data).toBeDefined();
  });

  it("a tls secret with an unreadable boolean is reported as invalid, naming secret-tls/tls", async () => {
    const log = new EventLog();
    const { model, id, setup } = await v1Requirer(log);
    const bag = answer(model, id);
    const responses = JSON.parse(bag.requests!) as Record<string, string>[];
    model.secret(responses[0]!["secret-tls"]!)!.revisions[0]!.content = { tls: "maybe" };
    model.setAppBag(id, "provider", bag);
    const out = await runHook(model, { unit: "requirer/0", kind: "relation-changed", relationId: id }, setup);
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(log.of<Invalid>("invalid")[0]?.error.key).toBe("secret-tls/tls");
    expect(log.names()).toEqual(["invalid"]);
  });

  it("v0: a malformed sentinel_endpoints is named", async () => {
    const log = new EventLog();
    const { model, relationId: id } = relatedModel();
    const setup = requirer(log, { contract: "v0" });
    await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId: id }, setup);
    const user = model.addSecret({
      owner: "provider",
      content: { username: "relation-0", password: "x" },
      grants: [{ relationId: id }],
    });
    model.setAppBag(id, "provider", {
      database: "app:*",
      endpoints: "10.1.0.10:6379",
      sentinel_endpoints: "10.1.0.10",
      "secret-user": user,
    });
    const out = await runHook(model, { unit: "requirer/0", kind: "relation-changed", relationId: id }, setup);
    expect(out.ok).toBe(true);
    expect(log.of<Invalid>("invalid")[0]?.error.key).toBe("sentinel_endpoints[0]");
    expect(model.unitBag(id, "requirer/0").data).toBeUndefined();
  });
});

describe("requirer: programming errors are typed and immediate", () => {
  it("rejects unsafe or missing key patterns and v0 with several", () => {
    const { model } = relatedModel();
    const charm = { model, on: () => () => {} } as unknown as Charm;
    expect(() => new ValkeyRequirer(charm, { endpoint: ENDPOINT, resources: [] })).toThrow(TypeError);
    expect(() => new ValkeyRequirer(charm, { endpoint: ENDPOINT, resources: ["a:* +@all"] })).toThrow(
      /key pattern/,
    );
    expect(
      () => new ValkeyRequirer(charm, { endpoint: ENDPOINT, resources: ["a:*", "b:*"], contract: "v0" }),
    ).toThrow(/exactly one/);
  });

  it("addRequest on a non-leader throws NotLeaderError; syncRequests there is a no-op", async () => {
    const { model, relationId: id } = relatedModel();
    const errors: unknown[] = [];
    const out = await runHook(model, { unit: "requirer/1", kind: "update-status" }, (charm) => {
      const r = new ValkeyRequirer(charm, { endpoint: ENDPOINT, resources: ["a:*"] });
      charm.on("updateStatus", () => {
        r.syncRequests();
        try {
          r.addRequest("b:*");
        } catch (e) {
          errors.push(e);
        }
      });
    });
    expect(out.ok).toBe(true);
    expect(errors[0]).toBeInstanceOf(NotLeaderError);
    expect(model.appBag(id, "requirer")).toEqual({});
  });
});

function provider(log: EventLog, options: { listen?: boolean } = {}) {
  return (charm: Charm) => {
    const p = new ValkeyProvider(charm, { endpoint: ENDPOINT });
    p.on("resourceRequested", (e) => {
      log.record(charm.unit, "resourceRequested", e);
      p.publish(e.request, {
        username: e.request.username,
        password: "pw",
        endpoints: ["10.1.0.10:6379"],
        tls: false,
      });
    });
    if (options.listen ?? true) p.on("invalid", (e) => log.record(charm.unit, "invalid", e));
  };
}

const request = (resource: string, salt: string, id?: string) => ({
  resource,
  "request-id": id ?? null,
  salt,
  "extra-user-roles": null,
  "extra-group-roles": null,
  "external-node-connectivity": false,
  "entity-type": null,
  "entity-permissions": null,
  "secret-mtls": null,
  "mtls-cert": null,
});

describe("provider: malformed or dangerous requests", () => {
  it("a key pattern that would inject ACL rules is refused: no user, nothing written", async () => {
    const log = new EventLog();
    const { model, relationId: id } = relatedModel();
    model.setAppBag(id, "requirer", {
      version: "v1",
      requests: pyDumps([request("a:* +@all ~*", "saltsaltsaltsalt")]),
    });
    const out = await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId: id },
      provider(log),
    );
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(log.names()).toEqual(["invalid"]);
    expect(log.of<Invalid>("invalid")[0]?.error.key).toMatch(/^requests\[[0-9a-f]{16}\]\.resource$/);
    expect(model.secrets()).toEqual([]);
  });

  it("v0: the same rule applies to `database`; without a listener the leader goes blocked", async () => {
    const log = new EventLog();
    const { model, relationId: id } = relatedModel();
    model.setAppBag(id, "requirer", { database: "x\ny", "requested-secrets": '["username", "password"]' });
    const out = await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId: id },
      provider(log, { listen: false }),
    );
    expect(out.ok).toBe(true);
    expect(out.commit?.databags).toEqual([]);
    expect(model.unitStatus("provider/0")).toMatchObject({ status: "blocked" });
    expect(model.unitStatus("provider/0").message).toContain('key "database"');
  });

  it("an unknown contract version is refused", async () => {
    const log = new EventLog();
    const { model, relationId: id } = relatedModel();
    model.setAppBag(id, "requirer", { version: "v2", requests: "[]" });
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId: id }, provider(log));
    expect(log.of<Invalid>("invalid")[0]?.error.key).toBe("version");
  });

  it("a request whose resource changed under the same id keeps the original answer", async () => {
    const log = new EventLog();
    const { model, relationId: id } = relatedModel();
    const salt = "abcdefghijklmnop";
    const { computeRequestId } = await import("@charm-relations/juju-secrets-core/protocol");
    const rid = computeRequestId("a:*", salt);
    model.setAppBag(id, "requirer", { version: "v1", requests: pyDumps([request("a:*", salt, rid)]) });
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId: id }, provider(log));
    const answered = model.appBag(id, "provider");
    model.setAppBag(id, "requirer", { version: "v1", requests: pyDumps([request("b:*", salt, rid)]) });
    const out = await runHook(
      model,
      { unit: "provider/0", kind: "relation-changed", relationId: id },
      provider(log),
    );
    expect(out.ok).toBe(true);
    expect(log.names()).toEqual(["resourceRequested", "invalid"]);
    expect(model.appBag(id, "provider")).toEqual(answered);
  });
});

describe("provider: publish input is validated before anything is written", () => {
  it("refuses bad endpoints, a CA without TLS, unknown fields and early credentials", async () => {
    const { model, relationId: id } = relatedModel();
    const errors: unknown[] = [];
    const out = await runHook(model, { unit: "provider/0", kind: "update-status" }, (charm) => {
      const p = new ValkeyProvider(charm, { endpoint: ENDPOINT });
      charm.on("updateStatus", () => {
        const ref = { relation: { endpoint: ENDPOINT, id } };
        for (const input of [
          { endpoints: ["https://host:6379"] },
          { tls: false, tlsCa: "PEM" },
          { tlsCa: "PEM" },
          { sentinelEndpoints: "a:1,b" },
          { pasword: "typo" },
        ]) {
          try {
            p.publish(ref, input as never);
          } catch (e) {
            errors.push(e);
          }
        }
        try {
          // v0 requirer that has not asked yet: credentials would be premature (protocol §4.5).
          p.publish(ref, { username: "u", password: "secret-pw", endpoints: ["10.1.0.10:6379"] });
        } catch (e) {
          errors.push(e);
        }
      });
    });
    expect(out.ok).toBe(true);
    expect(errors.slice(0, 5).every((e) => e instanceof ProtocolEncodeError)).toBe(true);
    expect(errors.slice(0, 5).map((e) => (e as ProtocolEncodeError).field)).toEqual([
      "endpoints[0]",
      "tlsCa",
      "tlsCa",
      "sentinelEndpoints[1]",
      "pasword",
    ]);
    expect(errors[5]).toBeInstanceOf(PrematureWriteError);
    expect(errors.map(String).join("\n")).not.toContain("secret-pw");
    expect(model.appBag(id, "provider")).toEqual({});
    expect(model.secrets()).toEqual([]);
  });

  it("publishAll refuses credentials (they are per request)", async () => {
    const { model } = relatedModel();
    const errors: unknown[] = [];
    await runHook(model, { unit: "provider/0", kind: "update-status" }, (charm) => {
      const p = new ValkeyProvider(charm, { endpoint: ENDPOINT });
      charm.on("updateStatus", () => {
        try {
          p.publishAll({ password: "x" } as never);
        } catch (e) {
          errors.push(e);
        }
      });
    });
    expect(errors[0]).toBeInstanceOf(ProtocolEncodeError);
  });
});
