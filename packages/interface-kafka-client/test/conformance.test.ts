/**
 * The exported conformance checks pass for our own classes (both contracts) and catch broken charms.
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { KafkaProvider } from "../src/provider.js";
import { KafkaRequirer } from "../src/requirer.js";
import { requirerAppV0, requirerAppV1 } from "../src/schema.js";
import {
  providerConformance,
  referenceProvider,
  referenceRequirer,
  requirerConformance,
  v0RequirerBag,
  v1RequirerBag,
} from "../src/testing.js";

describe("providerConformance", () => {
  for (const c of providerConformance({ runner: charmRunner(referenceProvider) })) it(c.name, c.run);

  it("fails a broker that writes tls as a Python boolean string to v1 clients", async () => {
    const wrong = (charm: Charm) => {
      const kafka = new KafkaProvider(charm);
      kafka.on("topicRequested", ({ request }) =>
        kafka.publishFields(request, {
          username: request.username,
          password: "x",
          endpoints: "h:9092",
          tls: "True",
        }),
      );
    };
    const [v1] = providerConformance({ runner: charmRunner(wrong) });
    await expect(v1!.run()).rejects.toThrow(/JSON boolean/);
  });
});

describe("requirerConformance", () => {
  for (const contract of ["v1", "v0"] as const) {
    for (const c of requirerConformance({ runner: charmRunner(referenceRequirer(contract)) }))
      it(`${contract}: ${c.name}`, c.run);
  }
  it("passes a requirer with mTLS and a consumer group prefix", async () => {
    const setup = (charm: Charm) =>
      void new KafkaRequirer(charm, {
        topic: "t",
        consumerGroupPrefix: "g-",
        mtlsCert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
      });
    for (const c of requirerConformance({ runner: charmRunner(setup) })) await c.run();
  });
  it("fails a client that never writes its request", async () => {
    const [bytes] = requirerConformance({ runner: charmRunner((charm) => void charm) });
    await expect(bytes!.run()).rejects.toThrow();
  });
});

describe("databag builders", () => {
  it("build bags the schemas accept", () => {
    const v1 = requirerAppV1.parse(v1RequirerBag(["a", "b"], { roles: "producer" }));
    expect(v1.requests.map((r) => [r.resource, r["consumer-group-prefix"]])).toEqual([
      ["a", null],
      ["b", null],
    ]);
    expect(requirerAppV0.parse(v0RequirerBag("t", { roles: "consumer" })).topic).toBe("t");
  });
});
