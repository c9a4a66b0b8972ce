/** The helpers interface packages build on: answers, options, connections, descriptors, test builders. */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { credentialConnection } from "../src/engine/connection.js";
import { databaseRequestSpec } from "../src/engine/database.js";
import type { Answer } from "../src/engine/definition.js";
import { bagJsonSchemas } from "../src/engine/descriptor.js";
import {
  answerFields,
  parseAnswer,
  refuseSharedCredentials,
  tlsAnswerFields,
} from "../src/engine/interface.js";
import { checkedOption } from "../src/engine/options.js";
import { ProtocolEncodeError } from "../src/protocol/json.js";
import {
  commaList,
  credentialsSecret,
  hostPort,
  providerUnit,
  resourceName,
  toWireJsonSchema,
  v0AnsweredProviderApp,
  v0ProviderApp,
} from "../src/schema/index.js";
import { seededScenario, v0RequirerAppBag, v1RequirerAppBag } from "../src/testing/index.js";

const thrown = (f: () => unknown): ProtocolEncodeError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolEncodeError) return e;
    throw e;
  }
  throw new Error("did not throw");
};

describe("answers", () => {
  const input = z.strictObject({ endpoints: z.array(hostPort()).optional(), tls: z.boolean().optional() });

  it("parseAnswer returns the parsed answer, or names the field (list items by index) and never the value", () => {
    expect(parseAnswer(input, { endpoints: ["10.1.0.10:6379"] })).toEqual({ endpoints: ["10.1.0.10:6379"] });
    const bad = thrown(() => parseAnswer(input, { endpoints: ["10.1.0.10:6379", "s3cret value"] }));
    expect(bad.field).toBe("endpoints[1]");
    expect(bad.message).not.toContain("s3cret");
    const unknown = thrown(() => parseAnswer(input, { pasword: "x" }));
    expect([unknown.field, unknown.rule]).toEqual(["pasword", "unknown field"]);
  });

  it("refuseSharedCredentials: an answer for every request carries no credentials", () => {
    expect(() => refuseSharedCredentials({ endpoints: ["a:1"] })).not.toThrow();
    expect(thrown(() => refuseSharedCredentials({ password: "x" })).field).toBe("username/password");
    expect(thrown(() => refuseSharedCredentials({ username: undefined })).field).toBe("username/password");
  });

  it("answerFields writes the resource echo with the credentials, unless the answer sets or removes it", () => {
    const echo = { database: "myapp" };
    expect(answerFields({ username: "u", password: "p" }, { echo })).toEqual({
      username: "u",
      password: "p",
      database: "myapp",
    });
    expect(answerFields({ entityName: "e" }, { echo }).database).toBe("myapp");
    expect(answerFields({ endpoints: ["h:1"] }, { echo })).toEqual({ endpoints: "h:1" });
    expect(answerFields({ username: "u", database: "other" }, { echo }).database).toBe("other");
    const removed = answerFields({ username: "u", database: null }, { echo });
    expect("database" in removed && removed.database === undefined).toBe(true);
  });
});

describe("tlsAnswerFields", () => {
  const v0 = { on: "enabled", off: "disabled", offCa: "disabled" };
  const v1 = { on: "true", off: "false" };

  it("spells tls per interface; off removes the CA (or writes the off spelling); a CA needs tls on", () => {
    expect(tlsAnswerFields(undefined, undefined, v1)).toEqual({});
    expect(tlsAnswerFields(true, "PEM", v1)).toEqual({ tls: "true", "tls-ca": "PEM" });
    expect(tlsAnswerFields(true, undefined, v0)).toEqual({ tls: "enabled" });
    const nulled = tlsAnswerFields(true, null, v1);
    expect("tls-ca" in nulled && nulled["tls-ca"] === undefined).toBe(true);
    const off = tlsAnswerFields(false, undefined, v1);
    expect(off.tls === "false" && "tls-ca" in off && off["tls-ca"] === undefined).toBe(true);
    expect(tlsAnswerFields(false, undefined, v0)).toEqual({ tls: "disabled", "tls-ca": "disabled" });
    expect(thrown(() => tlsAnswerFields(false, "PEM", v1)).field).toBe("tlsCa");
    expect(thrown(() => tlsAnswerFields(undefined, "PEM", v1)).field).toBe("tlsCa");
  });
});

describe("requirer options", () => {
  it("checkedOption returns the value or throws ProtocolEncodeError naming the option with the schema's rule", () => {
    expect(checkedOption(resourceName(), "myindex", "index")).toBe("myindex");
    const e = thrown(() => checkedOption(resourceName(), " padded", "index"));
    expect([e.field, e.rule]).toEqual(["index", "must not have surrounding blanks"]);
  });

  it("databaseRequestSpec checks the entity options once, in order, and keeps the request's key order", () => {
    expect(thrown(() => databaseRequestSpec({ database: "db", extraUserRoles: ["a,b"] })).field).toBe(
      "extraUserRoles",
    );
    expect(
      thrown(() => databaseRequestSpec({ database: "db", entityType: "GROUP", extraUserRoles: ["r"] })).field,
    ).toBe("extraUserRoles");
    expect(thrown(() => databaseRequestSpec({ database: "db", requestedEntity: { name: " " } })).field).toBe(
      "requestedEntity.name",
    );
    expect(thrown(() => databaseRequestSpec({ database: "x" }, () => "too short")).rule).toBe("too short");
    const spec = databaseRequestSpec(
      { database: "db", externalNodeConnectivity: true, extraUserRoles: ["admin"], entityType: "USER" },
      undefined,
      { "prefix-matching": "all" },
    );
    expect(Object.keys(spec)).toEqual([
      "resource",
      "extraUserRoles",
      "entityType",
      "externalNodeConnectivity",
      "extra",
    ]);
  });
});

describe("credentialConnection", () => {
  const answer = (secrets: Answer["secrets"]): Answer => ({
    relation: { endpoint: "database", id: 3 },
    remoteApp: "mysql",
    contract: "v0",
    resource: "myapp",
    entity: false,
    raw: {},
    secrets,
    pendingSecrets: [],
    ready: true,
  });

  it("reads credentials, the CA (not a 'none' spelling) and the entity; plain when no secret-user", () => {
    expect(credentialConnection({ username: "u", password: "p", "tls-ca": "PEM" }, answer(["user"]))).toEqual(
      {
        relation: { endpoint: "database", id: 3 },
        remoteApp: "mysql",
        username: "u",
        password: "p",
        tlsCa: "PEM",
        mode: "secrets",
      },
    );
    const plain = credentialConnection({ username: "u", "tls-ca": "disabled" }, answer([]));
    expect([plain.mode, plain.tlsCa]).toEqual(["plain", undefined]);
    const entity = credentialConnection({ "entity-name": "g", "entity-password": "" }, answer(["entity"]));
    expect([entity.entityName, entity.entityPassword, entity.mode]).toEqual(["g", undefined, "secrets"]);
  });
});

describe("schema blocks", () => {
  it("credentialsSecret(uri) adds the URI fields; v0AnsweredProviderApp needs secret-user or plain credentials", () => {
    const user = credentialsSecret(commaList);
    expect(user.parse({ username: "u", uris: "a://x,b://y" }).uris).toEqual(["a://x", "b://y"]);
    expect(user.safeParse({ password: "p" }).success).toBe(false);
    const app = v0ProviderApp({ database: z.string().optional() }, { user: credentialsSecret() });
    const answered = v0AnsweredProviderApp(app, { database: z.string().min(1) });
    expect(answered.safeParse({ database: "db", "secret-user": "secret:abc" }).success).toBe(true);
    expect(answered.safeParse({ database: "db", username: "u", password: "p" }).success).toBe(true);
    expect(answered.safeParse({ database: "db", username: "u" }).success).toBe(false);
    expect(answered.safeParse({ "secret-user": "secret:abc" }).success).toBe(false);
  });

  it("bagJsonSchemas: the contract's bags, else the v0 ones", () => {
    const v0App = z.looseObject({ database: z.string() });
    const v1App = z.looseObject({ requests: z.string() });
    const js = bagJsonSchemas({
      provider: { v0: { app: v0App, unit: providerUnit }, v1: { app: v1App, unit: providerUnit } },
      requirer: { v0: { app: v0App, unit: providerUnit } },
    });
    expect(js("provider", "v1").app).toEqual(toWireJsonSchema(v1App));
    expect(js("requirer", "v1").app).toEqual(toWireJsonSchema(v0App));
    expect(js("provider", "v0").unit).toEqual(toWireJsonSchema(providerUnit));
  });
});

describe("testing builders", () => {
  it("v0RequirerAppBag: the bytes DatabaseRequires writes, roles and the pre-secrets variant", () => {
    expect(v0RequirerAppBag("database", "myapp")).toEqual({
      database: "myapp",
      "provided-secrets": '["mtls-cert"]',
      "requested-secrets":
        '["username", "password", "tls", "tls-ca", "uris", "read-only-uris", "entity-name", "entity-password"]',
    });
    const legacy = v0RequirerAppBag("index", "i", { extraUserRoles: "admin", requestedSecrets: false });
    expect(legacy).toEqual({ index: "i", "provided-secrets": '["mtls-cert"]', "extra-user-roles": "admin" });
  });

  it("v1RequirerAppBag: one request per entry with its salt and request id, in the definition's key order", () => {
    const bag = v1RequirerAppBag(
      { name: "x", trailingMtlsCert: true } as never,
      [{ resource: "a:*" }],
      ["salt0001"],
    );
    expect(bag.version).toBe("v1");
    const [request] = JSON.parse(bag.requests!) as Record<string, unknown>[];
    expect(Object.keys(request!).slice(0, 3)).toEqual(["resource", "request-id", "salt"]);
    expect(Object.keys(request!).at(-1)).toBe("mtls-cert");
    expect(request).toMatchObject({ resource: "a:*", salt: "salt0001" });
    expect(
      v1RequirerAppBag({ name: "x" } as never, [{ resource: "a:*" }], ["salt0001"]).requests,
    ).not.toContain("mtls-cert");
  });

  it("seededScenario: the default contract, the seed config and a rotation that changes the seed", async () => {
    const scenario = seededScenario({
      contracts: ["v1", "v0"],
      endpoint: "ep",
      provider: {
        app: "server",
        create: () => ({ on: () => () => {}, answeredRequests: () => [] as string[] }),
        listen: () => {},
        answer: () => {},
      },
      requirer: {
        app: "client",
        create: () => ({ on: () => () => {}, connections: () => [] }),
        listen: () => {},
      },
      rotation: "server rotates",
    });
    expect([scenario.contracts, scenario.defaultContract]).toEqual([["v1", "v0"], "v1"]);
    const run = scenario.build("v0");
    expect(run.provider).toMatchObject({
      app: "server",
      endpoint: "ep",
      units: 2,
      config: { "password-seed": "1" },
    });
    expect(run.requirer).toMatchObject({ app: "client", endpoint: "ep", units: 2 });
    const configured: unknown[] = [];
    await run.rotate.apply({ configure: (...args: unknown[]) => configured.push(args) } as never);
    expect(configured).toEqual([["server", { "password-seed": "2" }]]);
  });
});
