import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { checkClientCredentials } from "@charm-relations/interface-etcd";
import { CaCertificateError, parseClientCertificate } from "@charm-relations/interface-etcd-client";
import { demoCertificate } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";

describe("demo certificates (runtime DER encoder)", () => {
  const ca = demoCertificate({ commonName: "demo-ca", usage: "ca" });
  const client = demoCertificate({ commonName: "myapp", usage: "client", issuer: ca });

  it("builds X.509 v3 certificates node:crypto parses and whose signatures verify", () => {
    const caX = new X509Certificate(ca.cert);
    const clientX = new X509Certificate(client.cert);
    expect(caX.ca).toBe(true);
    expect(caX.verify(caX.publicKey)).toBe(true);
    expect(clientX.ca).toBe(false);
    expect(clientX.subject).toBe("CN=myapp");
    expect(clientX.issuer).toBe("CN=demo-ca");
    expect(clientX.verify(caX.publicKey)).toBe(true);
    expect(
      clientX.verify(
        new X509Certificate(demoCertificate({ commonName: "other", usage: "ca" }).cert).publicKey,
      ),
    ).toBe(false);
    expect(clientX.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(new Date(clientX.validTo).getTime()).toBeGreaterThan(Date.now() + 3000 * 24 * 3600 * 1000);
  });

  it("pairs each certificate with its own fresh private key", () => {
    expect(new X509Certificate(client.cert).checkPrivateKey(createPrivateKey(client.key))).toBe(true);
    expect(new X509Certificate(client.cert).checkPrivateKey(createPrivateKey(ca.key))).toBe(false);
    expect(createPublicKey(client.key).asymmetricKeyType).toBe("ec");
    expect(demoCertificate({ commonName: "myapp", usage: "client", issuer: ca }).key).not.toBe(client.key);
  });

  it("is what the interface packages accept: an etcd client certificate, legacy etcd credentials", () => {
    expect(parseClientCertificate(client.cert).commonName).toBe("myapp");
    expect(() => parseClientCertificate(ca.cert)).toThrow(CaCertificateError);
    expect(checkClientCredentials({ key: client.key, cert: client.cert, ca: ca.cert }).cert).toBe(
      client.cert,
    );
  });

  it("encodes years after 2049 as GeneralizedTime", () => {
    const long = new X509Certificate(
      demoCertificate({ commonName: "far", usage: "server", validDays: 40 * 365 }).cert,
    );
    expect(new Date(long.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2060);
  });
});
