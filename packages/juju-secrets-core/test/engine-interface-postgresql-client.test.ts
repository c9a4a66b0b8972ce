/**
 * Core engine additions made for interface-postgresql-client: the requested-entity secret (§4.10),
 * entity readiness, interface validation hooks on both sides, secret retention for departing units,
 * and reading back what a provider published.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { ProviderRequest, RequestSpec } from "../src/contract/types.js";
import type { Answer } from "../src/engine/definition.js";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider, type DataProviderOptions } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import { RemoteDataError } from "../src/errors.js";
import { Charm } from "../src/hook/charm.js";
import { type HookRunner, Simulation } from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";
const DEF = defineInterface({
  name: "postgresql_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"], entity: ["entity-name"] },
});

type ProviderWiring = (p: DataProvider<typeof DEF>, charm: Charm) => void;
type RequirerWiring = (r: DataRequirer<typeof DEF>, charm: Charm) => void;

const providerRunner =
  (wire: ProviderWiring, options: DataProviderOptions = {}): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    wire(new DataProvider(charm, "database", DEF, options), charm);
    await charm.dispatch();
  };

const requirerRunner =
  (
    spec: RequestSpec,
    wire: RequirerWiring = () => {},
    extra: Partial<ConstructorParameters<typeof DataRequirer>[3]> = {},
  ): HookRunner =>
  async (backend, context) => {
    const charm = new Charm({ backend, context });
    wire(new DataRequirer(charm, "database", DEF, { contract: "v0", requests: [spec], ...extra }), charm);
    await charm.dispatch();
  };

async function pair(provider: HookRunner, requirer: HookRunner, units = 2) {
  const sim = new Simulation({ uuid: UUID, lifecycle: false });
  sim.deploy("provider", { runner: provider, units, endpoints: { database: "provides:postgresql_client" } });
  sim.deploy("requirer", { runner: requirer, units, endpoints: { database: "requires:postgresql_client" } });
  await sim.settle();
  const id = sim.relate("provider:database", "requirer:database");
  const result = await sim.settle();
  return { sim, id, result };
}

const answer = (p: DataProvider<typeof DEF>, request: ProviderRequest, extra: Record<string, string> = {}) =>
  p.publishFields(request.relation, {
    database: request.resource,
    endpoints: "10.1.0.10:5432",
    username: `relation-${request.relation.id}`,
    password: "pw-1",
    ...extra,
  });

describe("requested-entity-secret (protocol §4.10)", () => {
  it("is created, granted and referenced in the request's hook; the provider reads it; the requirer drops it once answered", async () => {
    const reads: unknown[] = [];
    const created: Answer[] = [];
    const { sim, id, result } = await pair(
      providerRunner((p) => {
        p.events.on("entityRequested", ({ request }) => {
          const entity = p.requestedEntity(request);
          reads.push(entity);
          if (entity.ok)
            answer(p, request, { "entity-name": entity.name, "entity-password": entity.password ?? "" });
        });
      }),
      requirerRunner(
        {
          resource: "myapp",
          entityType: "USER",
          requestedEntity: { name: "custom_user", password: "chosen-pw" },
        },
        (r) => r.events.on("created", ({ connection }) => void created.push(connection)),
      ),
    );
    expect(result.settled).toBe(true);
    expect(reads).toEqual([{ ok: true, name: "custom_user", password: "chosen-pw" }]);

    // Same hook as the resource key: the leader's relation-created wrote both.
    const createdHook = sim.hooks.find((h) => h.unit === "requirer/0" && h.kind === "relation-created")!;
    const appWrite = createdHook.databags.find((d) => d.bag === "app")!;
    expect(appWrite.set.database).toBe("myapp");
    expect(appWrite.set["requested-entity-secret"]).toMatch(new RegExp(`^secret://${UUID}/`));
    expect(createdHook.secrets?.created).toHaveLength(1);

    // Once the entity exists: the secret is gone and so is the key.
    expect(sim.model.secretByLabel(`${UUID}-${id}-requested-entity`)).toBeUndefined();
    expect(sim.model.appBag(id, "requirer")["requested-entity-secret"]).toBeUndefined();
    // created fired on every unit on entity readiness (no user credentials involved).
    expect(created.map((c) => c.raw["entity-name"])).toEqual(["custom_user", "custom_user"]);
  });

  it("accepts the v1 spelling entity-password, and reports unreadable or absent secrets", async () => {
    const { sim, id } = await pair(
      providerRunner(() => {}),
      requirerRunner({ resource: "myapp" }),
    );
    const other = sim.model.addSecret({
      owner: "requirer",
      content: { "entity-name": "v1name", "entity-password": "v1pw" },
      grants: [{ relationId: id }],
    });
    const hidden = sim.model.addSecret({ owner: "requirer", content: { "entity-name": "nope" } });
    const seen: unknown[] = [];
    const probe: HookRunner = providerRunner((p, charm) => {
      charm.on("updateStatus", () => void seen.push(p.requestedEntity(p.requests()[0]!)));
    });
    const bag = sim.model.appBag(id, "requirer");
    for (const uri of [other, hidden, undefined]) {
      const { "requested-entity-secret": _, ...rest } = bag;
      sim.model.setAppBag(
        id,
        "requirer",
        uri === undefined ? rest : { ...rest, "requested-entity-secret": uri },
      );
      await sim.runHook("provider/0", "update-status", { runner: probe });
    }
    expect(seen).toEqual([
      { ok: true, name: "v1name", password: "v1pw" },
      { ok: false, reason: "permission-denied" },
      { ok: false, reason: "absent" },
    ]);
  });
});

describe("validation against the definition's schemas", () => {
  /** The same definition with schemas: endpoints with a port, and a password of 4+ characters in secret-user. */
  const CHECKED = defineInterface({
    ...DEF,
    contracts: { requirer: ["v0"], provider: ["v0"] },
    schemas: {
      v0: {
        requirerApp: z.looseObject({ database: z.string() }),
        providerApp: z.looseObject({
          endpoints: z
            .string()
            .regex(/^[^:]+:\d+$/, "bad port")
            .optional(),
        }),
      },
      secrets: { user: z.looseObject({ username: z.string(), password: z.string().min(4, "too short") }) },
    },
  });
  const checkedRequirer =
    (wire: (r: DataRequirer<typeof CHECKED>) => void): HookRunner =>
    async (backend, context) => {
      const charm = new Charm({ backend, context });
      wire(
        new DataRequirer(charm, "database", CHECKED, { contract: "v0", requests: [{ resource: "myapp" }] }),
      );
      await charm.dispatch();
    };

  it("requirer: a bad answer is `invalid` with nothing written, then recovers", async () => {
    const invalid: RemoteDataError[] = [];
    let good = false;
    const { sim, id } = await pair(
      providerRunner((p) => {
        p.events.on("requested", ({ request }) =>
          answer(p, request, { endpoints: good ? "10.1.0.10:5432" : "10.1.0.10:-1" }),
        );
      }),
      checkedRequirer((r) => r.events.on("invalid", ({ error }) => void invalid.push(error))),
    );
    expect(invalid.length).toBeGreaterThanOrEqual(2);
    expect(invalid[0]!.key).toBe("endpoints");
    expect(invalid[0]!.issues[0]!.rule).toBe("bad port");
    expect(sim.model.unitBag(id, "requirer/0").data).toBeUndefined();
    expect(sim.model.unitBag(id, "requirer/1").data).toBeUndefined();
    // The provider fixes its endpoints: the snapshot advances.
    good = true;
    await sim.runHook("provider/0", "update-status", {
      runner: providerRunner((p, charm) =>
        charm.on("updateStatus", () => p.publishAllFields({ endpoints: "10.1.0.10:5432" })),
      ),
    });
    await sim.settle();
    expect(JSON.parse(sim.model.unitBag(id, "requirer/1").data!)).toMatchObject({
      endpoints: "10.1.0.10:5432",
    });
  });

  it("requirer: secret content is checked too, named `secret-<group>/<field>`; an unknown secret-* key is ignored", async () => {
    const invalid: RemoteDataError[] = [];
    const created: Answer[] = [];
    const { sim, id } = await pair(
      providerRunner((p, charm) => {
        p.events.on("requested", ({ request }) => {
          answer(p, request, { password: "pw" });
          charm.model.relation(request.relation).localApp.set("secret-bogus", "secret:aaaaaaaaaaaaaaaaaaaa");
        });
      }),
      checkedRequirer((r) => {
        r.events.on("invalid", ({ error }) => void invalid.push(error));
        r.events.on("created", ({ connection }) => void created.push(connection));
      }),
    );
    expect(sim.failedUnits.size).toBe(0);
    expect(invalid[0]!.key).toBe("secret-user/password");
    expect(invalid[0]!.message).not.toContain('"pw"');
    expect(created).toEqual([]);
    // A valid password: created, and the unknown secret-* key is part of the snapshot, never read.
    await sim.runHook("provider/0", "update-status", {
      runner: providerRunner((p, charm) => charm.on("updateStatus", () => answer(p, p.requests()[0]!))),
    });
    await sim.settle();
    expect(created.some((c) => c.raw.password === "pw-1")).toBe(true);
    expect(sim.model.unitBag(id, "requirer/0").data).toContain("secret-bogus");
  });

  it("provider: validateRequest gives `invalid`, no event, no snapshot; a corrected request is new", async () => {
    const events: string[] = [];
    const validateRequest = (r: ProviderRequest) =>
      r.resource.endsWith("*") && r.resource.length < 4
        ? new RemoteDataError([
            { relation: r.relation, side: "requirer", bag: "app", key: "database", rule: "prefix too short" },
          ])
        : undefined;
    const provider = providerRunner(
      (p) => {
        p.events.on("requested", ({ request }) => void events.push(`requested ${request.resource}`));
        p.events.on("invalid", ({ error }) => void events.push(`invalid ${error.key}`));
      },
      { validateRequest },
    );
    const { sim, id } = await pair(provider, requirerRunner({ resource: "a*" }));
    expect(events).toContain("invalid database");
    expect(events.some((e) => e.startsWith("requested"))).toBe(false);
    expect(sim.model.appBag(id, "provider").data).toBeUndefined();
    const bag = sim.model.appBag(id, "requirer");
    await sim.runHook("requirer/0", "update-status", {
      runner: async (b) => b.relationSet({ endpoint: "database", id }, { ...bag, database: "abc*" }, true),
    });
    await sim.settle();
    expect(events).toContain("requested abc*");
  });
});

describe("retainSecretsOnBroken and published()", () => {
  it("keeps the relation's secrets when the callback says so, removes them otherwise", async () => {
    for (const retain of [true, false]) {
      const { sim, id } = await pair(
        providerRunner((p) => p.events.on("requested", ({ request }) => answer(p, request)), {
          retainSecretsOnBroken: () => retain,
        }),
        requirerRunner({ resource: "myapp" }),
      );
      const uri = sim.model.appBag(id, "provider")["secret-user"]!;
      sim.removeRelation(id);
      await sim.settle();
      expect(sim.model.secret(uri) !== undefined).toBe(retain);
    }
  });

  it("reads back plain keys and owned secret content, keeping the v0 engine `version`", async () => {
    let published: Record<string, string> | undefined;
    const { sim, id } = await pair(
      providerRunner((p) =>
        p.events.on("requested", ({ request }) => answer(p, request, { version: "16.8.1", tls: "False" })),
      ),
      requirerRunner({ resource: "myapp" }),
    );
    await sim.runHook("provider/0", "update-status", {
      runner: providerRunner((p, charm) =>
        charm.on("updateStatus", () => {
          published = p.published({ endpoint: "database", id });
        }),
      ),
    });
    expect(published).toMatchObject({
      database: "myapp",
      endpoints: "10.1.0.10:5432",
      version: "16.8.1",
      username: `relation-${id}`,
      password: "pw-1",
      tls: "False",
    });
    expect(Object.keys(published!).some((k) => k.startsWith("secret-") || k === "data")).toBe(false);
  });

  it("secret-remove: the provider drops a superseded revision nobody tracks (§6.3 step 5)", async () => {
    let password = "pw-1";
    const { sim, id } = await pair(
      providerRunner((p, charm) => {
        p.events.on("requested", ({ request }) => answer(p, request));
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) for (const r of p.requests()) answer(p, r, { password });
        });
      }),
      requirerRunner({ resource: "myapp" }),
    );
    const uri = sim.model.appBag(id, "provider")["secret-user"]!;
    password = "pw-2";
    sim.configure("provider", {});
    expect((await sim.settle()).settled).toBe(true);
    const remove = sim.hooks.filter((h) => h.kind === "secret-remove");
    expect(remove.map((h) => [h.unit, h.context.secretRevision])).toEqual([["provider/0", 1]]);
    expect(remove[0]!.secrets?.revisionsRemoved).toHaveLength(1);
    expect(sim.model.secret(uri)!.revisions.map((r) => r.revision)).toEqual([2]);
  });
});
