/**
 * The conformance suites of a v0 flat data_interfaces interface, from its definition: the same rules
 * for every such package (mysql, opensearch, karapace …), each package passing its reference charms.
 * A package's `/testing` exports them bound to its definition (`providerConformance(target)`).
 */

import type { AnyDefinition } from "../engine/definition.js";
import { DEFAULT_REQUESTED_SECRETS } from "../protocol/secrets.js";
import { v0Snapshot } from "../protocol/snapshot.js";
import type { ObjectSchema } from "../schema/parse.js";
import {
  type ConformanceCheck,
  type ConformanceSuites,
  type ConformanceTarget,
  check,
  checkNoPrematureWrites,
  checkPasswordRotation,
  checkRemovalLeavesNoSecrets,
  checkReplayWritesNothing,
  firstIssue,
  relateTarget,
  secretsOfRelation,
} from "./conformance.js";
import type { HookRunner } from "./simulation.js";

export interface V0SuiteSpec {
  readonly definition: AnyDefinition;
  /** The package's requirer; `seen` collects, per unit, every connection it reported. */
  readonly referenceRequirer: (seen: Map<string, unknown[]>) => HookRunner;
  /** The package's provider; `password` makes each new password (rotation checks). */
  readonly referenceProvider: (options?: { password?: () => string }) => HookRunner;
  /** What a pre-secrets requirer asks for (the resource key's value). */
  readonly resource: string;
}

function parts(spec: V0SuiteSpec) {
  const def = spec.definition;
  const v0 = def.schemas?.v0;
  if (!v0) throw new TypeError(`${def.name}: the v0 conformance suites need schemas.v0`);
  const endpoint =
    typeof def.defaultEndpoint === "string" ? def.defaultEndpoint : def.defaultEndpoint.provider;
  const secrets = (def.schemas?.secrets ?? {}) as Partial<Record<string, ObjectSchema>>;
  return { v0, secrets, defaults: { endpoint, interface: def.name as string } };
}

/** Checks for a provider charm: secrets mode, the plain-text fallback, no premature writes, idempotence, cleanup. */
export function v0ProviderConformance(spec: V0SuiteSpec, target: ConformanceTarget): ConformanceCheck[] {
  const { v0, secrets, defaults } = parts(spec);
  const setup = (requirer: HookRunner) => relateTarget(target, "provides", requirer, defaults);
  return [
    {
      name: "answers the request with secrets, in one hook, with the right wire format",
      run: async () => {
        const seen = new Map<string, unknown[]>();
        const { sim, id } = await setup(spec.referenceRequirer(seen));
        const bag = sim.model.appBag(id, "provider");
        const parsed = v0.providerApp.safeParse(bag);
        check(parsed.success, `provider app databag is malformed: ${firstIssue(parsed)}`);
        check(
          bag["secret-user"] !== undefined,
          "credentials must go in secret-user when requested as secrets",
        );
        for (const k of DEFAULT_REQUESTED_SECRETS)
          check(bag[k] === undefined, `"${k}" was requested as a secret but written in plain text`);
        check(
          bag.data === v0Snapshot(sim.model.appBag(id, "requirer")),
          "data must be the sorted snapshot of the requirer app bag",
        );
        for (const [group, schema] of Object.entries(secrets)) {
          const uri = bag[`secret-${group}`];
          if (uri === undefined || !schema) continue;
          const content = schema.safeParse(sim.model.secretContent(uri));
          check(content.success, `secret-${group} content is malformed: ${firstIssue(content)}`);
          const granted = sim.model
            .secret(uri)
            ?.grants.some((g) => g.relationId === id && g.target === "requirer");
          check(granted, `secret-${group} must be granted to the relation`);
        }
        for (const unit of sim.model.application("requirer").units)
          check((seen.get(unit) ?? []).length > 0, `${unit} never saw a ready connection`);
      },
    },
    {
      name: "serves a pre-secrets requirer in plain text (the no-secrets fallback)",
      run: async () => {
        const legacy: HookRunner = async (b, ctx) => {
          if (ctx.kind === "relation-created" && ctx.relation && b.isLeader())
            b.relationSet(ctx.relation, { [spec.definition.resourceKey]: spec.resource }, true);
        };
        const { sim, id } = await setup(legacy);
        const bag = sim.model.appBag(id, "provider");
        check(bag["secret-user"] === undefined, "no requested-secrets: credentials must not go in a secret");
        check(
          bag.username !== undefined && bag.password !== undefined,
          "no requested-secrets: plain username and password expected",
        );
        const parsed = v0.providerApp.safeParse(bag);
        check(parsed.success, `plain answer malformed: ${firstIssue(parsed)}`);
      },
    },
    {
      name: "writes nothing but endpoints before the request arrives",
      run: async () => {
        const { sim, id } = await setup(async () => {});
        checkNoPrematureWrites(sim, id, ["endpoints", "read-only-endpoints", "replset", "encryption-secret"]);
      },
    },
    {
      name: "is idempotent: a repeated relation-changed writes nothing",
      run: async () => {
        const { sim, id } = await setup(spec.referenceRequirer(new Map()));
        await checkReplayWritesNothing(sim, "provider", id, { secrets: true });
      },
    },
    {
      name: "cleans up its secrets when the relation is removed",
      run: async () => {
        const { sim, id } = await setup(spec.referenceRequirer(new Map()));
        check(
          secretsOfRelation(sim, "provider", id).length > 0,
          "provider published no secret for the relation",
        );
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
  ];
}

/** Checks for a requirer charm: the same-hook request, per-unit snapshots, idempotence, rotation, cleanup. */
export function v0RequirerConformance(spec: V0SuiteSpec, target: ConformanceTarget): ConformanceCheck[] {
  const { v0, defaults } = parts(spec);
  const key = spec.definition.resourceKey;
  const setup = (provider: HookRunner = spec.referenceProvider()) =>
    relateTarget(target, "requires", provider, defaults);
  return [
    {
      name: `asks in relation-created, from the leader, with ${key} and the full requested-secrets in the same hook`,
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
        check(d.set[key] !== undefined, `the request (${key}) must be written in relation-created`);
        check(
          d.set["requested-secrets"] !== undefined,
          `requested-secrets must be written in the same hook as ${key}`,
        );
        const requested = JSON.parse(d.set["requested-secrets"]!) as string[];
        for (const f of DEFAULT_REQUESTED_SECRETS)
          check(requested.includes(f), `requested-secrets must include "${f}"`);
        const bag = v0.requirerApp.safeParse(sim.model.appBag(id, "requirer"));
        check(bag.success, `requirer app databag is malformed: ${firstIssue(bag)}`);
      },
    },
    {
      name: "keeps a snapshot of the provider app bag in every unit's databag",
      run: async () => {
        const { sim, id } = await setup();
        const provider = sim.model.appBag(id, "provider");
        for (const unit of sim.model.application("requirer").units)
          check(
            sim.model.unitBag(id, unit).data === v0Snapshot(provider),
            `${unit} must keep data = sorted snapshot of the provider app bag`,
          );
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
        const { sim, id } = await setup(spec.referenceProvider({ password: () => "generation-1" }));
        await checkPasswordRotation(sim, id, "generation-2");
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

/** A package's two suites bound to its spec (`export const { providerConformance, requirerConformance } = …`). */
export function v0Conformance(spec: V0SuiteSpec): ConformanceSuites {
  return {
    providerConformance: (target) => v0ProviderConformance(spec, target),
    requirerConformance: (target) => v0RequirerConformance(spec, target),
  };
}
