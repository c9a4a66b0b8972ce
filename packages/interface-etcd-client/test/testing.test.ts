/** The `./testing` entry: reference charms, Python-identical builders, and the conformance suite. */
import { pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { describe, expect, it } from "vitest";
import { EtcdClientProvider, parseClientCertificate } from "../src/index.js";
import {
  charmRunner,
  providerConformance,
  pythonProviderAppV0,
  pythonRequestV1,
  pythonRequirerAppV0,
  referenceProvider,
  referenceRequirer,
  requirerConformance,
  TEST_CA_CERT,
  TEST_CLIENT_CERT,
  TEST_CLIENT_CERT_2,
} from "../src/testing.js";
import { FIXTURE, V1_REQUIRER_APP } from "./helpers.js";

describe("test certificates", () => {
  it("are what they claim", () => {
    expect(parseClientCertificate(TEST_CLIENT_CERT).commonName).toBe("client1.requirer-charm");
    expect(parseClientCertificate(TEST_CLIENT_CERT_2).commonName).toBe("client2.requirer-charm");
    expect(() => parseClientCertificate(TEST_CA_CERT)).toThrow(/CA certificate/);
  });
});

describe("Python-identical databag builders", () => {
  it("rebuild the recorded bags byte for byte", () => {
    const rec = FIXTURE.after_relate;
    const secretMtls = rec.requirer_app_databag["secret-mtls"]!;
    const req = pythonRequirerAppV0({ prefix: "/requirer/", secretMtls });
    expect(req).toEqual(rec.requirer_app_databag);
    expect(
      pythonProviderAppV0({
        requirerApp: req,
        endpoints: ["10.1.0.10:2379"],
        version: "3.5.18",
        secretUser: rec.provider_app_databag["secret-user"]!,
        secretTls: rec.provider_app_databag["secret-tls"]!,
      }),
    ).toEqual(rec.provider_app_databag);
    expect(pythonRequirerAppV0({ prefix: "/x/", crossModel: true })).toEqual({
      prefix: "/x/",
      "requested-secrets": rec.requirer_app_databag["requested-secrets"],
    });
    const request = pythonRequestV1({
      prefix: "/requirer/",
      salt: "Qm3xV9tLr2aB7cWd",
      secretMtls: "secret://b50dd93a-9315-4d95-8dfc-dddb2c1c214c/0qo3fh3a03iact07s1h9",
    });
    expect(pyDumps([request])).toBe(V1_REQUIRER_APP.requests);
  });
});

describe("conformance suite", () => {
  it("passes for the reference provider and the reference requirer (both contracts)", async () => {
    const provider = await providerConformance({ runner: referenceProvider() });
    expect(provider.checks.filter((c) => !c.ok)).toEqual([]);
    expect(provider.ok).toBe(true);
    expect(provider.checks.length).toBeGreaterThanOrEqual(12);
    for (const contract of ["v1", "v0"] as const) {
      const requirer = await requirerConformance({ runner: referenceRequirer({ contract }) });
      expect(requirer.checks.filter((c) => !c.ok)).toEqual([]);
    }
  });

  it("catches a provider that puts a scheme in endpoints and never re-publishes a new CN", async () => {
    const sloppy = charmRunner((charm) => {
      const p = new EtcdClientProvider(charm);
      p.on("clientRequested", (e) =>
        // Bypass the typed API, as a hand-written charm might.
        p.publishFields(e, {
          endpoints: "https://10.0.0.1:2379",
          version: "3.6.5",
          username: e.commonName,
          uris: "https://10.0.0.1:2379",
          "tls-ca": TEST_CA_CERT,
        }),
      );
    });
    const report = await providerConformance({ runner: sloppy, contracts: ["v0"] });
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual([
      "[v0] endpoints are host:port (no scheme), uris are https URLs, tls-ca is a PEM",
      "[v0] a client certificate with a new CN gets a new username",
    ]);
  });

  it("catches a requirer that forgets its certificate", async () => {
    const report = await requirerConformance({
      // A client that sends only the prefix, as a hand-written charm might.
      runner: charmRunner((charm) => {
        charm.on("relationCreated", (e) => {
          if (charm.model.isLeader()) e.relation.localApp.set("prefix", "/p/");
        });
      }),
    });
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toContain("the request is complete and was written in one hook (same-hook rule)");
    expect(failed).toContain(
      "the client certificate travels in a requirer-owned secret granted to the relation",
    );
    expect(failed).toContain("every unit keeps its own snapshot of the answer");
  });
});
