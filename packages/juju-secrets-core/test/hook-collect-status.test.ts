/** collect-status: evaluators, ops' priority, one status-set per hook, its place in the hook. */
import { describe, expect, it } from "vitest";
import type { Backend, RelationRef } from "../src/backend/types.js";
import { CharmRelationsError } from "../src/errors.js";
import { Charm, type CollectStatusEvent } from "../src/hook/charm.js";
import type { HookKind } from "../src/hook/types.js";
import { highestPriority } from "../src/model/status.js";
import { charmRunner, type HookRecord, type HookRunner, Simulation } from "../src/testing/index.js";

type Setup = (charm: Charm) => void | Promise<void>;

/** One app (`app`, 2 units, leader app/0) with a `db` endpoint related to `other`. */
function deployed(setup: Setup, options: { leader?: number } = {}) {
  const sim = new Simulation({ lifecycle: false });
  sim.deploy("app", {
    runner: charmRunner(setup),
    units: 2,
    leader: options.leader ?? 0,
    endpoints: { db: "requires:pg" },
  });
  sim.deploy("other", { runner: async () => {}, endpoints: { db: "provides:pg" } });
  return sim;
}

const tools = (h: HookRecord) => h.calls.map((c) => c.tool);
const statusSets = (h: HookRecord) =>
  h.calls.filter((c) => c.tool === "status-set").map((c) => c.argv.join(" "));

describe("highestPriority (ops' rule)", () => {
  it("blocked > maintenance > waiting > active; the first added wins among equals", () => {
    const s = (status: "blocked" | "maintenance" | "waiting" | "active", message: string) => ({
      status,
      message,
    });
    expect(highestPriority([])).toBeUndefined();
    expect(highestPriority([s("active", "a"), s("waiting", "w"), s("maintenance", "m")])).toEqual(
      s("maintenance", "m"),
    );
    expect(highestPriority([s("waiting", "w1"), s("blocked", "b1"), s("blocked", "b2")])).toEqual(
      s("blocked", "b1"),
    );
    expect(highestPriority([s("active", "first"), s("active", "second")])).toEqual(s("active", "first"));
    expect(highestPriority([s("maintenance", "m"), s("waiting", "w")])).toEqual(s("maintenance", "m"));
  });
});

describe("collectStatus", () => {
  it("runs after the handlers in every hook, observed or not, and sets the winner once", async () => {
    const order: string[] = [];
    const sim = deployed((charm) => {
      charm.on("configChanged", () => {
        order.push("handler");
      });
      charm.on("collectStatus", (e) => {
        order.push(`collect ${e.kind}`);
        e.add("active", "fine");
        e.add("waiting", "almost");
      });
      charm.on("collectStatus", (e) => e.add("waiting", "second evaluator, same priority"));
    });
    const h = await sim.runHook("app/0", "config-changed");
    expect(order).toEqual(["handler", "collect config-changed"]);
    expect(statusSets(h)).toEqual(["--application=False waiting -- almost"]);
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "waiting", message: "almost" });

    const stop = await sim.runHook("app/1", "stop"); // nobody observes stop
    expect(order.at(-1)).toBe("collect stop");
    expect(tools(stop)).toEqual(["status-set"]);
  });

  it("no evaluator, or nothing added: no status-set, and direct calls work as before", async () => {
    const sim = deployed((charm) => {
      charm.on("collectStatus", () => {});
      charm.on("install", () => charm.model.setStatus("maintenance", "installing"));
    });
    expect(tools(await sim.runHook("app/0", "start"))).toEqual([]);
    const install = await sim.runHook("app/0", "install");
    expect(statusSets(install)).toEqual(["--application=False maintenance -- installing"]);
  });

  it("makes no status-set when the winner is what this unit last set", async () => {
    let message = "ready";
    const sim = deployed((charm) => void charm.on("collectStatus", (e) => e.add("active", message)));
    expect(statusSets(await sim.runHook("app/0", "start"))).toHaveLength(1);
    expect(tools(await sim.runHook("app/0", "config-changed"))).toEqual([]);
    expect(tools(await sim.runHook("app/0", "leader-settings-changed"))).toEqual([]);
    message = "ready, 2 replicas";
    expect(statusSets(await sim.runHook("app/0", "config-changed"))).toEqual([
      "--application=False active -- ready, 2 replicas",
    ]);
    // Each unit keeps its own record.
    expect(statusSets(await sim.runHook("app/1", "config-changed"))).toHaveLength(1);
    // The history shows one entry per change, nothing more.
    expect(sim.model.unit("app/0").statusHistory.map((s) => s.message)).toEqual([
      "ready",
      "ready, 2 replicas",
    ]);
  });

  it("compares the message Juju shows (escaped and cut), not the raw text", async () => {
    const sim = deployed(
      (charm) => void charm.on("collectStatus", (e) => e.add("blocked", `bad\nkey ${"x".repeat(2000)}`)),
    );
    const first = await sim.runHook("app/0", "start");
    expect(statusSets(first)).toHaveLength(1);
    expect(sim.model.unitStatus("app/0").message).toMatch(/^bad\\x0akey x+…\(2008 chars\)$/);
    expect(tools(await sim.runHook("app/0", "config-changed"))).toEqual([]);
  });

  it("a direct model.setStatus updates the record; the collected status still has the last word", async () => {
    let direct: string | undefined;
    const sim = deployed((charm) => {
      charm.on("configChanged", () => {
        if (direct) charm.model.setStatus("maintenance", direct);
      });
      charm.on("collectStatus", (e) => e.add("active", "ready"));
    });
    await sim.runHook("app/0", "start");
    direct = "restarting";
    const h = await sim.runHook("app/0", "config-changed");
    expect(statusSets(h)).toEqual([
      "--application=False maintenance -- restarting",
      "--application=False active -- ready",
    ]);
    direct = undefined;
    expect(tools(await sim.runHook("app/0", "config-changed"))).toEqual([]);

    // A charm without evaluators that sets the same status twice: both calls go out (as before).
    const plain = deployed(
      (charm) => void charm.on("configChanged", () => charm.model.setStatus("active", "")),
    );
    expect(statusSets(await plain.runHook("app/0", "config-changed"))).toHaveLength(1);
    expect(statusSets(await plain.runHook("app/0", "config-changed"))).toHaveLength(1);
  });

  it("evaluates before the databag flush and sets the status after it", async () => {
    const sim = deployed((charm) => {
      charm.on("relationCreated", (e) => e.relation.localUnit.set("hello", "world"));
      charm.on("collectStatus", (e) => {
        const rel = charm.model.relations("db")[0];
        // Evaluators read what the handlers wrote (read-your-writes, before the flush).
        e.add("active", `hello=${rel?.localUnit.get("hello") ?? "-"}`);
      });
    });
    const id = sim.relate("app", "other");
    await sim.settle();
    const created = sim.hooks.find((h) => h.unit === "app/0" && h.kind === "relation-created")!;
    expect(tools(created)).toEqual(["relation-get", "relation-ids", "relation-set", "status-set"]);
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "active", message: "hello=world" });
    expect(sim.model.unitBag(id, "app/0")).toMatchObject({ hello: "world" });
  });

  it("a throwing handler: no evaluation, no status-set, nothing written", async () => {
    let evaluated = 0;
    const sim = deployed((charm) => {
      charm.on("configChanged", () => {
        throw new Error("handler failed");
      });
      charm.on("collectStatus", (e) => {
        evaluated += 1;
        e.add("active", "");
      });
    });
    const h = await sim.runHook("app/0", "config-changed");
    expect(h.ok).toBe(false);
    expect(evaluated).toBe(0);
    expect(tools(h)).toEqual([]);
  });

  it("a throwing evaluator fails the hook before any relation-set or status-set", async () => {
    let fail = false;
    const sim = deployed((charm) => {
      charm.on("relationChanged", (e) => e.relation.localUnit.set("k", "v"));
      charm.on("collectStatus", (e) => {
        if (fail) throw new Error("evaluator failed");
        e.add("active", "");
      });
    });
    const id = sim.relate("app", "other");
    fail = true;
    await sim.settle();
    const h = (await sim.runHook("app/0", "relation-changed", { relationId: id, remoteUnit: "other/0" }))!;
    expect(h.ok).toBe(false);
    expect((h.error as Error).message).toBe("evaluator failed");
    expect(tools(h)).not.toContain("relation-set");
    expect(tools(h)).not.toContain("status-set");
  });

  it("a relation-set that fails at the flush leaves the status untouched", async () => {
    const sim = deployed((charm) => {
      charm.on("configChanged", () => charm.model.relations("db")[0]?.localUnit.set("k", "v"));
      charm.on("collectStatus", (e) => e.add("active", "claims success"));
    });
    sim.relate("app", "other");
    await sim.settle();
    const before = sim.model.unitStatus("app/0");
    const failing: HookRunner = (backend, context) =>
      charmRunner((charm) => {
        charm.on("configChanged", () => charm.model.relations("db")[0]?.localUnit.set("k", "v2"));
        charm.on("collectStatus", (e) => e.add("blocked", "never shown"));
      })(withFailingRelationSet(backend), context);
    const h = await sim.runHook("app/0", "config-changed", { runner: failing });
    expect(h.ok).toBe(false);
    expect(tools(h)).not.toContain("status-set");
    expect(sim.model.unitStatus("app/0")).toEqual(before);
  });

  it("rejects what ops rejects: error/unknown, add() after the evaluation, filters", async () => {
    let late: CollectStatusEvent | undefined;
    const sim = deployed((charm) => {
      charm.on("collectStatus", (e) => {
        late = e;
        e.add("error" as "blocked", "no");
      });
    });
    const h = await sim.runHook("app/0", "start");
    expect((h.error as Error).message).toBe(
      'collectStatus: invalid status "error", expected one of blocked, maintenance, waiting, active',
    );
    expect(() => late!.add("active")).toThrow(/add\(\) after the status was evaluated/);
    const charm = new Charm({ backend: {} as Backend, context: contextOf("start") });
    expect(() => charm.on("collectStatus", () => {}, { endpoint: "db" })).toThrow(CharmRelationsError);
  });
});

describe("collectAppStatus", () => {
  const appSetup = (seen: string[]) => (charm: Charm) => {
    charm.on("collectAppStatus", (e) => {
      seen.push(charm.unit);
      e.add("active", "app ready");
    });
    charm.on("collectStatus", (e) => e.add("active", "unit ready"));
  };

  it("runs on the leader only, sets the application status once, then only on change", async () => {
    const seen: string[] = [];
    const sim = deployed(appSetup(seen));
    const leader = await sim.runHook("app/0", "config-changed");
    expect(statusSets(leader)).toEqual([
      "--application=True active -- app ready",
      "--application=False active -- unit ready",
    ]);
    expect(sim.model.appStatus("app")).toEqual({ status: "active", message: "app ready" });
    const other = await sim.runHook("app/1", "config-changed");
    expect(tools(other)).toEqual(["is-leader", "status-set"]);
    expect(statusSets(other)).toEqual(["--application=False active -- unit ready"]);
    expect(seen).toEqual(["app/0"]);
    expect(tools(await sim.runHook("app/0", "config-changed"))).toEqual(["is-leader"]);
  });

  it("asks is-leader only when an application evaluator exists", async () => {
    const sim = deployed((charm) => void charm.on("collectStatus", (e) => e.add("active", "")));
    expect(tools(await sim.runHook("app/1", "config-changed"))).toEqual(["status-set"]);
  });
});

describe("the record of what this unit last set (the cache rule)", () => {
  const steady: Setup = (charm) => {
    charm.on("collectStatus", (e) => e.add("active", "ready"));
    charm.on("collectAppStatus", (e) => e.add("active", "app ready"));
  };

  it("update-status and upgrade-charm set the status whatever the record says", async () => {
    const sim = deployed(steady);
    await sim.runHook("app/0", "start");
    for (const kind of ["update-status", "upgrade-charm"] as const) {
      expect(statusSets(await sim.runHook("app/0", kind))).toEqual([
        "--application=True active -- app ready",
        "--application=False active -- ready",
      ]);
      expect(statusSets(await sim.runHook("app/0", "config-changed"))).toEqual([]);
    }
  });

  it("leader-elected sets the application status again (another leader may have set it), not the unit's", async () => {
    const sim = deployed(steady);
    await sim.runHook("app/0", "start");
    sim.setLeader("app/1");
    await sim.settle(); // leader-elected on app/1
    // Someone else changes the app status meanwhile; app/0 becomes leader again.
    sim.model.application("app").status = { status: "blocked", message: "set by app/1" };
    sim.setLeader("app/0");
    const elected = sim.queue.find((e) => e.unit === "app/0" && e.kind === "leader-elected");
    expect(elected).toBeDefined();
    await sim.settle();
    const h = sim.hooks.filter((x) => x.unit === "app/0" && x.kind === "leader-elected").at(-1)!;
    expect(statusSets(h)).toEqual(["--application=True active -- app ready"]);
    expect(sim.model.appStatus("app")).toEqual({ status: "active", message: "app ready" });
  });

  it("follows status-set, not the hook's outcome: Juju keeps a failed hook's status", async () => {
    let crash = false;
    const sim = deployed((charm) => {
      charm.on("configChanged", () => {
        charm.model.setStatus("maintenance", "reconfiguring");
        if (crash) throw new Error("crash after status-set");
      });
      charm.on("collectStatus", (e) => e.add("maintenance", "reconfiguring"));
    });
    await sim.runHook("app/0", "start");
    crash = true;
    const failed = await sim.runHook("app/0", "config-changed");
    expect(failed.ok).toBe(false);
    expect(sim.model.unitStatus("app/0")).toEqual({ status: "maintenance", message: "reconfiguring" });
    crash = false;
    sim.resolve("app/0");
    // The failed hook's status-set is what Juju shows now, and the record knows it.
    expect(tools(await sim.runHook("app/0", "start"))).toEqual([]);
  });

  it("a hook killed right after status-set leaves no record: the next hook sets the status", async () => {
    let wanted: "active" | "blocked" = "active";
    const setup: Setup = (charm) => void charm.on("collectStatus", (e) => e.add(wanted, wanted));
    const sim = deployed(setup);
    await sim.runHook("app/1", "start");
    wanted = "blocked";
    const killed: HookRunner = (backend, context) =>
      charmRunner(setup)(withKilledStatusSet(backend), context);
    expect((await sim.runHook("app/1", "config-changed", { runner: killed })).ok).toBe(false);
    expect(sim.model.unitStatus("app/1")).toEqual({ status: "blocked", message: "blocked" });
    sim.resolve("app/1");
    wanted = "active";
    expect(statusSets(await sim.runHook("app/1", "config-changed"))).toEqual([
      "--application=False active -- active",
    ]);
  });
});

// -- helpers ---------------------------------------------------------------------------------

function contextOf(kind: HookKind) {
  return {
    dispatchPath: `hooks/${kind}`,
    hookName: kind,
    kind,
    unitName: "app/0",
    appName: "app",
    modelName: "m",
    modelUuid: "00000000-0000-4000-8000-000000000000",
    jujuVersion: "3.6.14",
  };
}

/** The backend, with relation-set failing as Juju does at commit for a rejected value. */
function withFailingRelationSet(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === "relationSet") {
        return (_rel: RelationRef) => {
          throw new CharmRelationsError("relation-set rejected");
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The backend, with the hook killed just after a status-set Juju applied. */
function withKilledStatusSet(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === "statusSet") {
        return (...args: Parameters<Backend["statusSet"]>) => {
          target.statusSet(...args);
          throw new CharmRelationsError("killed");
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
