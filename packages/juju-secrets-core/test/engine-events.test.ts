/**
 * Remote-data problems nobody listens for: a `blocked` status note per relation, added by every hook's
 * collect-status (so the charm's own `active` evaluator cannot hide it), dropped once the relation
 * parses again or goes. With an `invalid` listener the charm decides and no note is kept.
 */
import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import type { RelationInvalidEvent } from "../src/engine/events.js";
import { Charm } from "../src/index.js";
import { DataRequirer } from "../src/interface.js";
import { hookContextFor, JujuModel, MemoryBackend, sessionOptionsFor } from "../src/testing/index.js";

const DEF = defineInterface({
  name: "t",
  defaultEndpoint: "database",
  contracts: { requirer: ["v1"], provider: ["v1"] },
  resourceKey: "database",
  ready: { default: ["username", "endpoints"] },
});

function related() {
  const model = new JujuModel();
  model.addApplication("p", { endpoints: { x: "provides:t" } });
  model.addApplication("r", { endpoints: { y: "requires:t" } });
  const rel = model.addRelation("p:x", "r:y");
  const seen: RelationInvalidEvent[] = [];
  const run = async (kind: "relation-changed" | "update-status" | "relation-broken", listen = false) => {
    const context = hookContextFor(model, {
      unit: "r/0",
      kind,
      ...(kind === "update-status" ? {} : { relationId: rel }),
    });
    const before = model.calls("r/0").length;
    const backend = new MemoryBackend(model, sessionOptionsFor(context));
    const charm = new Charm({ backend, context });
    const engine = new DataRequirer(charm, "y", DEF, { requests: [{ resource: "a" }] });
    if (listen) engine.on("invalid", (e) => void seen.push(e));
    charm.on("collectStatus", (e) => e.add("active", "ready"));
    await charm.dispatch();
    backend.commit();
    return model
      .calls("r/0")
      .slice(before)
      .map((c) => c.tool);
  };
  return { model, rel, run, seen };
}

describe("invalid remote data without a listener", () => {
  it("blocks the unit through collect-status until the relation parses again", async () => {
    const { model, rel, run } = related();
    // `1, "r": []` is not JSON (Python's json.loads refuses it): the answer is invalid.
    model.setAppBag(rel, "p", { version: "v1", requests: '1, "r": []' });
    await run("relation-changed");
    const status = model.unitStatus("r/0");
    expect(status.status).toBe("blocked"); // the charm's own `active` does not hide it
    expect(status.message).toContain(`y:${rel}`);
    expect(status.message).toContain("requests");

    // A hook that does not read the bag again keeps the problem, at no relation-get.
    const tools = await run("update-status");
    expect(tools).not.toContain("relation-get");
    expect(model.unitStatus("r/0").status).toBe("blocked");

    model.setAppBag(rel, "p", { version: "v1", requests: "[]" });
    await run("relation-changed");
    expect(model.unitStatus("r/0")).toEqual({ status: "active", message: "ready" });
  });

  it("is dropped with the relation", async () => {
    const { model, rel, run } = related();
    model.setAppBag(rel, "p", { version: "v1", requests: "{" });
    await run("relation-changed");
    expect(model.unitStatus("r/0").status).toBe("blocked");
    await run("relation-broken");
    expect(model.unitStatus("r/0")).toEqual({ status: "active", message: "ready" });
  });

  it("with an `invalid` listener, the charm decides: no note, the error reaches the handler", async () => {
    const { model, rel, run, seen } = related();
    model.setAppBag(rel, "p", { version: "v1", requests: "{" });
    await run("relation-changed", true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.relation).toEqual({ endpoint: "y", id: rel });
    expect(seen[0]!.error.message).toContain("requests");
    expect(model.unitStatus("r/0")).toEqual({ status: "active", message: "ready" });
  });
});
