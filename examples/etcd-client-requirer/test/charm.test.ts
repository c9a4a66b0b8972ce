import {
  charmRunner,
  referenceProvider,
  TEST_CA_CERT,
  TEST_CLIENT_CERT,
  TEST_CLIENT_CERT_2,
} from "@charm-relations/interface-etcd-client/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

function deployed(config: Record<string, unknown>) {
  const sim = new Simulation();
  sim.deploy("app", {
    runner: charmRunner(setup),
    units: 2,
    endpoints: { "etcd-client": "requires:etcd_client" },
    config,
  });
  sim.deploy("etcd", {
    runner: referenceProvider(),
    units: 1,
    endpoints: { "etcd-client": "provides:etcd_client" },
  });
  return sim;
}

describe("etcd-client-requirer example", () => {
  it.each(["v1", "v0"])(
    "%s: waits, becomes ready on every unit, follows a CN change, waits again after removal",
    async (contract) => {
      const sim = deployed({ "mtls-cert": TEST_CLIENT_CERT, prefix: "/app/", contract });
      expect((await sim.settle()).failed).toEqual([]);
      expect(sim.model.unitStatus("app/1")).toEqual({
        status: "waiting",
        message: "waiting for an etcd relation",
      });
      const rel = sim.relate("app", "etcd");
      expect((await sim.settle()).failed).toEqual([]);
      for (const unit of ["app/0", "app/1"]) {
        expect(sim.model.unitStatus(unit)).toEqual({
          status: "active",
          message: "ready: client1.requirer-charm@https://10.1.0.10:2379 prefix /app/",
        });
      }
      expect(sim.model.appBag(rel, "app").version).toBe(contract === "v1" ? "v1" : undefined);
      sim.configure("app", { "mtls-cert": TEST_CLIENT_CERT_2 });
      expect((await sim.settle()).failed).toEqual([]);
      expect(sim.model.unitStatus("app/1").message).toBe(
        "ready: client2.requirer-charm@https://10.1.0.10:2379 prefix /app/",
      );
      sim.removeRelation(rel);
      expect((await sim.settle()).failed).toEqual([]);
      expect(sim.model.unitStatus("app/0")).toEqual({
        status: "waiting",
        message: "waiting for an etcd relation",
      });
      expect(sim.model.secrets()).toEqual([]);
    },
  );

  it("blocks on a CA as client certificate (typed error), sends its request anyway, and recovers", async () => {
    const sim = deployed({ "mtls-cert": TEST_CA_CERT });
    const rel = sim.relate("app", "etcd");
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "blocked",
      message: expect.stringMatching(/^mtls-cert option: the first certificate is a CA certificate/),
    });
    expect(JSON.parse(sim.model.appBag(rel, "app").requests!)[0]["secret-mtls"]).toBeNull();
    sim.configure("app", { "mtls-cert": TEST_CLIENT_CERT });
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.unitStatus("app/0").message).toMatch(/^ready: client1\.requirer-charm@/);
  });

  it("blocks without a certificate", async () => {
    const sim = deployed({});
    sim.relate("app", "etcd");
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.unitStatus("app/0")).toEqual({
      status: "blocked",
      message: "set the mtls-cert option (client certificate, PEM)",
    });
  });
});
