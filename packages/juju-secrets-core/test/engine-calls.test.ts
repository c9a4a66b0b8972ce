/**
 * Hook-tool calls the engines must not make (issue 18): a provider's relation-broken finds the
 * relation's secrets without a `secret-info-get` per secret the app owns; a requirer whose answer
 * arrives evaluates no lazy request option (no `config-get`); a requirer's `connection()` in the
 * hook of its own relation costs no `relation-ids`.
 */
import { describe, expect, it } from "vitest";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import { Charm } from "../src/hook/charm.js";
import { type HookRecord, type HookRunner, Simulation } from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

const DEF = defineInterface({
  name: "postgresql_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name"] },
});

const runner =
  (setup: (charm: Charm) => void): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    setup(charm);
    await charm.dispatch();
  };

const provider = runner((charm) => {
  const p = new DataProvider(charm, "db", DEF);
  p.events.on("requested", ({ request }) =>
    p.publishFields(request, {
      database: request.resource,
      username: `u${request.relation.id}`,
      password: "pw",
      endpoints: "h:1",
      tls: "true",
      "tls-ca": "ca",
    }),
  );
});

const tools = (h: HookRecord, tool: string) => h.calls.filter((c) => c.tool === tool).length;

describe("provider relation-broken", () => {
  it("removes one relation's secrets without a secret-info-get per owned secret, also after a leader change", async () => {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    sim.deploy("pg", { runner: provider, units: 2, endpoints: { db: "provides:postgresql_client" } });
    const requirer = runner((charm) => {
      new DataRequirer(charm, "db", DEF, { contract: "v0", requests: [{ resource: "app" }] });
    });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      sim.deploy(`c${i}`, { runner: requirer, endpoints: { db: "requires:postgresql_client" } });
      ids.push(sim.relate(`c${i}:db`, "pg:db"));
    }
    expect((await sim.settle()).settled).toBe(true);
    const owned = () => Object.values(sim.model.state.secrets).filter((s) => s.owner.kind === "application");
    expect(owned()).toHaveLength(12); // user + tls per relation
    const broken = async (id: number) => {
      sim.removeRelation(id);
      expect((await sim.settle()).settled).toBe(true);
      return sim.hooks.filter(
        (h) =>
          h.unit === sim.model.leaderOf("pg") &&
          h.kind === "relation-broken" &&
          h.context.relation?.id === id,
      );
    };
    // The leader that created the secrets knows their labels: no secret-info-get at all.
    const [first] = await broken(ids[0]!);
    expect(first!.secrets?.removed).toHaveLength(2);
    expect(tools(first!, "secret-info-get")).toBe(0);
    expect(tools(first!, "secret-ids")).toBe(1);
    expect(owned()).toHaveLength(10);
    // A new leader asks each label once, then never again (old main: one secret-info-get per owned
    // secret in every relation-broken).
    sim.setLeader("pg/1");
    const [second] = await broken(ids[1]!);
    expect(tools(second!, "secret-info-get")).toBe(10);
    expect(owned()).toHaveLength(8);
    const [third] = await broken(ids[2]!);
    expect(tools(third!, "secret-info-get")).toBe(0);
    expect(third!.secrets?.removed).toHaveLength(2);
    expect(owned()).toHaveLength(6);
    // The other relations' secrets are untouched and still granted.
    for (const s of owned()) expect(ids.slice(3)).toContain(s.grants[0]?.relationId);
  });
});

describe("requirer: lazy options and the hook's relation", () => {
  const world = async (contract: "v0" | "v1") => {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    sim.deploy("pg", { runner: provider, endpoints: { db: "provides:postgresql_client" } });
    let evaluated = 0;
    const seen: (string | undefined)[] = [];
    const requirer = runner((charm) => {
      const r = new DataRequirer(charm, "db", DEF, {
        contract,
        // What a charm does: read its config for the request, only when the request is written.
        requests: () => {
          evaluated++;
          if (process.env.DBG)
            console.log(
              "eval in",
              charm.context.hookName,
              new Error().stack?.split("\n").slice(2, 6).join("\n"),
            );
          return [{ resource: String(charm.model.config().database) }];
        },
      });
      charm.on("collectStatus", (e) => {
        const c = r.connection() as { raw: Record<string, string> } | undefined;
        seen.push(c?.raw.username);
        e.add(c ? "active" : "waiting", c ? "ready" : "waiting");
      });
    });
    sim.deploy("client", {
      runner: requirer,
      config: { database: "mydb" },
      endpoints: { db: "requires:postgresql_client" },
    });
    expect((await sim.settle()).settled).toBe(true);
    const before = evaluated;
    const id = sim.relate("client:db", "pg:db");
    expect((await sim.settle()).settled).toBe(true);
    return { sim, id, evaluated: () => evaluated - before, seen };
  };

  for (const contract of ["v0", "v1"] as const) {
    it(`${contract}: the answer's relation-changed costs no relation-ids, no is-leader, and (v0) no config-get`, async () => {
      const { sim, id, evaluated, seen } = await world(contract);
      // v0: the request is evaluated once, to write it (relation-created). v1 also tells its responses
      // from a withdrawn request's leftovers by its request list: once in the hook that reads them.
      expect(evaluated()).toBe(contract === "v0" ? 1 : 2);
      const answered = sim.hooks.filter(
        (h) => h.unit === "client/0" && h.kind === "relation-changed" && h.status.status === "active",
      );
      expect(answered.length).toBeGreaterThan(0);
      for (const h of answered) {
        expect(tools(h, "config-get")).toBe(contract === "v0" ? 0 : 1);
        expect(tools(h, "relation-ids")).toBe(0);
        expect(tools(h, "is-leader")).toBe(0);
      }
      expect(seen.at(-1)).toBe(`u${id}`);
    });
  }

  it("without the hook's relation (update-status), connection() still lists the endpoint", async () => {
    const { sim, id, seen } = await world("v0");
    await sim.runHook("client/0", "update-status");
    const h = sim.hooks.at(-1)!;
    expect(tools(h, "relation-ids")).toBe(1);
    expect(tools(h, "config-get")).toBe(0);
    expect(seen.at(-1)).toBe(`u${id}`);
  });
});

describe("provider request lists", () => {
  it("on one relation: that relation's requests, no relation-ids", async () => {
    const sim = new Simulation({ uuid: UUID, lifecycle: false });
    const seen: { hook: string; pending: number; answered: number }[] = [];
    const quiet = runner((charm) => {
      const p = new DataProvider(charm, "db", DEF);
      charm.on("relationChanged", (e) => {
        if (!charm.model.isLeader()) return;
        const pending = p.pendingRequests(e.relation.ref);
        for (const r of pending) p.publishFields(r, { username: "u", password: "pw", endpoints: "h:1" });
        seen.push({ hook: e.relation.ref.id.toString(), pending: pending.length, answered: 0 });
        seen.at(-1)!.answered = p.answeredRequests(e.relation.ref.id).length;
      });
    });
    sim.deploy("pg", { runner: quiet, endpoints: { db: "provides:postgresql_client" } });
    const requirer = runner((charm) => {
      new DataRequirer(charm, "db", DEF, { contract: "v0", requests: [{ resource: "app" }] });
    });
    for (const app of ["a", "b"]) {
      sim.deploy(app, { runner: requirer, endpoints: { db: "requires:postgresql_client" } });
      sim.relate(`${app}:db`, "pg:db");
    }
    expect((await sim.settle()).settled).toBe(true);
    const changed = sim.hooks.filter((h) => h.unit === "pg/0" && h.kind === "relation-changed");
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const h of changed) expect(tools(h, "relation-ids")).toBe(0);
    // Each relation's first relation-changed answers its one request and then counts it answered.
    expect(seen.filter((s) => s.pending === 1).map((s) => s.answered)).toEqual([1, 1]);
  });
});
