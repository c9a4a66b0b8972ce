/**
 * Core regressions found while building @charm-relations/interface-valkey-client:
 * - `DataRequirer.addRequest` is idempotent: re-adding a known resource (a charm reconciling its
 *   desired list in every hook) must not count it twice, or `isReady()` never becomes true.
 */

import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import { Charm } from "../src/index.js";
import { DataRequirer } from "../src/interface.js";
import { pyDumps } from "../src/protocol/index.js";
import { hookContextFor, JujuModel, MemoryBackend, sessionOptionsFor } from "../src/testing/index.js";

const DEF = defineInterface({
  name: "t",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "endpoints"] },
});

describe("DataRequirer.addRequest", () => {
  it("does not duplicate a resource it already asks for; isReady counts each once", async () => {
    const model = new JujuModel();
    model.addApplication("p", { endpoints: { x: "provides:t" } });
    model.addApplication("r", { endpoints: { y: "requires:t" } });
    const rel = model.addRelation("p:x", "r:y");
    const run = async (body: (engine: DataRequirer) => void) => {
      const context = hookContextFor(model, { unit: "r/0", kind: "relation-changed", relationId: rel });
      const backend = new MemoryBackend(model, sessionOptionsFor(context));
      const charm = new Charm({ backend, context });
      const engine = new DataRequirer(charm, "y", DEF, { contract: "v1", requests: [{ resource: "a" }] });
      charm.on("relationChanged", () => body(engine));
      await charm.dispatch();
      backend.commit();
    };
    let ready: boolean | undefined;
    let count = 0;
    await run((engine) => {
      engine.ensureRequests();
      engine.addRequest({ resource: "a" });
      engine.addRequest({ resource: "a" });
      count = engine.requests.length;
    });
    expect(count).toBe(1);
    const [request] = JSON.parse(model.appBag(rel, "r").requests!) as Record<string, string>[];
    const user = model.addSecret({ owner: "p", content: { username: "u" }, grants: [{ relationId: rel }] });
    model.setAppBag(rel, "p", {
      version: "v1",
      requests: pyDumps([
        {
          resource: "a",
          "request-id": request!["request-id"]!,
          salt: request!.salt!,
          endpoints: "h:1",
          "secret-user": user,
        },
      ]),
    });
    await run((engine) => {
      engine.addRequest({ resource: "a" });
      ready = engine.isReady();
    });
    expect(ready).toBe(true);
  });
});
