import { describe, expect, it } from "vitest";
import { Style } from "../src/output.js";
import { displayValue, toolSummary } from "../src/render.js";
import { redactValue } from "../src/simulate.js";

describe("redactValue", () => {
  it("hides credentials by key name and by content", () => {
    expect(redactValue("password", "s3cret")).toBe("<redacted>");
    expect(redactValue("entity-password", "s3cret")).toBe("<redacted>");
    expect(redactValue("client_key", "-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----")).toBe(
      "<redacted>",
    );
    expect(redactValue("uris", "postgresql://u:p@h:5432/db")).toBe("<redacted>");
    expect(redactValue("anything", "postgresql://relation-0:pw@10.1.0.10:5432/myapp")).toBe("<redacted>");
    expect(redactValue("notes", "x -----BEGIN EC PRIVATE KEY----- y")).toBe("<redacted>");
  });

  it("keeps what is not a credential: secret URIs, endpoints, certificates, empty values", () => {
    expect(
      redactValue("secret-user", "secret://8c7e20bb-710f-4f64-b51d-4acb46656498/0qo3fklh59sgbav5gc67"),
    ).toMatch(/^secret:/);
    expect(redactValue("endpoints", "10.1.0.10:5432")).toBe("10.1.0.10:5432");
    expect(redactValue("endpoints", "http://10.1.0.10:8083")).toBe("http://10.1.0.10:8083");
    expect(redactValue("client_cert", "-----BEGIN CERTIFICATE-----")).toBe("-----BEGIN CERTIFICATE-----");
    expect(redactValue("password", "")).toBe("");
  });
});

describe("displayValue", () => {
  it("summarises long and structured values", () => {
    expect(displayValue("myapp")).toBe('"myapp"');
    expect(displayValue('["mtls-cert"]')).toBe('["mtls-cert"]');
    expect(displayValue(JSON.stringify(Array(8).fill("username-and-more")))).toBe("<JSON array, 8 items>");
    expect(displayValue('{"a": "1", "b": "2"}')).toBe("<JSON {a, b}>");
    expect(
      displayValue(
        "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----",
      ),
    ).toBe("<PEM, 2 certificates>");
    expect(displayValue("secret://8c7e20bb-710f-4f64-b51d-4acb46656498/0qo3fklh59sgbav5gc67")).toBe(
      "secret:…/0qo3fklh59sgbav5gc67",
    );
    expect(displayValue("x".repeat(100))).toMatch(/…" \(100 chars\)$/);
    expect(displayValue("<redacted>")).toBe("<redacted>");
  });

  it("counts hook tools in order of first use", () => {
    const c = (tool: string) => ({ tool, argv: [], exitCode: 0 });
    expect(toolSummary([c("is-leader"), c("relation-get"), c("relation-get"), c("secret-add")])).toBe(
      "is-leader, relation-get×2, secret-add",
    );
  });
});

describe("Style", () => {
  it("is the identity without colour, and uses grep-able words for marks", () => {
    const plain = new Style(false);
    expect(plain.red("x")).toBe("x");
    expect(plain.mark(true)).toBe("ok  ");
    expect(plain.mark(false)).toBe("FAIL");
    expect(new Style(true).red("x")).toBe("\u001b[31mx\u001b[39m");
  });
});

describe("redactValue inside JSON values", () => {
  it("redacts credentials nested in a JSON snapshot, and keeps clean JSON byte for byte", () => {
    const snapshot = JSON.stringify({ database: "myapp", password: "pw-123", nested: { client_key: "k" } });
    const out = redactValue("data", snapshot);
    expect(JSON.parse(out)).toEqual({
      database: "myapp",
      password: "<redacted>",
      nested: { client_key: "<redacted>" },
    });
    // JSON inside JSON (v0 snapshots hold the requirer's `requested-secrets` as a string).
    const double = JSON.stringify({ data: JSON.stringify({ uris: "postgresql://u:p@h/db" }) });
    expect(redactValue("data", double)).not.toContain("u:p@");
    const clean = '{"database": "myapp", "requested-secrets": "[\\"username\\"]"}';
    expect(redactValue("data", clean)).toBe(clean);
    expect(redactValue("requests", '[{"resource": "app:*", "salt": "abc"}]')).toBe(
      '[{"resource": "app:*", "salt": "abc"}]',
    );
  });
});
