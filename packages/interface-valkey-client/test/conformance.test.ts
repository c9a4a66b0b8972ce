/**
 * The exported conformance checks pass for well-behaved charms and catch broken ones.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { describe, expect, it } from "vitest";
import { ValkeyProvider } from "../src/provider.js";
import { ValkeyRequirer } from "../src/requirer.js";
import { providerAppV1, requirerAppV0, requirerAppV1 } from "../src/schema.js";
import {
  v0RequirerBag,
  v1ProviderBag,
  v1RequirerBag,
  valkeyProviderConformance,
  valkeyRequirerConformance,
} from "../src/testing.js";
import { FakeValkey, providerCharm, requirerCharm } from "./charms.js";
import { EventLog, loadFixture } from "./harness.js";

describe("valkeyProviderConformance", () => {
  for (const c of valkeyProviderConformance(providerCharm(new FakeValkey(), new EventLog())))
    it(c.name, c.run);

  it("fails a provider that forgets the sentinel endpoints", async () => {
    const lazy = (charm: Charm) => {
      const p = new ValkeyProvider(charm);
      p.on("resourceRequested", ({ request }) =>
        p.publish(request, { username: request.username, password: "x", endpoints: ["h:1"], tls: false }),
      );
    };
    const [v1] = valkeyProviderConformance(lazy);
    await expect(v1!.run()).rejects.toThrow(/sentinel-endpoints missing/);
  });
});

describe("valkeyRequirerConformance", () => {
  for (const c of valkeyRequirerConformance(requirerCharm(new EventLog()))) it(`v1: ${c.name}`, c.run);
  for (const c of valkeyRequirerConformance(requirerCharm(new EventLog()), {
    config: { contract: "v0", resources: "x:*" },
  })) {
    it(`v0: ${c.name}`, c.run);
  }

  it("fails a client that never writes its request", async () => {
    const silent = (charm: Charm) => void charm;
    const [bytes] = valkeyRequirerConformance(silent);
    await expect(bytes!.run()).rejects.toThrow();
  });

  it("passes a bare ValkeyRequirer", async () => {
    for (const c of valkeyRequirerConformance(
      (charm) => void new ValkeyRequirer(charm, { endpoint: "valkey-client", resources: ["a:*"] }),
    )) {
      await c.run();
    }
  });
});

describe("databag builders", () => {
  it("reproduce the recorded bytes", () => {
    const f = loadFixture("valkey_client.v1").after_relate;
    expect(v1RequirerBag(["requirer-charm:*", "*"], ["LkFnCIzs4DBKJe7C", "anSBcTmeXJ4ad5S5"])).toEqual(
      f.requirer_app_databag,
    );
    const responses = JSON.parse(f.provider_app_databag.requests!) as Record<string, string>[];
    const bag = v1ProviderBag(
      responses.map((r) => ({
        resource: r.resource!,
        salt: r.salt!,
        endpoints: r.endpoints!,
        readOnlyEndpoints: r["read-only-endpoints"]!,
        sentinelEndpoints: r["sentinel-endpoints"]!,
        secretUser: r["secret-user"]!,
        secretTls: r["secret-tls"]!,
        version: r.version!,
        mode: r.mode!,
      })),
    );
    expect(bag).toEqual(f.provider_app_databag);
    expect(v0RequirerBag("requirer-charm:*")).toEqual(
      loadFixture("valkey_client.v0-requirer").after_relate.requirer_app_databag,
    );
    providerAppV1.parse(bag);
    requirerAppV1.parse(v1RequirerBag(["a:*"]));
    requirerAppV0.parse(v0RequirerBag("a:*"));
  });
});
