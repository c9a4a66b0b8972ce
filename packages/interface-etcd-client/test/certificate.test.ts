import { describe, expect, it } from "vitest";
import {
  CaCertificateError,
  ClientCertificateError,
  isCaCertificate,
  leafCommonName,
  MalformedCertificateError,
  MissingCommonNameError,
  parseClientCertificate,
  splitPemCertificates,
} from "../src/index.js";
import {
  CA_CERT,
  CLIENT1_CERT,
  CLIENT1_RENEWED_CERT,
  CLIENT2_CERT,
  KEY_CERT_SIGN_CERT,
  NO_CN_CERT,
  UTF8_CN_CERT,
} from "./fixtures/certs.js";
import { RECORDED_CERT } from "./helpers.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("parseClientCertificate", () => {
  it("reads the CN of the recorded Python requirer certificate", () => {
    const c = parseClientCertificate(RECORDED_CERT);
    expect(c.commonName).toBe("requirer-charm");
    expect(c.chain).toHaveLength(1);
    expect(c.leaf.trim()).toBe(RECORDED_CERT.trim());
    expect(c.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("takes the CN, not another attribute, when the subject has several", () => {
    expect(parseClientCertificate(CLIENT1_CERT).commonName).toBe("client1.requirer-charm");
    expect(leafCommonName(CLIENT2_CERT)).toBe("client2.requirer-charm");
  });

  it("decodes a UTF8String CN", () => {
    expect(parseClientCertificate(UTF8_CN_CERT).commonName).toBe("émile-client");
  });

  it("uses the first certificate of a chain (leaf first) and keeps the chain", () => {
    const c = parseClientCertificate(CLIENT1_CERT + CA_CERT);
    expect(c.commonName).toBe("client1.requirer-charm");
    expect(c.chain).toHaveLength(2);
    expect(c.leaf).toBe(CLIENT1_CERT);
    expect(c.chain[1]).toBe(CA_CERT);
  });

  it("tells a renewal (same CN, new certificate) apart by fingerprint", () => {
    const a = parseClientCertificate(CLIENT1_CERT);
    const b = parseClientCertificate(CLIENT1_RENEWED_CERT);
    expect(b.commonName).toBe(a.commonName);
    expect(b.fingerprint256).not.toBe(a.fingerprint256);
    expect(b.serialNumber).not.toBe(a.serialNumber);
  });

  it("rejects a CA certificate (BasicConstraints ca=true) with a typed error", () => {
    const e = thrown(() => parseClientCertificate(CA_CERT));
    expect(e).toBeInstanceOf(CaCertificateError);
    expect(e).toBeInstanceOf(ClientCertificateError);
    expect((e as CaCertificateError).reason).toBe("ca-certificate");
    expect((e as Error).message).toContain("BasicConstraints");
    expect(isCaCertificate(CA_CERT)).toBe(true);
  });

  it("rejects a chain whose CA comes first (the leaf must come first)", () => {
    expect(() => parseClientCertificate(CA_CERT + CLIENT1_CERT)).toThrow(CaCertificateError);
  });

  it("rejects a non-CA certificate that may sign certificates (KeyUsage keyCertSign)", () => {
    const e = thrown(() => parseClientCertificate(KEY_CERT_SIGN_CERT));
    expect(e).toBeInstanceOf(CaCertificateError);
    expect((e as Error).message).toContain("keyCertSign");
    expect(isCaCertificate(KEY_CERT_SIGN_CERT)).toBe(true);
    expect(isCaCertificate(CLIENT1_CERT)).toBe(false);
  });

  it("rejects a certificate without CN", () => {
    const e = thrown(() => parseClientCertificate(NO_CN_CERT, { field: "mtls-cert" }));
    expect(e).toBeInstanceOf(MissingCommonNameError);
    expect((e as MissingCommonNameError).reason).toBe("no-common-name");
    expect(isCaCertificate(NO_CN_CERT)).toBe(false);
  });

  it.each([
    ["plain text", "not a certificate at all"],
    ["a private key", "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END PRIVATE KEY-----\n"],
  ])("rejects %s with MalformedCertificateError", (_, text) => {
    const e = thrown(() => parseClientCertificate(text, { field: "etcd-client:3 mtls-cert" }));
    expect(e).toBeInstanceOf(MalformedCertificateError);
    expect((e as MalformedCertificateError).reason).toBe("malformed");
    expect((e as MalformedCertificateError).index).toBeUndefined();
    expect((e as Error).message).toMatch(/^etcd-client:3 mtls-cert: /);
  });

  it("names the position of a garbage block, never its content", () => {
    const garbage =
      "-----BEGIN CERTIFICATE-----\nc2VjcmV0LWxvb2tpbmctZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n";
    const first = thrown(() => parseClientCertificate(garbage));
    expect(first).toBeInstanceOf(MalformedCertificateError);
    expect((first as MalformedCertificateError).index).toBe(0);
    const second = thrown(() => parseClientCertificate(CLIENT1_CERT + garbage));
    expect((second as MalformedCertificateError).index).toBe(1);
    expect((second as Error).message).toContain("#2");
    expect((second as Error).message).not.toContain("c2VjcmV0");
    expect(() => isCaCertificate(garbage)).toThrow(MalformedCertificateError);
  });

  it("treats empty input as its own reason", () => {
    for (const v of ["", "   \n", undefined as unknown as string]) {
      const e = thrown(() => parseClientCertificate(v));
      expect((e as ClientCertificateError).reason).toBe("empty");
    }
  });

  it("splits PEM chains and ignores text around blocks", () => {
    expect(splitPemCertificates(`junk\n${CLIENT1_CERT}between\n${CA_CERT}`)).toEqual([CLIENT1_CERT, CA_CERT]);
    expect(splitPemCertificates("nothing")).toEqual([]);
  });
});
