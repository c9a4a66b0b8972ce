/**
 * The conformance suites of the `DatabaseRequires` / `DatabaseProvides` interfaces (mysql_client,
 * mongodb_client …): the same protocol rules, parameterised by the interface's schemas and reference
 * charms. Nothing here imports a test framework: the suites return named checks.
 */

import { DEFAULT_REQUESTED_SECRETS } from "../protocol/secrets.js";
import { v0Snapshot } from "../protocol/snapshot.js";
import {
  type ConformanceCheck,
  type ConformanceSuites,
  type ConformanceTarget,
  check,
  checkNoPrematureWrites,
  checkPasswordRotation,
  checkRemovalLeavesNoSecrets,
  checkReplayWritesNothing,
  firstIssue as issue,
  relateTarget,
  secretsOfRelation,
} from "./conformance.js";
import type { HookRunner } from "./simulation.js";

/** What a parse looks like to the checks (a zod schema's `safeParse`). */
interface Schema {
  safeParse(value: unknown): Parameters<typeof issue>[0];
}

/** One database interface, as its suites need it. */
export interface DatabaseSuite {
  readonly interface: string;
  readonly endpoint: string;
  /** The interface's reference charms (its `/testing` entry); `seen` collects connections per unit. */
  referenceProvider(): HookRunner;
  referenceRequirer(seen?: Map<string, unknown[]>): HookRunner;
  /** A provider app bag that answers a request (secrets or plain). */
  readonly answered: Schema;
  readonly requirerApp: Schema;
  readonly requirerUnit: Schema;
  readonly userSecret: Schema;
  /** Keys a provider may write before the request arrives. */
  readonly beforeRequest: readonly string[];
  /** `secret-tls` content, when checked, and the `tls` spellings allowed in it (PostgreSQL: `True`/`False`). */
  readonly tlsSecret?: Schema;
  readonly tlsSpellings?: readonly string[];
  /** `secret-entity` content, when checked. */
  readonly entitySecret?: Schema;
  /** Fields never written in plain text, not even for a pre-secrets requirer (postgresql: `read-only-uris`). */
  readonly neverPlain?: readonly string[];
}

/**
 * Checks for a `DatabaseProvides` provider charm: answered in one hook with secrets against the
 * interface's reference requirer, in plain text for a pre-secrets requirer, no premature writes,
 * idempotent, and no secret left after relation-broken.
 */
export function databaseProviderConformance(
  target: ConformanceTarget,
  suite: DatabaseSuite,
): ConformanceCheck[] {
  const defaults = { endpoint: suite.endpoint, interface: suite.interface };
  const setup = (requirer: HookRunner) => relateTarget(target, "provides", requirer, defaults);
  return [
    {
      name: "answers a database request with secrets, in one hook, with the right wire format",
      run: async () => {
        const seen = new Map<string, unknown[]>();
        const { sim, id } = await setup(suite.referenceRequirer(seen));
        const bag = sim.model.appBag(id, "provider");
        const answered = suite.answered.safeParse(bag);
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
        check(user && suite.userSecret.safeParse(user).success, "secret-user content is malformed");
        const state = sim.model.secret(bag["secret-user"]!)!;
        check(
          state.label === `database.${id}.user.secret`,
          "secret-user must be labelled <endpoint>.<id>.user.secret",
        );
        check(
          state.grants.some((g) => g.relationId === id && g.target === "requirer"),
          "secret-user must be granted to the relation",
        );
        const tls = bag["secret-tls"] ? sim.model.secretContent(bag["secret-tls"]) : undefined;
        if (tls && suite.tlsSecret) {
          check(suite.tlsSecret.safeParse(tls).success, "secret-tls content is malformed");
          const spellings = suite.tlsSpellings;
          check(
            tls.tls === undefined || !spellings || spellings.includes(tls.tls),
            `tls must be spelled ${spellings?.map((s) => `"${s}"`).join("/")}`,
          );
        }
        if (bag["secret-entity"] && suite.entitySecret) {
          check(
            suite.entitySecret.safeParse(sim.model.secretContent(bag["secret-entity"])).success,
            "secret-entity content is malformed",
          );
        }
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
          suite.answered.safeParse(bag).success,
          `plain answer malformed: ${issue(suite.answered.safeParse(bag))}`,
        );
        for (const k of suite.neverPlain ?? [])
          check(bag[k] === undefined, `${k} must never be written in plain text`);
      },
    },
    {
      name: "writes nothing but endpoints before the request arrives",
      run: async () => {
        const { sim, id } = await setup(async () => {});
        checkNoPrematureWrites(sim, id, suite.beforeRequest);
      },
    },
    {
      name: "is idempotent: a repeated relation-changed writes nothing",
      run: async () => {
        const { sim, id } = await setup(suite.referenceRequirer());
        await checkReplayWritesNothing(sim, "provider", id, { secrets: true });
      },
    },
    {
      name: "cleans up its secrets when the relation is removed",
      run: async () => {
        const { sim, id } = await setup(suite.referenceRequirer());
        check(
          secretsOfRelation(sim, "provider", id).length > 0,
          "provider published no secret for the relation",
        );
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
  ];
}

/**
 * Checks for a `DatabaseRequires` requirer charm, against the interface's reference provider: the
 * same-hook request from the leader, per-unit snapshots, idempotence, rotation, clean removal.
 */
export function databaseRequirerConformance(
  target: ConformanceTarget,
  suite: DatabaseSuite,
): ConformanceCheck[] {
  const defaults = { endpoint: suite.endpoint, interface: suite.interface };
  const setup = (provider: HookRunner = suite.referenceProvider()) =>
    relateTarget(target, "requires", provider, defaults);
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
        const bag = suite.requirerApp.safeParse(sim.model.appBag(id, "requirer"));
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
          check(suite.requirerUnit.safeParse(own).success, `${unit} unit databag is malformed`);
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
        await checkPasswordRotation(sim, id, "rotated-password");
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

/** A package's two suites bound to its database interface (`export const { providerConformance, … } = …`). */
export function databaseConformance(suite: DatabaseSuite): ConformanceSuites {
  return {
    providerConformance: (target) => databaseProviderConformance(target, suite),
    requirerConformance: (target) => databaseRequirerConformance(target, suite),
  };
}
