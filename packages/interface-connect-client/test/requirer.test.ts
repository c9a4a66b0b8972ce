import { type Charm, ProtocolEncodeError, type RemoteDataError } from "@charm-relations/juju-secrets-core";
import { DEFAULT_REQUESTED_SECRETS, pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { describe, expect, it } from "vitest";
import { type ConnectIntegration, ConnectRequirer, NOT_REQUIRED } from "../src/index.js";
import { tlsSecretContent, userSecretContent } from "../src/testing.js";
import { ENDPOINT, relatedModel, runHook } from "./helpers.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----";
type Seen = {
  name: string;
  integration?: ConnectIntegration;
  groups?: readonly string[];
  error?: RemoteDataError;
};

function requirerCharm(seen: Seen[], options: { pluginUrl?: string; invalidListener?: boolean } = {}) {
  return (charm: Charm) => {
    const r = new ConnectRequirer(charm, {
      endpoint: ENDPOINT,
      pluginUrl: options.pluginUrl ?? NOT_REQUIRED,
    });
    r.on(
      "integrationCreated",
      ({ connection: integration }) => void seen.push({ name: "integrationCreated", integration }),
    );
    r.on(
      "endpointsChanged",
      ({ connection: integration }) => void seen.push({ name: "endpointsChanged", integration }),
    );
    r.on(
      "credentialsRotated",
      ({ connection: integration, groups }) =>
        void seen.push({ name: "credentialsRotated", integration, groups }),
    );
    r.on("gone", () => void seen.push({ name: "gone" }));
    if (options.invalidListener !== false)
      r.on("invalid", ({ error }) => void seen.push({ name: "invalid", error }));
  };
}

/** The requirer asked; the provider answers with `bag` (secrets created for `user`/`tls` content). */
async function answeredWith(
  bag: (uris: { user: string; tls: string }) => Record<string, string>,
  options: { ca?: string; pluginUrl?: string } = {},
) {
  const { model, relationId } = relatedModel();
  const seen: Seen[] = [];
  await runHook(
    model,
    { unit: "requirer/0", kind: "relation-created", relationId },
    requirerCharm(seen, options),
  );
  const user = model.addSecret({
    owner: "provider",
    content: userSecretContent({ password: "pw-1" }),
    label: "connect-client.0.user.secret",
    grants: [{ relationId }],
  });
  const tls = model.addSecret({
    owner: "provider",
    content: tlsSecretContent(options.ca !== undefined ? { ca: options.ca } : {}),
    label: "connect-client.0.tls.secret",
    grants: [{ relationId }],
  });
  model.setAppBag(relationId, "provider", bag({ user, tls }));
  return { model, relationId, seen, user, tls };
}

const change = (
  model: ReturnType<typeof relatedModel>["model"],
  relationId: number,
  seen: Seen[],
  unit = "requirer/0",
  opts = {},
) => runHook(model, { unit, kind: "relation-changed", relationId }, requirerCharm(seen, opts));

describe("ConnectRequirer options", () => {
  it("NOT-REQUIRED is written as the sentinel, with the full secret lists in the same hook", async () => {
    const { model, relationId } = relatedModel();
    const out = await runHook(
      model,
      { unit: "requirer/0", kind: "relation-created", relationId },
      requirerCharm([]),
    );
    expect(out.commit?.databags.find((d) => d.bag === "app")?.set).toEqual({
      "plugin-url": "NOT-REQUIRED",
      "provided-secrets": '["mtls-cert"]',
      "requested-secrets": pyDumps(DEFAULT_REQUESTED_SECRETS),
    });
  });

  it.each(["ftp://x/p.tar", "not-required", "", "http://"])(
    "rejects pluginUrl %j with a ProtocolEncodeError naming pluginUrl",
    async (url) => {
      const { model, relationId } = relatedModel();
      const out = await runHook(
        model,
        { unit: "requirer/0", kind: "relation-created", relationId },
        requirerCharm([], { pluginUrl: url }),
      );
      expect(out.ok).toBe(false);
      expect(out.error).toBeInstanceOf(ProtocolEncodeError);
      expect((out.error as ProtocolEncodeError).field).toBe("pluginUrl");
      expect(model.appBag(relationId, "requirer")).toEqual({});
    },
  );
});

describe("TLS off and on", () => {
  it("TLS off: tls false, tlsCa null even though the wire says tls-ca 'disabled'", async () => {
    const { model, relationId, seen } = await answeredWith(({ user, tls }) => ({
      endpoints: "http://10.1.0.10:8083",
      "secret-user": user,
      "secret-tls": tls,
    }));
    await change(model, relationId, seen);
    expect(seen.map((s) => s.name)).toEqual(["integrationCreated"]);
    expect(seen[0]!.integration).toMatchObject({
      tls: false,
      tlsCa: null,
      pluginUrl: null,
      username: "relation-0",
      password: "pw-1",
    });
  });

  it("TLS on: tls true and the PEM", async () => {
    const { model, relationId, seen } = await answeredWith(
      ({ user, tls }) => ({
        endpoints: "https://10.1.0.10:8083,https://10.1.0.11:8083",
        "secret-user": user,
        "secret-tls": tls,
      }),
      { ca: PEM },
    );
    await change(model, relationId, seen);
    expect(seen[0]!.integration).toMatchObject({
      tls: true,
      tlsCa: PEM,
      endpoints: ["https://10.1.0.10:8083", "https://10.1.0.11:8083"],
    });
  });

  it("switching TLS on later: endpointsChanged, then credentialsRotated [tls] on secret-changed", async () => {
    const { model, relationId, seen, tls } = await answeredWith(({ user, tls }) => ({
      endpoints: "http://10.1.0.10:8083",
      "secret-user": user,
      "secret-tls": tls,
    }));
    await change(model, relationId, seen);
    const s = model.secret(tls)!;
    s.revisions.push({ revision: 2, content: tlsSecretContent({ ca: PEM }) });
    s.latestRevision = 2;
    model.setAppBag(relationId, "provider", {
      ...model.appBag(relationId, "provider"),
      endpoints: "https://10.1.0.10:8083",
    });
    await change(model, relationId, seen);
    await runHook(model, { unit: "requirer/0", kind: "secret-changed", secretId: tls }, requirerCharm(seen));
    expect(seen.map((x) => x.name)).toEqual(["integrationCreated", "endpointsChanged", "credentialsRotated"]);
    expect(seen[1]!.integration?.endpoints).toEqual(["https://10.1.0.10:8083"]);
    expect(seen[2]).toMatchObject({ groups: ["tls"], integration: { tls: true, tlsCa: PEM } });
  });

  it("plain-text fallback answers (no secrets) are read too, and a plain password change is a rotation", async () => {
    const { model, relationId, seen } = await answeredWith(() => ({
      endpoints: "http://10.1.0.10:8083",
      username: "relation-0",
      password: "plain-1",
      tls: "disabled",
      "tls-ca": "disabled",
    }));
    await change(model, relationId, seen);
    model.setAppBag(relationId, "provider", { ...model.appBag(relationId, "provider"), password: "plain-2" });
    await change(model, relationId, seen);
    expect(seen.map((x) => x.name)).toEqual(["integrationCreated", "credentialsRotated"]);
    expect(seen[1]).toMatchObject({ groups: ["user"], integration: { password: "plain-2" } });
  });
});

describe("hostile provider data", () => {
  it.each([
    ["endpoints without a scheme", { endpoints: "10.1.0.10:8083" }, "endpoints"],
    ["an ftp endpoint", { endpoints: "ftp://10.1.0.10:8083" }, "endpoints"],
    ["a garbage secret URI", { "secret-user": "secret://not-a-uuid/xyz" }, "secret-user"],
    ["a status that is not JSON", { status: "{oops" }, "status"],
  ])(
    "%s → invalid naming the key; nothing written; the fix still gives integrationCreated",
    async (_what, patch, key) => {
      const { model, relationId, seen, user, tls } = await answeredWith(({ user, tls }) => ({
        endpoints: "http://10.1.0.10:8083",
        "secret-user": user,
        "secret-tls": tls,
        ...patch,
      }));
      const before = model.unitBag(relationId, "requirer/1");
      const out = await change(model, relationId, seen, "requirer/1");
      expect(out.ok).toBe(true);
      expect(out.commit?.databags).toEqual([]);
      expect(model.unitBag(relationId, "requirer/1")).toEqual(before);
      expect(seen.map((s) => s.name)).toEqual(["invalid"]);
      expect(seen[0]!.error?.key).toBe(key);
      expect(seen[0]!.error?.message).toContain(
        `connect-client:${relationId} provider app databag key "${key}"`,
      );
      expect(seen[0]!.error?.message).not.toContain("pw-1");
      model.setAppBag(relationId, "provider", {
        endpoints: "http://10.1.0.10:8083",
        "secret-user": user,
        "secret-tls": tls,
      });
      await change(model, relationId, seen, "requirer/1");
      expect(seen.map((s) => s.name)).toEqual(["invalid", "integrationCreated"]);
    },
  );

  it("a user secret without a password → invalid (not 'not ready'); the fixed secret still gives integrationCreated", async () => {
    const { model, relationId, seen, user } = await answeredWith(({ user, tls }) => ({
      endpoints: "http://10.1.0.10:8083",
      "secret-user": user,
      "secret-tls": tls,
    }));
    const s = model.secret(user)!;
    s.revisions[0]!.content = { username: "relation-0", uris: "x" };
    const out = await change(model, relationId, seen);
    expect(out.commit?.databags).toEqual([]);
    // Each commit replaces the model's secret objects: fetch it again before editing.
    model.secret(user)!.revisions[0]!.content = { username: "relation-0", password: "" };
    await change(model, relationId, seen);
    // Named after the secret that holds it: that is where an operator looks.
    expect(seen.map((x) => [x.name, x.error?.key])).toEqual([
      ["invalid", "secret-user/password"],
      ["invalid", "secret-user/password"],
    ]);
    expect(model.unitBag(relationId, "requirer/0").data).toBeUndefined();
    const again = model.secret(user)!;
    again.revisions.push({ revision: 2, content: { username: "relation-0", password: "fixed" } });
    again.latestRevision = 2;
    await change(model, relationId, seen);
    expect(seen.map((x) => x.name).at(-1)).toBe("integrationCreated");
    expect(seen.at(-1)!.integration?.password).toBe("fixed");
  });

  it("without an invalid listener the unit is blocked with a message naming relation and key", async () => {
    const { model, relationId, seen } = await answeredWith(({ user }) => ({
      endpoints: "localhost:8083",
      "secret-user": user,
    }));
    const out = await change(model, relationId, seen, "requirer/0", { invalidListener: false });
    expect(out.ok).toBe(true);
    expect(model.unitStatus("requirer/0").status).toBe("blocked");
    expect(model.unitStatus("requirer/0").message).toContain(
      'connect-client:0 provider app databag key "endpoints"',
    );
  });
});

describe("v1 contract", () => {
  it("our requirer in v1 against our provider: request object, answer per request id, integrationCreated", async () => {
    const { model, relationId } = relatedModel();
    const seen: Seen[] = [];
    const requirer = (charm: Charm) => {
      const r = new ConnectRequirer(charm, {
        endpoint: ENDPOINT,
        pluginUrl: "http://10.1.1.200:8080/p.tgz",
        contract: "v1",
      });
      r.on(
        "integrationCreated",
        ({ connection: integration }) => void seen.push({ name: "integrationCreated", integration }),
      );
    };
    await runHook(model, { unit: "requirer/0", kind: "relation-created", relationId }, requirer);
    const bag = model.appBag(relationId, "requirer");
    expect(bag.version).toBe("v1");
    const [req] = JSON.parse(bag.requests!) as Record<string, unknown>[];
    expect(req).toMatchObject({ resource: "http://10.1.1.200:8080/p.tgz" });
    const { ConnectProvider } = await import("../src/index.js");
    await runHook(model, { unit: "provider/0", kind: "relation-changed", relationId }, (charm) => {
      const p = new ConnectProvider(charm, { endpoint: ENDPOINT });
      p.on("integrationRequested", ({ request }) => {
        expect(request).toMatchObject({
          contract: "v1",
          pluginUrl: "http://10.1.1.200:8080/p.tgz",
          username: `relation-0-${req!["request-id"]}`,
        });
        p.publish(request, {
          endpoints: ["http://10.1.0.10:8083"],
          username: request.username,
          password: "pw",
          tls: false,
        });
      });
    });
    await runHook(model, { unit: "requirer/1", kind: "relation-changed", relationId }, requirer);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.integration).toMatchObject({
      contract: "v1",
      requestId: req!["request-id"],
      username: `relation-0-${req!["request-id"]}`,
    });
  });
});
