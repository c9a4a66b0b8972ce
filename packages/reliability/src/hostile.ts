/**
 * Hostile databags: fast-check generates malformed versions of a valid remote app databag from a
 * description of what each key is (`BagRoles`), and `runHostile` pushes each one through a real charm
 * (the interface's provider or requirer on the in-memory Juju) in relation-changed.
 *
 * Every case states what must happen:
 * - `error`: a typed error, or a blocked status, naming the relation and the key; nothing written;
 * - `ignored`: the hook succeeds exactly as with the valid bag (the bad part is not ours to read);
 * - `ok`: the hook succeeds, no blocked status (unknown keys must be tolerated);
 * - `either`: the interface may accept or refuse (huge or non-ASCII values): if it refuses, as `error`.
 * In every case: no uncaught (untyped) exception, and no secret value in any text (hygiene).
 *
 * The cases come from `hostile-cases.ts` (over the values of `hostile-values.ts`); this file runs and
 * judges them.
 */

import { type Charm, CharmRelationsError } from "@charm-relations/juju-secrets-core";
import {
  charmRunner,
  type HookEvent,
  JujuModel,
  type ModelState,
  type RunOnceResult,
  runOnce,
} from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { type Bag, type BagRoles, flatMutations, type Hostile, v1Mutations } from "./hostile-cases.js";
import type { HygieneChecker } from "./hygiene.js";
import { committedState } from "./replay.js";

export {
  type Bag,
  type BagRoles,
  type Expect,
  flatMutations,
  type Hostile,
  type ObjectRoles,
  v1Mutations,
} from "./hostile-cases.js";
export {
  badHostPorts,
  huge,
  invalidUri,
  jsonNot,
  nonAscii,
  notJson,
  schemeHostPorts,
  unknownBool,
} from "./hostile-values.js";

export interface HostileBase {
  /** The model with a valid remote bag in place. */
  readonly state: ModelState;
  readonly relationId: number;
  /** The remote app whose app databag is replaced. */
  readonly remoteApp: string;
  /** Replace this remote unit's databag instead (unit-bag protocols such as legacy etcd). */
  readonly remoteUnit?: string;
  /** Local units to run relation-changed on (leader first). */
  readonly units: readonly string[];
  /** Which base this is (`fresh`, `answered`), for reports. */
  readonly label: string;
}

export interface HostileTarget {
  /** `postgresql_client provider v0`. */
  readonly name: string;
  /** Key for the counts: the interface. */
  readonly subject: string;
  /** The local endpoint (for the relation name in messages). */
  readonly endpoint: string;
  /** The local charm, with no `invalid` / `requestInvalid` listener (so refusals show as blocked). */
  readonly setup: (charm: Charm) => void | Promise<void>;
  readonly bases: () => Promise<HostileBase[]>;
  readonly roles: BagRoles;
  /** Interface-specific extra cases, on top of those derived from the roles. */
  readonly extra?: (valid: Bag, base: string) => fc.Arbitrary<Hostile>[];
  /** fast-check runs per base (default 100). */
  readonly runs?: number;
}

export interface HostileFinding {
  readonly target: string;
  readonly base: string;
  readonly unit: string;
  readonly category: string;
  readonly note: string;
  readonly problem: string;
}

export interface HostileStats {
  cases: number;
  byCategory: Record<string, number>;
  byOutcome: Record<string, number>;
}

function blockedMessages(r: RunOnceResult): string[] {
  return r.calls
    .filter((c) => c.tool === "status-set" && c.argv.includes("blocked"))
    .map((c) => c.argv.slice(c.argv.indexOf("--") + 1).join(" "));
}

function wrote(r: RunOnceResult, relationId: number, snapshotOk = false): string | undefined {
  const c = r.commit;
  if (!c) return undefined;
  const snapshotOnly = (b: { set: Record<string, string>; deleted: string[] }) =>
    b.deleted.length === 0 && Object.keys(b.set).every((k) => k === "data");
  const bags = c.databags.filter((b) => b.relationId === relationId && !(snapshotOk && snapshotOnly(b)));
  if (bags.length)
    return `wrote ${bags.map((b) => `${b.owner} ${[...Object.keys(b.set), ...b.deleted].join(",")}`).join("; ")}`;
  const s = c.secrets;
  if (s.created.length || s.updated.length || s.removed.length || s.revisionsRemoved.length) {
    return `changed secrets (created ${s.created.length}, updated ${s.updated.length}, removed ${s.removed.length})`;
  }
  return undefined;
}

const firstLine = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0]!.slice(0, 300);

/** Judge one run; returns the problem, or undefined when the outcome is as required. */
function judge(
  h: Hostile,
  r: RunOnceResult,
  relation: string,
  relationId: number,
  remoteApp: string,
  asValid: RunOnceResult | undefined,
): { problem?: string; outcome: string } {
  const blocked = blockedMessages(r);
  const named = (m: string) => m.includes(relation) && m.includes(h.key);
  if (!r.ok) {
    if (!(r.error instanceof CharmRelationsError))
      return { problem: `uncaught ${firstLine(r.error)}`, outcome: "crash" };
    if (h.expect === "ok" || h.expect === "ignored")
      return { problem: `refused: ${firstLine(r.error)}`, outcome: "typed error" };
    const m = (r.error as Error).message;
    if (h.expect === "error" ? !named(m) : !m.includes(relation)) {
      return {
        problem: `error does not name ${relation} and "${h.key}": ${firstLine(r.error)}`,
        outcome: "typed error",
      };
    }
    return { outcome: "typed error" };
  }
  const refusal = blocked.find((m) => m.includes(relation));
  if (h.expect === "ok" || h.expect === "ignored") {
    if (blocked.length) return { problem: `blocked: ${blocked[0]!.slice(0, 300)}`, outcome: "blocked" };
    if (h.expect === "ignored" && asValid?.ok) {
      // The remote bag itself differs (that is the case); everything else must not.
      const without = (st: ModelState) => {
        const copy = structuredClone(st);
        delete copy.relations[String(relationId)]?.appData[remoteApp];
        for (const u of Object.keys(copy.relations[String(relationId)]?.unitData ?? {})) {
          if (u.startsWith(`${remoteApp}/`)) delete copy.relations[String(relationId)]!.unitData[u];
        }
        return JSON.stringify(committedState(copy));
      };
      const a = without(r.state);
      const b = without(asValid.state);
      if (a !== b) return { problem: "outcome differs from the valid bag's", outcome: "accepted" };
    }
    return { outcome: "accepted" };
  }
  if (h.expect === "either" && !refusal) {
    if (blocked.length)
      return {
        problem: `blocked without naming ${relation}: ${blocked[0]!.slice(0, 300)}`,
        outcome: "blocked",
      };
    return { outcome: "accepted" };
  }
  if (!refusal) {
    return {
      problem: blocked.length
        ? `blocked without naming ${relation}: ${blocked[0]!.slice(0, 300)}`
        : `accepted (no error, no blocked status)${wrote(r, relationId) ? `; ${wrote(r, relationId)}` : ""}`,
      outcome: "accepted",
    };
  }
  if (h.expect === "error" && !named(refusal))
    return {
      problem: `blocked status does not name "${h.key}": ${refusal.slice(0, 300)}`,
      outcome: "blocked",
    };
  const w = wrote(r, relationId, h.bagValid);
  if (w) return { problem: `refused but ${w}`, outcome: "blocked" };
  return { outcome: "blocked" };
}

/**
 * Run `runs` generated cases per base of `target` through its charm; every finding is collected
 * (fast-check does not stop at the first one), statistics go to `stats`.
 */
export async function runHostile(
  target: HostileTarget,
  options: { seed?: number; runs?: number; hygiene?: HygieneChecker } = {},
): Promise<{ findings: HostileFinding[]; stats: HostileStats }> {
  const findings: HostileFinding[] = [];
  const stats: HostileStats = { cases: 0, byCategory: {}, byOutcome: {} };
  const runner = charmRunner(target.setup);
  for (const base of await target.bases()) {
    const valid = base.remoteUnit
      ? JujuModel.fromJSON(base.state).unitBag(base.relationId, base.remoteUnit)
      : JujuModel.fromJSON(base.state).appBag(base.relationId, base.remoteApp);
    const mutations = [
      ...flatMutations(target.roles, valid, { answered: base.label === "answered" }),
      ...(target.roles.v1 && valid.requests ? v1Mutations(target.roles.v1, valid) : []),
      ...(target.extra?.(valid, base.label) ?? []),
    ];
    const validRuns = new Map<string, RunOnceResult>();
    for (const unit of base.units) {
      const event: HookEvent = {
        unit,
        kind: "relation-changed",
        relationId: base.relationId,
        ...(base.remoteUnit ? { remoteUnit: base.remoteUnit } : {}),
      };
      validRuns.set(unit, await runOnce(runner, base.state, event, { rethrow: false }));
    }
    const cases = fc.sample(fc.oneof(...mutations), {
      numRuns: options.runs ?? target.runs ?? 100,
      seed: options.seed ?? 9,
    });
    for (const h of cases) {
      stats.cases += 1;
      stats.byCategory[h.category] = (stats.byCategory[h.category] ?? 0) + 1;
      const model = JujuModel.fromJSON(base.state);
      if (base.remoteUnit) model.setUnitBag(base.relationId, base.remoteUnit, h.apply(valid));
      else model.setAppBag(base.relationId, base.remoteApp, h.apply(valid));
      h.model?.(model, valid);
      for (const unit of base.units) {
        const event: HookEvent = {
          unit,
          kind: "relation-changed",
          relationId: base.relationId,
          ...(base.remoteUnit ? { remoteUnit: base.remoteUnit } : {}),
        };
        const r = await runOnce(runner, model, event, { rethrow: false });
        const verdict = judge(
          h,
          r,
          `${target.endpoint}:${base.relationId}`,
          base.relationId,
          base.remoteApp,
          validRuns.get(unit),
        );
        stats.byOutcome[verdict.outcome] = (stats.byOutcome[verdict.outcome] ?? 0) + 1;
        if (options.hygiene) {
          // A requirer bag without (or with an empty) `requested-secrets` asks for the plain-text
          // fallback (protocol §4.4): credentials in the provider's bag are then expected.
          const bag = h.apply(valid);
          const plain =
            bag.version !== "v1" &&
            (bag["requested-secrets"] === undefined || bag["requested-secrets"].trim() === "[]");
          options.hygiene.observe(r.state, { plainBags: plain && !base.remoteUnit });
          if (!r.ok) options.hygiene.error(r.error, `${target.name} ${h.category}`);
        }
        if (verdict.problem) {
          findings.push({
            target: target.name,
            base: base.label,
            unit,
            category: h.category,
            note: h.note,
            problem: verdict.problem,
          });
        }
      }
    }
  }
  return { findings, stats };
}

/** Group findings for a readable assertion diff: one line per distinct (category, problem start). */
export function summarize(findings: readonly HostileFinding[]): string[] {
  const seen = new Map<string, number>();
  const first = new Map<string, HostileFinding>();
  for (const f of findings) {
    const k = `${f.base} ${f.category}: ${f.problem.replace(/\d+/g, "N").slice(0, 120)}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if (!first.has(k)) first.set(k, f);
  }
  return [...seen].map(([k, n]) => {
    const f = first.get(k)!;
    return `${f.target} [${f.base}, ${f.unit}] ${f.category} (${f.note}) ×${n}: ${f.problem}`;
  });
}
