import { describe, expect, it } from "vitest";
import { SecretContentError } from "../src/errors.js";
import { ProtocolEncodeError } from "../src/protocol/json.js";
import {
  CREDENTIAL_FIELDS,
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  encryptionSecretLabel,
  groupOf,
  groupOfSecretKey,
  isCredentialField,
  isSecretGroup,
  parseSecretLabel,
  requestedEntityLabel,
  SECRET_GROUPS,
  SECRET_KEY_RE,
  secretKey,
  secretLabel,
  validateSecretContent,
} from "../src/protocol/secrets.js";

describe("secret groups", () => {
  it("maps each field to its group and everything else to extra", () => {
    expect(["username", "password", "uris", "read-only-uris"].map(groupOf)).toEqual([
      "user",
      "user",
      "user",
      "user",
    ]);
    expect(["tls", "tls-ca"].map(groupOf)).toEqual(["tls", "tls"]);
    expect(["entity-name", "entity-password"].map(groupOf)).toEqual(["entity", "entity"]);
    expect(groupOf("mtls-cert")).toBe("mtls");
    expect(groupOf("zookeeper-uris")).toBe("extra");
    expect(groupOf("consumer-group-prefix")).toBe("extra");
    expect(groupOf("__proto__")).toBe("extra");
  });

  it("lists exactly the content keys of protocol §6.1", () => {
    expect(SECRET_GROUPS).toEqual({
      user: ["username", "password", "uris", "read-only-uris"],
      tls: ["tls", "tls-ca"],
      entity: ["entity-name", "entity-password"],
      mtls: ["mtls-cert"],
      extra: [],
    });
  });

  it("builds and parses secret-<group> databag keys", () => {
    expect(secretKey("user")).toBe("secret-user");
    expect(secretKey("mtls")).toBe("secret-mtls");
    expect(groupOfSecretKey("secret-tls")).toBe("tls");
    expect(groupOfSecretKey("secret-extra")).toBe("extra");
    expect(groupOfSecretKey("secret-other")).toBeUndefined();
    expect(groupOfSecretKey("user")).toBeUndefined();
    expect(groupOfSecretKey("secret-constructor")).toBeUndefined();
    expect(isSecretGroup("toString")).toBe(false);
  });

  it("has the byte-exact default lists", () => {
    expect(JSON.stringify(DEFAULT_REQUESTED_SECRETS)).toBe(
      '["username","password","tls","tls-ca","uris","read-only-uris","entity-name","entity-password"]',
    );
    expect([...DEFAULT_PROVIDED_SECRETS]).toEqual(["mtls-cert"]);
    expect([...CREDENTIAL_FIELDS]).toEqual(["password", "uris", "read-only-uris", "entity-password"]);
    expect(isCredentialField("read-only-uris")).toBe(true);
    expect(isCredentialField("username")).toBe(false);
  });
});

describe("secret labels", () => {
  it("formats v0 and v1 labels", () => {
    expect(secretLabel({ endpoint: "database", relationId: 5, group: "user" })).toBe(
      "database.5.user.secret",
    );
    expect(secretLabel({ endpoint: "etcd-client", relationId: 7, group: "mtls" })).toBe(
      "etcd-client.7.mtls.secret",
    );
    expect(
      secretLabel({ endpoint: "valkey-client", relationId: 0, requestId: "589eb0c1e776d6fb", group: "user" }),
    ).toBe("valkey-client.0.589eb0c1e776d6fb.user.secret");
  });

  it("parses v0 and v1 labels", () => {
    expect(parseSecretLabel("database.5.user.secret")).toEqual({
      endpoint: "database",
      relationId: 5,
      group: "user",
    });
    expect(parseSecretLabel("valkey-client.0.589eb0c1e776d6fb.tls.secret")).toEqual({
      endpoint: "valkey-client",
      relationId: 0,
      requestId: "589eb0c1e776d6fb",
      group: "tls",
    });
  });

  it("parses from the right, so dotted endpoint names work (I-16)", () => {
    expect(parseSecretLabel("my.db.12.entity.secret")).toEqual({
      endpoint: "my.db",
      relationId: 12,
      group: "entity",
    });
    expect(parseSecretLabel("a.b.3.df0718fb3c8aecca.mtls.secret")).toEqual({
      endpoint: "a.b",
      relationId: 3,
      requestId: "df0718fb3c8aecca",
      group: "mtls",
    });
    // An endpoint ending in a number segment with a v0 label.
    expect(parseSecretLabel("ep.5.7.user.secret")).toEqual({
      endpoint: "ep.5",
      relationId: 7,
      group: "user",
    });
  });

  it("reads an all-digit 16-hex request id as v1", () => {
    expect(parseSecretLabel("ep.3.1234567890123456.user.secret")).toEqual({
      endpoint: "ep",
      relationId: 3,
      requestId: "1234567890123456",
      group: "user",
    });
  });

  it("round-trips every group in both formats", () => {
    for (const group of Object.keys(SECRET_GROUPS) as (keyof typeof SECRET_GROUPS)[]) {
      const v0 = { endpoint: "db.x", relationId: 42, group };
      expect(parseSecretLabel(secretLabel(v0))).toEqual(v0);
      const v1 = { endpoint: "db.x", relationId: 42, requestId: "c4c5c119c9345ffa", group };
      expect(parseSecretLabel(secretLabel(v1))).toEqual(v1);
    }
  });

  it("returns undefined for labels that are not ours", () => {
    for (const label of [
      "",
      "database.5.user",
      "database.5.user.secrets",
      "database.x.user.secret",
      "database.5.other.secret",
      ".5.user.secret",
      "5.user.secret",
      "8c7e20bb-710f-4f64-b51d-4acb46656498-3-requested-entity",
    ]) {
      expect(parseSecretLabel(label), label).toBeUndefined();
    }
  });

  it("refuses label parts that would not parse back", () => {
    expect(() => secretLabel({ endpoint: "", relationId: 1, group: "user" })).toThrow(ProtocolEncodeError);
    expect(() => secretLabel({ endpoint: "db", relationId: -1, group: "user" })).toThrow(/relationId/);
    expect(() => secretLabel({ endpoint: "db", relationId: 1.5, group: "user" })).toThrow(/relationId/);
    expect(() => secretLabel({ endpoint: "db", relationId: 1, requestId: "a.b", group: "user" })).toThrow(
      /requestId/,
    );
    expect(() => secretLabel({ endpoint: "db", relationId: 1, requestId: "12", group: "user" })).toThrow(
      /requestId/,
    );
    expect(() => secretLabel({ endpoint: "db", relationId: 1, requestId: "", group: "user" })).toThrow(
      /requestId/,
    );
    expect(() => secretLabel({ endpoint: "db", relationId: 1, group: "bogus" as "user" })).toThrow(/group/);
  });

  it("formats the auxiliary labels", () => {
    const uuid = "8c7e20bb-710f-4f64-b51d-4acb46656498";
    expect(requestedEntityLabel(uuid, 3)).toBe(`${uuid}-3-requested-entity`);
    expect(encryptionSecretLabel(uuid, 3)).toBe(`${uuid}-3-encryption-secret`);
  });
});

describe("secret content", () => {
  it("uses Juju's key regex", () => {
    for (const key of ["username", "tls-ca", "read-only-uris", "mtls-cert", "encryption-key", "abc", "a1b"]) {
      expect(SECRET_KEY_RE.test(key), key).toBe(true);
    }
    for (const key of ["ab", "Username", "tls_ca", "-abc", "abc-", "a--b", "1abc", "a b", "abc#file"]) {
      expect(SECRET_KEY_RE.test(key), key).toBe(false);
    }
  });

  it("accepts protocol content, including empty values", () => {
    expect(validateSecretContent({ username: "relation-0", password: "p", "tls-ca": "" })).toEqual([]);
  });

  it("rejects empty content and non-objects", () => {
    expect(() => validateSecretContent({})).toThrow(SecretContentError);
    expect(() => validateSecretContent(null as unknown as Record<string, string>)).toThrow(
      SecretContentError,
    );
    expect(() => validateSecretContent(["x"] as unknown as Record<string, string>)).toThrow(
      SecretContentError,
    );
  });

  it("names a bad key and never the value", () => {
    try {
      validateSecretContent({ username: "u", Bad_Key: "s3cr3t-value" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SecretContentError);
      expect((e as SecretContentError).key).toBe("Bad_Key");
      expect((e as Error).message).toContain("Bad_Key");
      expect((e as Error).message).not.toContain("s3cr3t-value");
    }
  });

  it("rejects non-string values, naming the key", () => {
    try {
      validateSecretContent({ password: 12345 } as unknown as Record<string, string>);
      expect.unreachable();
    } catch (e) {
      expect((e as SecretContentError).key).toBe("password");
      expect((e as Error).message).not.toContain("12345");
    }
  });

  it("enforces 1,000,000 base64 bytes per key", () => {
    // 750,000 raw bytes encode to exactly 1,000,000 base64 bytes: the limit itself is allowed.
    expect(() => validateSecretContent({ big: "a".repeat(750_000) })).not.toThrow();
    const secretish = "x".repeat(750_001);
    try {
      validateSecretContent({ big: secretish });
      expect.unreachable();
    } catch (e) {
      expect((e as SecretContentError).key).toBe("big");
      expect((e as Error).message).toMatch(
        /base64 encoded secret content for key "big" too large: 1000004 bytes/,
      );
    }
  });

  it("counts UTF-8 bytes, not characters", () => {
    // 250,001 three-byte characters = 750,003 bytes → 1,000,004 base64 bytes.
    expect(() => validateSecretContent({ big: "€".repeat(250_001) })).toThrow(/1000004 bytes/);
  });

  it("enforces 1,000,000 base64 bytes in total", () => {
    const half = "a".repeat(375_000); // 500,000 base64 bytes each
    expect(() => validateSecretContent({ one: half, two: half })).not.toThrow();
    expect(() => validateSecretContent({ one: half, two: half, three: "abc" })).toThrow(/in total/);
  });

  it("warns above the older 8 KiB per key and 64 KiB total limits", () => {
    const w1 = validateSecretContent({ cert: "a".repeat(8 * 1024 + 1) });
    expect(w1).toHaveLength(1);
    expect(w1[0]).toMatch(/"cert"/);
    const chunk = "a".repeat(8 * 1024);
    const content = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`key${i}`, chunk]));
    const w2 = validateSecretContent(content);
    expect(w2.some((w) => /64 KiB/.test(w))).toBe(true);
  });
});
