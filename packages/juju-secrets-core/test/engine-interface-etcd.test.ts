/**
 * Core regressions found while building @charm-relations/interface-etcd:
 * - `Model.afterFlush`: unit-local state that must move only when the hook commits;
 * - `zodIssues` / `parseBag`: a strict object's unexpected keys are named one by one.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Charm } from "../src/index.js";
import { parseBag } from "../src/schema/index.js";
import { hookContextFor, JujuModel, MemoryBackend, sessionOptionsFor } from "../src/testing/index.js";

function hook(model: JujuModel, relationId: number) {
  const context = hookContextFor(model, {
    unit: "a/0",
    kind: "relation-changed",
    relationId,
    remoteUnit: "b/0",
  });
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  return { charm: new Charm({ backend, context }), backend };
}

function twoApps() {
  const model = new JujuModel();
  model.addApplication("a", { endpoints: { x: "provides:t" } });
  model.addApplication("b", { endpoints: { y: "requires:t" } });
  const rel = model.addRelation("a:x", "b:y", { members: "all" });
  return { model, rel };
}

describe("Model.afterFlush", () => {
  it("runs after the databags were written, once, when every handler succeeded", async () => {
    const { model, rel } = twoApps();
    const { charm, backend } = hook(model, rel);
    const order: string[] = [];
    charm.on("relationChanged", (e) => {
      e.relation.localUnit.set("k", "v");
      charm.model.afterFlush(() => {
        order.push(`after:${backend.relationGet({ endpoint: "x", id: rel }, "a/0", false).k}`);
      });
      order.push("handler");
    });
    await charm.dispatch();
    charm.model.flush(); // a second flush runs nothing again
    expect(order).toEqual(["handler", "after:v"]);
  });

  it("is dropped when a later handler fails", async () => {
    const { model, rel } = twoApps();
    const { charm } = hook(model, rel);
    let ran = false;
    charm.on("relationChanged", () =>
      charm.model.afterFlush(() => {
        ran = true;
      }),
    );
    charm.on("relationChanged", () => {
      throw new Error("boom");
    });
    await expect(charm.dispatch()).rejects.toThrow("boom");
    charm.model.flush();
    expect(ran).toBe(false);
  });
});

describe("parseBag with a strict schema", () => {
  it("names each unexpected key instead of the whole databag", () => {
    const r = parseBag(
      z.strictObject({ a: z.string().optional() }),
      { a: "1", b: "2", c: "3" },
      {
        relation: { endpoint: "x", id: 0 },
        side: "requirer",
        bag: "unit",
      },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues.map((i) => [i.key, i.rule, i.shape])).toEqual([
      ["b", "unexpected key", "string of 1 chars"],
      ["c", "unexpected key", "string of 1 chars"],
    ]);
    expect(r.error.message).toBe(
      'x:0 requirer unit databag key "b": unexpected key (got string of 1 chars) (and 1 more)',
    );
  });
});
