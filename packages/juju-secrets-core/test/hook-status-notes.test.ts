/** StatusNotes: a status found in one hook, added by every later hook's collect-status until deleted. */
import { describe, expect, it } from "vitest";
import type { Charm } from "../src/hook/charm.js";
import { StatusNotes } from "../src/hook/status-notes.js";
import { charmRunner, type HookRecord, Simulation } from "../src/testing/index.js";

const statusSets = (h: HookRecord) =>
  h.calls.filter((c) => c.tool === "status-set").map((c) => c.argv.slice(1).join(" "));

/**
 * An interface-like class: it parses the remote app bag in relation-changed only (no reads in other
 * hooks) and keeps a note while the bag is invalid; the charm itself says active.
 */
function setup(charm: Charm): void {
  const notes = new StatusNotes(charm, "demo:db");
  charm.on(
    "relationChanged",
    (e) => {
      const port = e.relation.remoteAppData().port;
      if (port !== undefined && !/^\d+$/.test(port)) {
        notes.set(`invalid:${e.relation.id}`, "blocked", `${e.relation.name}: key "port" is not a number`);
      } else notes.delete(`invalid:${e.relation.id}`);
    },
    { endpoint: "db" },
  );
  charm.on("relationBroken", (e) => notes.delete(`invalid:${e.relation.id}`), { endpoint: "db" });
  charm.on("collectStatus", (e) => e.add("active", "ready"));
}

async function related() {
  const sim = new Simulation({ lifecycle: false });
  sim.deploy("app", { runner: charmRunner(setup), endpoints: { db: "requires:demo" } });
  sim.deploy("other", { runner: async () => {}, endpoints: { db: "provides:demo" } });
  const id = sim.relate("app", "other");
  await sim.settle();
  const write = (port: string) =>
    sim.runHook("other/0", "config-changed", {
      runner: async (b) => b.relationSet({ endpoint: "db", id }, { port }, true),
    });
  return { sim, id, write };
}

describe("StatusNotes", () => {
  it("keeps a problem found in relation-changed through hooks that do not look again", async () => {
    const { sim, id, write } = await related();
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready" });
    await write("not-a-port");
    await sim.settle();
    const blocked = { status: "blocked", message: `db:${id}: key "port" is not a number` };
    expect(sim.model.unitStatus("app/0")).toEqual(blocked);

    const later = await sim.runHook("app/0", "config-changed");
    expect(later.calls).toEqual([]); // no read, no status-set: the note is remembered
    const periodic = await sim.runHook("app/0", "update-status");
    expect(statusSets(periodic)).toEqual([`blocked -- ${blocked.message}`]);
    expect(sim.model.unitStatus("app/0")).toEqual(blocked);

    await write("5432");
    await sim.settle();
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready" });
    expect(sim.model.unit("app/0").localFiles ?? {}).not.toHaveProperty("notes.demo%3Adb.app-0.json");
  });

  it("a note set in a failed hook is not kept", async () => {
    const { sim, id } = await related();
    const failing = charmRunner((charm) => {
      const notes = new StatusNotes(charm, "demo:db");
      charm.on("configChanged", () => {
        notes.set("x", "blocked", "from a failed hook");
        throw new Error("boom");
      });
    });
    expect((await sim.runHook("app/0", "config-changed", { runner: failing })).ok).toBe(false);
    sim.resolve("app/0");
    await sim.runHook("app/0", "update-status");
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready" });
    expect(id).toBeGreaterThanOrEqual(0);
  });

  it("is removed with the relation, and unreadable state is no note", async () => {
    const { sim, id, write } = await related();
    await write("nope");
    await sim.settle();
    expect(sim.model.unitStatus("app/0").status).toBe("blocked");
    sim.removeRelation(id);
    await sim.settle();
    await sim.runHook("app/0", "update-status");
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready" });

    sim.model.unit("app/0").localFiles = { "notes.demo%3Adb.app-0.json": "{not json" };
    await sim.runHook("app/0", "update-status");
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "ready" });
  });
});
