/** The conformance scaffolding the interface packages' suites share. */
import { describe, expect, it } from "vitest";
import { CharmRelationsError } from "../src/errors.js";
import { encryptionSecretLabel, requestedEntityLabel } from "../src/protocol/secrets.js";
import {
  ConformanceError,
  check,
  deployTarget,
  firstIssue,
  Simulation,
  secretsOfRelation,
  settleClean,
} from "../src/testing/index.js";

const noop = async () => {};
const DEFAULTS = { endpoint: "database", interface: "postgresql_client" } as const;

describe("conformance scaffolding", () => {
  it("check throws a ConformanceError naming the rule, and passes a truthy value", () => {
    expect(() => check(1, "fine")).not.toThrow();
    const error = (() => {
      try {
        check(undefined, "secret-user must be granted to the relation");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConformanceError);
    expect(error).toBeInstanceOf(CharmRelationsError);
    expect(error).toMatchObject({
      name: "ConformanceError",
      message: "secret-user must be granted to the relation",
    });
  });

  it("deployTarget: the interface endpoint (default or the target's) next to the target's others", () => {
    const sim = new Simulation({ lifecycle: false });
    const endpoint = deployTarget(
      sim,
      "provider",
      "provides",
      { runner: noop, endpoints: { peers: "peers:pg_peers" }, units: 3, config: { a: 1 }, charmDir: "/x" },
      DEFAULTS,
    );
    expect(endpoint).toBe("database");
    const app = sim.model.application("provider");
    expect(app.units).toHaveLength(3);
    expect(app.config).toEqual({ a: 1 });
    expect(
      Object.fromEntries(Object.entries(app.endpoints).map(([k, v]) => [k, `${v.role}:${v.interface}`])),
    ).toEqual({
      peers: "peers:pg_peers",
      database: "provides:postgresql_client",
    });
    expect(deployTarget(sim, "requirer", "requires", { runner: noop, endpoint: "db" }, DEFAULTS)).toBe("db");
    expect(sim.model.application("requirer").units).toHaveLength(2);
    expect(sim.model.application("requirer").endpoints.db).toMatchObject({ role: "requires" });
  });

  it("settleClean names the step and the failed hook", async () => {
    const sim = new Simulation({ lifecycle: false });
    deployTarget(
      sim,
      "provider",
      "provides",
      {
        runner: async (_b, ctx) => {
          if (ctx.kind === "relation-created") throw new Error("boom");
        },
      },
      DEFAULTS,
    );
    deployTarget(sim, "requirer", "requires", { runner: noop, units: 1 }, DEFAULTS);
    await settleClean(sim, "deploy");
    sim.relate("provider", "requirer");
    await expect(settleClean(sim, "relate")).rejects.toThrow(
      /^relate: the model did not settle \(provider\/\d database-relation-created failed: boom\)$/,
    );
  });

  it("secretsOfRelation: the app's protocol and auxiliary secrets of that relation only", () => {
    const sim = new Simulation({ lifecycle: false });
    deployTarget(sim, "provider", "provides", { runner: noop, units: 1 }, DEFAULTS);
    deployTarget(sim, "requirer", "requires", { runner: noop, units: 1 }, DEFAULTS);
    const id = sim.relate("provider", "requirer");
    const uuid = sim.model.modelUuidOf("provider");
    const add = (app: string, label: string) =>
      sim.model.addSecret({ owner: app, label, content: { k: "v" } });
    add("provider", `database.${id}.user.secret`);
    add("provider", `database.${id}.0123456789abcdef.tls.secret`);
    add("provider", encryptionSecretLabel(uuid, id));
    add("provider", `database.${id + 1}.user.secret`);
    add("provider", "something-else");
    add("requirer", requestedEntityLabel(uuid, id));
    expect(secretsOfRelation(sim, "provider", id).sort()).toEqual(
      [
        `database.${id}.user.secret`,
        `database.${id}.0123456789abcdef.tls.secret`,
        encryptionSecretLabel(uuid, id),
      ].sort(),
    );
    expect(secretsOfRelation(sim, "requirer", id)).toEqual([requestedEntityLabel(uuid, id)]);
  });

  it("firstIssue: `path: message` of a failed safeParse, empty on success", () => {
    expect(firstIssue({ success: true })).toBe("");
    expect(
      firstIssue({
        success: false,
        error: { issues: [{ path: ["requests", 0, "salt"], message: "required" }] },
      }),
    ).toBe("requests.0.salt: required");
    expect(firstIssue({ success: false, error: { issues: [{ path: [], message: "not an object" }] } })).toBe(
      "(bag): not an object",
    );
  });
});
