/**
 * `@charm-relations/interface-postgresql-client/testing`: what a charm author needs to test a charm
 * that speaks postgresql_client: a runner for in-process charms, databag builders with the real wire
 * bytes, reference counterpart charms, and the conformance suite (`providerConformance`,
 * `requirerConformance`) to run against your own provider or requirer charm.
 *
 * Nothing here imports a test framework: the suites return named checks you register with yours
 * (`for (const c of providerConformance(…)) it(c.name, c.run)`).
 */

import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  formatCommaList,
  pyDumps,
  v0Snapshot,
} from "@charm-relations/juju-secrets-core/protocol";
import type { InterfaceTesting } from "@charm-relations/juju-secrets-core/testing";
import {
  type ConformanceCheck,
  ConformanceError,
  type ConformanceTarget,
  charmRunner,
  check,
  checkNoPrematureWrites,
  checkRemovalLeavesNoSecrets,
  checkReplayWritesNothing,
  type HookRunner,
  firstIssue as issue,
  relateTarget,
  secretsOfRelation as secretsFor,
  settleClean,
} from "@charm-relations/juju-secrets-core/testing";
import type { PostgresqlConnection } from "./definition.js";
import { connectionUri, relationUsername } from "./helpers.js";
import { PostgresqlProvider } from "./provider.js";
import { type PostgresqlRequestOptions, PostgresqlRequirer } from "./requirer.js";
import { postgresqlClientScenario } from "./scenario.js";
import {
  entitySecret,
  providerAnsweredAppV0,
  providerAppV0,
  requirerAppV0,
  requirerUnit,
  tlsSecret,
  userSecret,
} from "./schema.js";

/** Runs an in-process charm's `setup` for one hook (re-exported from the core's testing module). */
/** The conformance scaffolding, shared with the other interface packages (from the core's testing module). */
export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

// ---------------------------------------------------------------------------------------------
// Databag builders (the bytes the Python library writes)

/** The requirer app bag `DatabaseRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: {
    database?: string;
    extraUserRoles?: readonly string[];
    /** `false` builds a pre-secrets requirer (no `requested-secrets`: the plain-text fallback). */
    requestedSecrets?: readonly string[] | false;
    providedSecrets?: readonly string[] | false;
    externalNodeConnectivity?: boolean;
  } = {},
): Record<string, string> {
  const bag: Record<string, string> = { database: options.database ?? "myapp" };
  if (options.requestedSecrets !== false) {
    bag["requested-secrets"] = pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS);
  }
  const provided =
    options.providedSecrets === false ? [] : (options.providedSecrets ?? DEFAULT_PROVIDED_SECRETS);
  if (provided.length) bag["provided-secrets"] = pyDumps(provided);
  if (options.extraUserRoles?.length) bag["extra-user-roles"] = formatCommaList(options.extraUserRoles);
  if (options.externalNodeConnectivity) bag["external-node-connectivity"] = "true";
  return bag;
}

/** A provider app bag in the plain-text fallback (what a provider writes for a pre-secrets requirer). */
export function plainProviderAppDatabag(
  requirerBag: Readonly<Record<string, string>>,
  options: {
    relationId?: number;
    password?: string;
    endpoints?: string;
    version?: string;
    tls?: boolean;
  } = {},
): Record<string, string> {
  const database = requirerBag.database ?? "myapp";
  const username = relationUsername(options.relationId ?? 0);
  const password = options.password ?? "03e46721fbb4139b883356f13d49aaa1";
  const endpoints = options.endpoints ?? "10.1.0.10:5432";
  return {
    data: v0Snapshot(requirerBag),
    database,
    endpoints,
    password,
    "read-only-endpoints": endpoints,
    tls: options.tls ? "True" : "False",
    uris: connectionUri({ username, password, endpoint: endpoints.split(",")[0]!, database }),
    username,
    version: options.version ?? "16.8.1",
  };
}

// ---------------------------------------------------------------------------------------------
// Reference counterparts (built on this package)

export interface ReferenceProviderOptions {
  readonly endpoints?: string;
  readonly version?: string;
  readonly password?: () => string;
  readonly endpoint?: string;
}

/**
 * A provider that answers like the postgresql charm: `relation-<id>` with a password, `uris`, the
 * endpoints (read-only = read-write), version and `tls: False`, all in the requested hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  const endpoints = options.endpoints ?? "10.1.0.10:5432";
  let n = 0;
  const password = options.password ?? (() => `reference-password-${++n}`);
  return charmRunner((charm) => {
    const provider = new PostgresqlProvider(charm, options.endpoint ? { endpoint: options.endpoint } : {});
    provider.on("databaseRequested", ({ request }) => {
      const username = relationUsername(request.relation.id);
      const pw = provider.published(request).password ?? password();
      const primary = endpoints.split(",")[0]!;
      provider.publish(request, {
        database: request.database,
        username,
        password: pw,
        uris: connectionUri({ username, password: pw, endpoint: primary, database: request.database }),
        endpoints,
        readOnlyEndpoints: endpoints,
        version: options.version ?? "16.8.1",
        tls: false,
      });
    });
  });
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<PostgresqlRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, PostgresqlConnection[]> = new Map(),
): HookRunner {
  const { endpoint, ...rest } = options;
  return charmRunner((charm) => {
    const requirer = new PostgresqlRequirer(charm, {
      ...(endpoint ? { endpoint } : {}),
      database: "myapp",
      ...rest,
    });
    const record = ({ connection }: { connection: PostgresqlConnection }) => {
      seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), connection]);
    };
    requirer.on("databaseCreated", record);
    requirer.on("credentialsRotated", record);
  });
}

// ---------------------------------------------------------------------------------------------
// Conformance suites

const DEFAULTS = { endpoint: "database", interface: "postgresql_client" } as const;

/**
 * Checks for a provider charm: answered against this package's requirer (secrets mode) and against a
 * pre-secrets requirer (plain-text fallback), with the wire rules of the Python library.
 */
export function providerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const setup = (requirer: HookRunner) => relateTarget(target, "provides", requirer, DEFAULTS);

  return [
    {
      name: "answers a database request with secrets, in one hook, with the right wire format",
      run: async () => {
        const seen = new Map<string, PostgresqlConnection[]>();
        const { sim, id } = await setup(referenceRequirer({}, seen));
        const bag = sim.model.appBag(id, "provider");
        const answered = providerAnsweredAppV0.safeParse(bag);
        check(answered.success, `provider app databag does not answer the request: ${issue(answered)}`);
        check(
          bag["secret-user"] !== undefined,
          "credentials must go in secret-user when requested as secrets",
        );
        for (const k of ["username", "password", "uris", "read-only-uris", "tls", "tls-ca"]) {
          check(bag[k] === undefined, `"${k}" was requested as a secret but written in plain text`);
        }
        check(
          bag.data === v0Snapshot(sim.model.appBag(id, "requirer")),
          "data must be the sorted snapshot of the requirer app bag",
        );
        const user = sim.model.secretContent(bag["secret-user"]!);
        check(
          user && userSecret.safeParse(user).success,
          "secret-user content must hold username (+ password, uris)",
        );
        const userState = sim.model.secret(bag["secret-user"]!)!;
        check(
          userState.grants.some((g) => g.relationId === id && g.target === "requirer"),
          "secret-user must be granted to the relation",
        );
        if (bag["secret-tls"]) {
          const tls = sim.model.secretContent(bag["secret-tls"])!;
          check(tlsSecret.safeParse(tls).success, "secret-tls content is malformed");
          check(
            tls.tls === undefined || tls.tls === "True" || tls.tls === "False",
            'tls must be spelled "True"/"False"',
          );
        }
        if (bag["secret-entity"]) {
          check(
            entitySecret.safeParse(sim.model.secretContent(bag["secret-entity"])).success,
            "secret-entity content is malformed",
          );
        }
        const created = sim.hooks.filter((h) => h.unit.startsWith("requirer/") && h.ok);
        check(created.length > 0, "the requirer ran no hook");
        for (const unit of ["requirer/0", "requirer/1"]) {
          check((seen.get(unit) ?? []).length > 0, `${unit} never saw a ready database`);
        }
      },
    },
    {
      name: "serves a pre-secrets requirer in plain text (the no-secrets fallback)",
      run: async () => {
        const legacy: HookRunner = async (b, ctx) => {
          if (ctx.kind === "relation-created" && ctx.relation && b.isLeader()) {
            b.relationSet(ctx.relation, { database: "legacy" }, true);
          }
        };
        const { sim, id } = await setup(legacy);
        const bag = sim.model.appBag(id, "provider");
        check(bag["secret-user"] === undefined, "no requested-secrets: credentials must not go in a secret");
        check(
          bag.username !== undefined && bag.password !== undefined,
          "no requested-secrets: plain username and password expected",
        );
        check(
          providerAnsweredAppV0.safeParse(bag).success,
          `plain answer malformed: ${issue(providerAnsweredAppV0.safeParse(bag))}`,
        );
        check(bag["read-only-uris"] === undefined, "read-only-uris must never be written in plain text");
      },
    },
    {
      name: "writes nothing but endpoints before the request arrives",
      run: async () => {
        const silent: HookRunner = async () => {};
        const { sim, id } = await setup(silent);
        checkNoPrematureWrites(sim, id, ["endpoints", "read-only-endpoints", "encryption-secret"]);
      },
    },
    {
      name: "is idempotent: a repeated relation-changed writes nothing",
      run: async () => {
        const { sim, id } = await setup(referenceRequirer());
        await checkReplayWritesNothing(sim, "provider", id, { secrets: true });
      },
    },
    {
      name: "cleans up its secrets when the relation is removed",
      run: async () => {
        const { sim, id } = await setup(referenceRequirer());
        check(secretsFor(sim, "provider", id).length > 0, "provider published no secret for the relation");
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
  ];
}

/**
 * Checks for a requirer charm: it asks correctly (same-hook rule, full `requested-secrets`, leader only),
 * keeps a per-unit snapshot, survives rotation and removal, against this package's reference provider.
 */
export function requirerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const setup = (provider: HookRunner = referenceProvider()) =>
    relateTarget(target, "requires", provider, DEFAULTS);

  return [
    {
      name: "asks in relation-created, from the leader, with the full requested-secrets in the same hook",
      run: async () => {
        const { sim, id } = await setup();
        const created = sim.hooks.filter(
          (h) => h.kind === "relation-created" && h.unit.startsWith("requirer/"),
        );
        const appWrites = created.flatMap((h) =>
          h.databags.filter((d) => d.bag === "app" && d.relationId === id).map((d) => ({ h, d })),
        );
        check(appWrites.length === 1, "exactly one relation-created (the leader's) must write the request");
        const { h, d } = appWrites[0]!;
        check(sim.model.isLeader(h.unit), "only the leader may write the app databag");
        check(d.set.database !== undefined, "the request (database) must be written in relation-created");
        check(
          d.set["requested-secrets"] !== undefined,
          "requested-secrets must be written in the same hook as database",
        );
        const requested = JSON.parse(d.set["requested-secrets"]!) as string[];
        for (const f of DEFAULT_REQUESTED_SECRETS)
          check(requested.includes(f), `requested-secrets must include "${f}"`);
        const bag = requirerAppV0.safeParse(sim.model.appBag(id, "requirer"));
        check(bag.success, `requirer app databag is malformed: ${issue(bag)}`);
      },
    },
    {
      name: "keeps a snapshot of the provider app bag in every unit's databag",
      run: async () => {
        const { sim, id } = await setup();
        const provider = sim.model.appBag(id, "provider");
        check(providerAppV0.safeParse(provider).success, "reference provider bag unexpected");
        for (const unit of sim.model.application("requirer").units) {
          const own = sim.model.unitBag(id, unit);
          check(requirerUnit.safeParse(own).success, `${unit} unit databag is malformed`);
          check(
            own.data === v0Snapshot(provider),
            `${unit} must keep data = sorted snapshot of the provider app bag`,
          );
        }
      },
    },
    {
      name: "is idempotent: a repeated relation-changed writes nothing",
      run: async () => {
        const { sim, id } = await setup();
        await checkReplayWritesNothing(sim, "requirer", id);
      },
    },
    {
      name: "handles a password rotation (secret-changed) on every unit",
      run: async () => {
        let generation = 1;
        const { sim, id } = await setup(referenceProvider({ password: () => `generation-${generation}` }));
        const uri = sim.model.appBag(id, "provider")["secret-user"];
        check(uri !== undefined, "reference provider published no secret-user");
        generation = 2;
        const content = { ...sim.model.secretContent(uri!)!, password: "generation-2" };
        // Rotate as the provider leader would (secret-set in its own hook).
        const leader = sim.model.leaderOf("provider")!;
        await sim.runHook(leader, "config-changed", {
          runner: async (b) => {
            b.secretSet(uri!, { content });
          },
        });
        await settleClean(sim, "rotation");
        const changed = sim.hooks.filter(
          (h) => h.kind === "secret-changed" && h.unit.startsWith("requirer/"),
        );
        check(
          changed.length === sim.model.application("requirer").units.length,
          "every requirer unit must get secret-changed",
        );
        check(
          changed.every((h) => h.ok),
          "secret-changed failed on a requirer unit",
        );
      },
    },
    {
      name: "leaves nothing behind when the relation is removed",
      run: async () => {
        const { sim, id } = await setup();
        await checkRemovalLeavesNoSecrets(sim, "requirer", id);
      },
    },
  ];
}
export * from "./scenario.js";

/** What the tools run postgresql_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = {
  name: "postgresql_client",
  scenario: postgresqlClientScenario,
};
