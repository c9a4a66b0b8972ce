/**
 * `@charm-relations/interface-mysql-client/testing`: what a charm author needs to test a charm that
 * speaks mysql_client: databag builders with the real wire bytes, reference counterpart charms, and the
 * conformance suites (`providerConformance`, `requirerConformance`) to run against your own charm.
 *
 * Nothing here imports a test framework: the suites return named checks you register with yours
 * (`for (const c of providerConformance(…)) it(c.name, c.run)`).
 */

import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
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
  secretsOfRelation,
  settleClean,
} from "@charm-relations/juju-secrets-core/testing";
import type { MysqlConnection } from "./definition.js";
import { MysqlProvider, relationUsername } from "./provider.js";
import { type MysqlRequestOptions, MysqlRequirer } from "./requirer.js";
import { mysqlClientScenario } from "./scenario.js";
import { providerAnsweredAppV0, requirerAppV0, requirerUnit, userSecret } from "./schema.js";

export { type ConformanceCheck, ConformanceError, type ConformanceTarget, charmRunner };

/** The version the recorded mysql-operator published. */
export const RECORDED_VERSION = "8.0.39-0ubuntu0.22.04.1";

/** The requirer app bag `DatabaseRequires` writes in relation-created (recorded bytes). */
export function requirerAppDatabag(
  options: { database?: string; requestedSecrets?: readonly string[] } = {},
): Record<string, string> {
  return {
    database: options.database ?? "myapp",
    "provided-secrets": pyDumps(DEFAULT_PROVIDED_SECRETS),
    "requested-secrets": pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS),
  };
}

export interface ReferenceProviderOptions {
  readonly endpoints?: string;
  readonly readOnlyEndpoints?: string;
  readonly version?: string;
  readonly password?: () => string;
  readonly endpoint?: string;
}

/**
 * A provider that answers like mysql-operator: user `relation-<id>_<uuid hex>`[:26] with a password,
 * database echo, endpoints, read-only endpoints and version, all in the requested hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  const endpoints = options.endpoints ?? "10.1.0.10:3306";
  let n = 0;
  const password = options.password ?? (() => `reference-password-${++n}`);
  return charmRunner((charm) => {
    const provider = new MysqlProvider(charm, options.endpoint ? { endpoint: options.endpoint } : {});
    provider.on("databaseRequested", ({ request }) => {
      provider.publish(request, {
        database: request.database,
        username: relationUsername(request.relation.id, charm.model.modelUuid),
        password: provider.published(request).password ?? password(),
        endpoints,
        readOnlyEndpoints: options.readOnlyEndpoints ?? endpoints,
        version: options.version ?? RECORDED_VERSION,
      });
    });
  });
}

/** A requirer on this package; `seen` collects every connection it was told about, per unit. */
export function referenceRequirer(
  options: Partial<MysqlRequestOptions> & { endpoint?: string } = {},
  seen: Map<string, MysqlConnection[]> = new Map(),
): HookRunner {
  const { endpoint, ...rest } = options;
  return charmRunner((charm) => {
    const requirer = new MysqlRequirer(charm, {
      ...(endpoint ? { endpoint } : {}),
      database: "myapp",
      ...rest,
    });
    const record = ({ connection }: { connection: MysqlConnection }) => {
      seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), connection]);
    };
    requirer.on("databaseCreated", record);
    requirer.on("credentialsRotated", record);
  });
}

const DEFAULTS = { endpoint: "database", interface: "mysql_client" } as const;

/** Checks for a provider charm, against this package's requirer and a pre-secrets requirer. */
export function providerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const setup = (requirer: HookRunner) => relateTarget(target, "provides", requirer, DEFAULTS);
  return [
    {
      name: "answers a database request with secrets, in one hook, with the right wire format",
      run: async () => {
        const seen = new Map<string, MysqlConnection[]>();
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
          "secret-user content must hold username and password",
        );
        const state = sim.model.secret(bag["secret-user"]!)!;
        check(
          state.label === `database.${id}.user.secret`,
          "secret-user must be labelled <endpoint>.<id>.user.secret",
        );
        check(
          state.grants.some((g) => g.relationId === id && g.target === "requirer"),
          "secret-user must be granted to the relation",
        );
        for (const unit of ["requirer/0", "requirer/1"]) {
          check((seen.get(unit) ?? []).length > 0, `${unit} never saw a ready database`);
        }
      },
    },
    {
      name: "serves a pre-secrets requirer in plain text (the no-secrets fallback)",
      run: async () => {
        const legacy: HookRunner = async (b, ctx) => {
          if (ctx.kind === "relation-created" && ctx.relation && b.isLeader())
            b.relationSet(ctx.relation, { database: "legacy" }, true);
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
      },
    },
    {
      name: "writes nothing but endpoints before the request arrives",
      run: async () => {
        const { sim, id } = await setup(async () => {});
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
        check(
          secretsOfRelation(sim, "provider", id).length > 0,
          "provider published no secret for the relation",
        );
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
  ];
}

/** Checks for a requirer charm, against this package's reference provider. */
export function requirerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const setup = (provider: HookRunner = referenceProvider()) =>
    relateTarget(target, "requires", provider, DEFAULTS);
  return [
    {
      name: "asks in relation-created, from the leader, with the full requested-secrets in the same hook",
      run: async () => {
        const { sim, id } = await setup();
        const writes = sim.hooks
          .filter((h) => h.kind === "relation-created" && h.unit.startsWith("requirer/"))
          .flatMap((h) =>
            h.databags.filter((d) => d.bag === "app" && d.relationId === id).map((d) => ({ h, d })),
          );
        check(writes.length === 1, "exactly one relation-created (the leader's) must write the request");
        const { h, d } = writes[0]!;
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
        const { sim, id } = await setup();
        const uri = sim.model.appBag(id, "provider")["secret-user"];
        check(uri !== undefined, "reference provider published no secret-user");
        const content = { ...sim.model.secretContent(uri!)!, password: "rotated-password" };
        await sim.runHook(sim.model.leaderOf("provider")!, "config-changed", {
          runner: async (b) => b.secretSet(uri!, { content }),
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

/** What the tools run mysql_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = { name: "mysql_client", scenario: mysqlClientScenario };
