/**
 * Cross-model relations (protocol §7): requirer-owned secrets cannot cross models, so `mtls-cert`
 * travels in the requirer app bag as a Fernet token under the provider's `encryption-secret` key.
 */
import { fernetDecrypt } from "@charm-relations/juju-secrets-core/protocol";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { CLIENT1_CERT, CLIENT2_CERT } from "./fixtures/certs.js";
import { ENDPOINT, etcdProvider, etcdRequirer, eventsOf, inProcess, type LoggedEvent } from "./harness.js";

const OTHER_MODEL = "0d3a5a1e-7c55-4f1e-9a3c-6a1f2b3c4d5e";

async function crossModelPair(contract: "v0" | "v1") {
  const sim = new Simulation();
  const log: LoggedEvent[] = [];
  sim.deploy("provider", {
    runner: inProcess(etcdProvider(log)),
    units: 2,
    endpoints: { [ENDPOINT]: "provides:etcd_client" },
  });
  sim.deploy("requirer", {
    runner: inProcess(etcdRequirer(log, { prefix: "/xm/", contract })),
    units: 2,
    endpoints: { [ENDPOINT]: "requires:etcd_client" },
    config: { "mtls-cert": CLIENT1_CERT },
    modelUuid: OTHER_MODEL,
  });
  const rel = sim.relate("requirer", "provider");
  const r = await sim.settle();
  expect(r.failed).toEqual([]);
  expect(r.settled).toBe(true);
  return { sim, log, rel };
}

/** The provider's Fernet key, the token the requirer sent, and the requirer app bag. */
function wire(sim: Simulation, rel: number, contract: "v0" | "v1") {
  const provider = sim.model.appBag(rel, "provider");
  const requirer = sim.model.appBag(rel, "requirer");
  const key = sim.model.secretContent(provider["encryption-secret"]!)!["encryption-key"]!;
  const token =
    contract === "v0"
      ? requirer["mtls-cert"]!
      : (JSON.parse(requirer.requests!) as Record<string, string>[])[0]!["mtls-cert"]!;
  return { provider, requirer, key, token };
}

describe.each(["v0", "v1"] as const)("cross-model, %s", (contract) => {
  it("completes the encryption-secret handshake; the provider reads the certificate", async () => {
    const { sim, log, rel } = await crossModelPair(contract);
    const { provider, requirer, key, token } = wire(sim, rel, contract);
    const encryption = sim.model.secret(provider["encryption-secret"]!)!;
    expect(encryption.label).toBe(`${sim.model.uuid}-${rel}-encryption-secret`);
    expect(encryption.owner).toEqual({ kind: "application", app: "provider" });
    // The requirer copied the URI and sent a token, not the PEM; no requirer secret, no provided-secrets.
    expect(requirer["encryption-secret"]).toBe(provider["encryption-secret"]);
    expect(token).not.toContain("BEGIN");
    expect(fernetDecrypt(key, token)).toBe(CLIENT1_CERT);
    expect(requirer).not.toHaveProperty("secret-mtls");
    expect(requirer).not.toHaveProperty("provided-secrets");
    if (contract === "v1") expect(JSON.parse(requirer.requests!)[0]["secret-mtls"]).toBeNull();
    expect(
      sim.model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === "requirer"),
    ).toEqual([]);
    // One user, created once: the re-sent (now encrypted) same certificate is no news.
    expect(eventsOf(log, "clientRequested").map((e) => e.payload.commonName)).toEqual([
      "client1.requirer-charm",
    ]);
    expect(eventsOf(log, "clientCertificateChanged")).toEqual([]);
    for (const unit of ["requirer/0", "requirer/1"]) {
      expect(eventsOf(log, "etcdReady", unit)[0]!.payload.username).toBe("client1.requirer-charm");
    }
    // The non-leader provider unit decrypts it too, for its trust store.
    const refresh = eventsOf(log, "trustStoreRefresh", "provider/1").at(-1)!;
    expect(refresh.payload.certificates.map((c: { leaf: string }) => c.leaf)).toEqual([CLIENT1_CERT]);
  });

  it("rotates the certificate with a new token; an unchanged certificate keeps its token", async () => {
    const { sim, log, rel } = await crossModelPair(contract);
    const first = wire(sim, rel, contract).token;
    await sim.runHook("requirer/0", "config-changed");
    await sim.settle();
    expect(wire(sim, rel, contract).token).toBe(first);
    const mark = log.length;
    sim.configure("requirer", { "mtls-cert": CLIENT2_CERT });
    const r = await sim.settle();
    expect(r.failed).toEqual([]);
    const { key, token } = wire(sim, rel, contract);
    expect(token).not.toBe(first);
    expect(fernetDecrypt(key, token)).toBe(CLIENT2_CERT);
    const changed = eventsOf(log.slice(mark), "clientCertificateChanged", "provider/0");
    expect(changed).toHaveLength(1);
    expect(changed[0]!.payload).toMatchObject({
      source: "relation-changed",
      commonName: "client2.requirer-charm",
      oldCommonName: "client1.requirer-charm",
      commonNameChanged: true,
      oldCertificate: CLIENT1_CERT,
    });
    expect(eventsOf(log.slice(mark), "credentialsRotated", "requirer/1").at(-1)!.payload.username).toBe(
      "client2.requirer-charm",
    );
    sim.removeRelation(rel);
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.secrets()).toEqual([]);
  });
});
