import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  charmRunner,
  referenceRequirer,
  TEST_CA_CERT,
  TEST_SERVER_CA,
} from "@charm-relations/interface-etcd-client/testing";
import { Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { setup } from "../src/charm.js";

const EP = { "etcd-client": "provides:etcd_client" } as const;
const REQ = { "etcd-client": "requires:etcd_client" } as const;

function deployed(config: Record<string, unknown> = { "tls-ca": TEST_SERVER_CA }) {
  const sim = new Simulation();
  sim.deploy("etcd", {
    runner: charmRunner(setup),
    units: 2,
    endpoints: EP,
    config: { endpoints: "10.1.0.10:2379", ...config },
  });
  return sim;
}

describe("etcd-client-provider example", () => {
  it("is blocked without a server CA, serves waiting clients once it is set", async () => {
    const sim = deployed({});
    sim.deploy("app", { runner: referenceRequirer(), units: 1, endpoints: REQ });
    const rel = sim.relate("app", "etcd");
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.unitStatus("etcd/0")).toEqual({
      status: "blocked",
      message: "set the tls-ca option (the server CA, PEM)",
    });
    expect(sim.model.appBag(rel, "etcd")).not.toHaveProperty("requests");
    sim.configure("etcd", { "tls-ca": TEST_SERVER_CA });
    expect((await sim.settle()).failed).toEqual([]);
    expect(sim.model.unitStatus("etcd/0")).toEqual({ status: "active", message: "serving etcd clients" });
    expect(sim.model.unitStatus("etcd/1")).toEqual({
      status: "active",
      message: "trusting 1 client certificate",
    });
    expect(sim.model.logs("etcd/0").map((l) => l.message)).toContain(
      "etcd user client1.requirer-charm: role client1.requirer-charm readwrite on prefix /requirer/",
    );
  });

  it("refuses a CN another client already uses, and a CA as client certificate, with relation statuses", async () => {
    const sim = deployed();
    sim.deploy("one", { runner: referenceRequirer({ prefix: "/one/" }), units: 1, endpoints: REQ });
    sim.deploy("two", {
      runner: referenceRequirer({ prefix: "/two/", contract: "v0" }),
      units: 1,
      endpoints: REQ,
    });
    sim.deploy("bad", { runner: referenceRequirer({ prefix: "/bad/" }), units: 1, endpoints: REQ });
    const one = sim.relate("one", "etcd");
    expect((await sim.settle()).failed).toEqual([]);
    const two = sim.relate("two", "etcd");
    expect((await sim.settle()).failed).toEqual([]);
    const twoBag = sim.model.appBag(two, "etcd");
    expect(JSON.parse(twoBag.status!)).toEqual([
      {
        code: 4101,
        message: 'etcd user "client1.requirer-charm" already belongs to another client',
        resolution: "use a client certificate with another common name",
      },
    ]);
    expect(twoBag).not.toHaveProperty("secret-user");
    expect(sim.model.unitStatus("etcd/0").message).toBe("serving etcd clients");
    // A foreign client sending a CA gets the fatal status and no answer.
    const bad = sim.relate("bad", "etcd");
    expect((await sim.settle()).failed).toEqual([]);
    const uri = sim.model.addSecret({
      owner: "bad",
      content: { "mtls-cert": TEST_CA_CERT },
      grants: [{ relationId: bad }],
    });
    const bag = sim.model.appBag(bad, "bad");
    const requests = JSON.parse(bag.requests!) as Record<string, unknown>[];
    requests[0]!["secret-mtls"] = uri;
    sim.model.setAppBag(bad, "bad", { ...bag, requests: JSON.stringify(requests) });
    await sim.runHook("etcd/0", "relation-changed", { relationId: bad });
    expect((await sim.settle()).failed).toEqual([]);
    // Its CN was taken first (4101); now the certificate itself is refused (5101) instead.
    expect(JSON.parse(sim.model.appBag(bad, "etcd").status!).map((s: { code: number }) => s.code)).toEqual([
      5101,
    ]);
    // The first client is still served and the others never got a user.
    expect(sim.model.appBag(one, "etcd").requests).toContain("secret-user");
    expect(sim.model.unitStatus("etcd/1").message).toBe("trusting 2 client certificates");
  });

  it("with a data-dir, serving a client checks its CN against the user record, listing no relation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "etcd-client-provider-"));
    try {
      const sim = deployed({ "tls-ca": TEST_SERVER_CA, "data-dir": dir });
      sim.deploy("one", { runner: referenceRequirer({ prefix: "/one/" }), units: 1, endpoints: REQ });
      sim.deploy("two", { runner: referenceRequirer({ prefix: "/two/" }), units: 1, endpoints: REQ });
      const one = sim.relate("one", "etcd");
      expect((await sim.settle()).failed).toEqual([]);
      expect(JSON.parse(readFileSync(join(dir, "users.json"), "utf8"))).toEqual({
        "client1.requirer-charm": expect.stringMatching(new RegExp(`^${one}/`)),
      });
      const two = sim.relate("two", "etcd");
      expect((await sim.settle()).failed).toEqual([]);
      expect(JSON.parse(sim.model.appBag(two, "etcd").status!)[0].code).toBe(4101);
      const served = sim.hooks.filter(
        (h) => h.unit === "etcd/0" && h.kind === "relation-changed" && h.context.relation?.id === two,
      );
      expect(served.length).toBeGreaterThan(0);
      for (const h of served) expect(h.calls.filter((c) => c.tool === "relation-ids")).toEqual([]);
      sim.removeRelation(one);
      expect((await sim.settle()).failed).toEqual([]);
      expect(JSON.parse(readFileSync(join(dir, "users.json"), "utf8"))).toEqual({});
      // The trust record keeps the other client's leaf (same CN, refused a user, still a valid cert).
      const trusted = JSON.parse(readFileSync(join(dir, "trusted.json"), "utf8")) as Record<string, string>;
      expect(Object.keys(trusted).map((k) => k.split("/")[0])).toEqual([String(two)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
