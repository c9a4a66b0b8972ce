/**
 * Core engine additions made for interface-postgresql-client: the requested-entity secret (§4.10),
 * entity readiness, interface validation hooks on both sides, secret retention for departing units,
 * and reading back what a provider published.
 */
import { describe, expect, it } from "vitest";
import type { InterfaceDefinition, RequestSpec } from "../src/engine/definition.js";
import { DataProvider, type ProviderRequest } from "../src/engine/provider.js";
import { DataRequirer, type ResolvedResponse } from "../src/engine/requirer.js";
import { RemoteDataError } from "../src/errors.js";
import { Charm } from "../src/hook/charm.js";
import { type HookRunner, Simulation } from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";
const DEF: InterfaceDefinition = {
  name: "postgresql_client",
  resourceKey: "database",
  readyFields: ["username", "password", "endpoints"],
  entityReadyFields: ["entity-name"],
};

type ProviderWiring = (p: DataProvider, charm: Charm) => void;
type RequirerWiring = (r: DataRequirer, charm: Charm) => void;

const providerRunner =
  (wire: ProviderWiring, options: ConstructorParameters<typeof DataProvider>[3] = {}): HookRunner =>
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

const answer = (p: DataProvider, request: ProviderRequest, extra: Record<string, string> = {}) =>
  p.publish(request.relation, {
    database: request.resource,
    endpoints: "10.1.0.10:5432",
    username: `relation-${request.relation.id}`,
    password: "pw-1",
    ...extra,
  });

describe("requested-entity-secret (protocol §4.10)", () => {
  it("is created, granted and referenced in the request's hook; the provider reads it; the requirer drops it once answered", async () => {
    const reads: unknown[] = [];
    const created: ResolvedResponse[] = [];
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
        (r) => r.events.on("created", ({ response }) => void created.push(response)),
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
    expect(created.map((c) => c.fields["entity-name"])).toEqual(["custom_user", "custom_user"]);
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
    const probe = (uri: string | undefined): HookRunner =>
      providerRunner((p, charm) => {
        charm.on("updateStatus", () => {
          const [request] = p.requests();
          const raw = uri === undefined ? request!.raw : { ...request!.raw, "requested-entity-secret": uri };
          seen.push(p.requestedEntity({ ...request!, raw }));
        });
      });
    for (const uri of [other, hidden, undefined])
      await sim.runHook("provider/0", "update-status", { runner: probe(uri) });
    expect(seen).toEqual([
      { ok: true, name: "v1name", password: "v1pw" },
      { ok: false, reason: "permission-denied" },
      { ok: false, reason: "absent" },
    ]);
  });
});

describe("interface validation hooks", () => {
  it("requirer: validateBag turns a bad answer into `invalid` with nothing written, then recovers", async () => {
    const invalid: RemoteDataError[] = [];
    let good = false;
    const { sim, id } = await pair(
      providerRunner((p) => {
        p.events.on("requested", ({ request }) =>
          answer(p, request, { endpoints: good ? "10.1.0.10:5432" : "10.1.0.10:-1" }),
        );
      }),
      requirerRunner(
        { resource: "myapp" },
        (r) => r.events.on("invalid", ({ error }) => void invalid.push(error)),
        {
          validateBag: (bag, relation) =>
            bag.endpoints?.includes(":-1")
              ? new RemoteDataError([
                  { relation, side: "provider", bag: "app", key: "endpoints", rule: "bad port" },
                ])
              : undefined,
        },
      ),
    );
    expect(invalid.length).toBeGreaterThanOrEqual(2);
    expect(invalid[0]!.key).toBe("endpoints");
    expect(sim.model.unitBag(id, "requirer/0").data).toBeUndefined();
    expect(sim.model.unitBag(id, "requirer/1").data).toBeUndefined();
    // The provider fixes its endpoints: the snapshot advances.
    good = true;
    await sim.runHook("provider/0", "update-status", {
      runner: providerRunner((p, charm) =>
        charm.on("updateStatus", () => p.publishAll({ endpoints: "10.1.0.10:5432" })),
      ),
    });
    await sim.settle();
    expect(JSON.parse(sim.model.unitBag(id, "requirer/1").data!)).toMatchObject({
      endpoints: "10.1.0.10:5432",
    });
  });

  it("requirer: validateResponse sees resolved secret content; an unknown secret-* key is ignored", async () => {
    const responses: ResolvedResponse[] = [];
    const { sim, id } = await pair(
      providerRunner((p, charm) => {
        p.events.on("requested", ({ request }) => {
          answer(p, request);
          charm.model.relation(request.relation).localApp.set("secret-bogus", "secret:aaaaaaaaaaaaaaaaaaaa");
        });
      }),
      requirerRunner({ resource: "myapp" }, () => {}, {
        validateResponse: (r) => void responses.push(r) as undefined,
      }),
    );
    expect(sim.failedUnits.size).toBe(0);
    expect(responses.some((r) => r.fields.password === "pw-1")).toBe(true);
    expect(sim.model.unitBag(id, "requirer/0").data).toContain("secret-bogus");
  });

  it("provider: validateRequest gives requestInvalid, no event, no snapshot; a corrected request is new", async () => {
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
        p.events.on("requestInvalid", ({ error }) => void events.push(`invalid ${error.key}`));
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
