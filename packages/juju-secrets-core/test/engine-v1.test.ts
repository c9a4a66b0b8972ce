/** v1 requests contract through the generic engines: several requests, `data` per id, withdrawal. */
import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import type { Charm } from "../src/hook/charm.js";
import { computeRequestId } from "../src/protocol/v1.js";
import { charmRunner, Simulation } from "../src/testing/index.js";

const KV = defineInterface({
  name: "valkey_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"] },
  responseExtraKeys: ["sentinel-endpoints", "mode"],
  v0Keys: { "sentinel-endpoints": "sentinel_endpoints" },
  trailingMtlsCert: true,
});

async function setup() {
  const events: string[] = [];
  let requirer: DataRequirer | undefined;
  const provide = (charm: Charm) => {
    const p = new DataProvider(charm, "client", KV);
    p.events.on("requested", ({ request }) => {
      events.push(`requested ${request.resource}`);
      p.publishFields(request, {
        endpoints: "10.1.0.10:6379",
        "sentinel-endpoints": "10.1.0.10:26379",
        mode: "sentinel",
        version: "9.0.1",
        username: `relation-${request.relation.id}-${request.requestId ?? ""}`.replace(/-$/, ""),
        password: "pw",
        tls: "false",
      });
    });
    p.events.on("requestRemoved", ({ request }) => void events.push(`removed ${request.resource}`));
  };
  const require = (contract: "v0" | "v1") => (charm: Charm) => {
    const r = new DataRequirer(charm, "client", KV, {
      contract,
      requests: contract === "v1" ? [{ resource: "app:*" }, { resource: "*" }] : [{ resource: "app:*" }],
    });
    r.events.on(
      "created",
      ({ connection }) =>
        void events.push(
          `created ${charm.unit} ${connection.resource} ${connection.raw["sentinel-endpoints"]}`,
        ),
    );
    charm.on("configChanged", () => {
      if (charm.model.isLeader() && charm.model.config().drop)
        r.removeRequest(String(charm.model.config().drop));
    });
    requirer = r;
  };
  const sim = new Simulation({ lifecycle: false });
  sim.deploy("valkey", {
    runner: charmRunner(provide),
    units: 1,
    endpoints: { client: "provides:valkey_client" },
  });
  sim.deploy("app1", {
    runner: charmRunner(require("v1")),
    units: 2,
    endpoints: { client: "requires:valkey_client" },
  });
  sim.deploy("app0", {
    runner: charmRunner(require("v0")),
    units: 1,
    endpoints: { client: "requires:valkey_client" },
  });
  await sim.settle();
  const r1 = sim.relate("valkey:client", "app1:client");
  const r0 = sim.relate("valkey:client", "app0:client");
  const settled = await sim.settle({ maxHooks: 300 });
  void requirer;
  return { sim, r1, r0, events, settled };
}

describe("v1 contract through the engines", () => {
  it("answers two requests on one relation, with data keyed by every request id", async () => {
    const { sim, r1, events, settled } = await setup();
    expect(settled.failed).toEqual([]);
    const req = sim.model.appBag(r1, "app1");
    expect(req.version).toBe("v1");
    const requests = JSON.parse(req.requests!) as Record<string, unknown>[];
    expect(requests.map((r) => r.resource)).toEqual(["app:*", "*"]);
    for (const r of requests)
      expect(r["request-id"]).toBe(computeRequestId(String(r.resource), String(r.salt)));
    expect(Object.keys(requests[0]!)).toEqual([
      "resource",
      "request-id",
      "salt",
      "extra-user-roles",
      "extra-group-roles",
      "external-node-connectivity",
      "entity-type",
      "entity-permissions",
      "secret-mtls",
      "mtls-cert",
    ]);
    const prov = sim.model.appBag(r1, "valkey");
    expect(prov.version).toBe("v1");
    const responses = JSON.parse(prov.requests!) as Record<string, unknown>[];
    const data = JSON.parse(prov.data!) as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(requests.map((r) => String(r["request-id"])).sort());
    expect(Object.keys(responses[0]!).slice(0, 12)).toEqual([
      "resource",
      "request-id",
      "salt",
      "endpoints",
      "read-only-endpoints",
      "secret-user",
      "secret-tls",
      "secret-extra",
      "secret-entity",
      "version",
      "sentinel-endpoints",
      "mode",
    ]);
    // Each request got its own user secret, labelled with its request id.
    for (const r of responses) {
      const label = `client.${r1}.${r["request-id"]}.user.secret`;
      expect(sim.model.secretByLabel(label)).toBeDefined();
    }
    expect(events.filter((e) => e.startsWith("created app1/")).length).toBe(4);
  });

  it("serves a v0 requirer flat on the same endpoint, with the v0 spelling sentinel_endpoints", async () => {
    const { sim, r0, events } = await setup();
    const prov = sim.model.appBag(r0, "valkey");
    expect(prov.version).toBe("9.0.1");
    expect(prov.sentinel_endpoints).toBe("10.1.0.10:26379");
    expect(prov["sentinel-endpoints"]).toBeUndefined();
    expect(prov.requests).toBeUndefined();
    expect(events).toContain("created app0/0 app:* 10.1.0.10:26379");
  });

  it("withdrawing a request removes its response, data entry and secrets", async () => {
    const { sim, r1, events } = await setup();
    sim.configure("app1", { drop: "*" });
    const r = await sim.settle({ maxHooks: 300 });
    expect(r.failed).toEqual([]);
    expect(events).toContain("removed *");
    const prov = sim.model.appBag(r1, "valkey");
    const responses = JSON.parse(prov.requests!) as Record<string, unknown>[];
    expect(responses.map((x) => x.resource)).toEqual(["app:*"]);
    expect(Object.keys(JSON.parse(prov.data!))).toEqual([responses[0]!["request-id"]]);
    const labels = Object.values(sim.model.state.secrets).map((s) => s.label);
    expect(labels.filter((l) => l?.startsWith(`client.${r1}.`)).length).toBe(2); // user + tls of the one left
  });
});
