/**
 * `simulate`: the whole life of one relation between an interface's provider and requirer charms, on
 * the core's in-memory Juju model — deploy, relate, settle, rotate credentials, scale out and in,
 * remove — collected into a JSON-safe report (every hook, what it wrote, secrets created / updated /
 * removed, interface events fired, hook-tool calls) that `render.ts` turns into a transcript.
 *
 * Secret contents never enter the report (the model's transcript has none), and databag values whose
 * key or content looks like a credential are replaced by `<redacted>`.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Contract } from "@charm-relations/juju-secrets-core";
import type { EventDetail, Scenario, ScenarioApp } from "@charm-relations/juju-secrets-core/testing";
import {
  charmRunner,
  type HookRecord,
  type HookRunner,
  type OperationRecord,
  Simulation,
  type SimulationOptions,
} from "@charm-relations/juju-secrets-core/testing";
import { hasUrlCredentials } from "./patterns.js";

export const PHASES = ["deploy", "relate", "rotate", "scale-out", "scale-in", "remove"] as const;
export type PhaseName = (typeof PHASES)[number];

export interface SecretRef {
  /** The secret's xid. */
  readonly id: string;
  readonly label?: string;
  /** `app` or `app/N`. */
  readonly owner: string;
}

export interface BagWriteView {
  readonly relationId: number;
  readonly bag: "app" | "unit";
  /** App name (app bag) or unit name (unit bag). */
  readonly owner: string;
  /** Keys set, with their values (credentials redacted). */
  readonly set: Readonly<Record<string, string>>;
  readonly deleted: readonly string[];
}

export interface HookView {
  readonly type: "hook";
  readonly seq: number;
  readonly unit: string;
  readonly hook: string;
  /** The remote unit of a relation-joined / -changed / -departed hook. */
  readonly remoteUnit?: string;
  /** Why Juju (the simulator) ran it. */
  readonly cause: string;
  readonly ok: boolean;
  readonly error?: { readonly name: string; readonly message: string };
  readonly writes: readonly BagWriteView[];
  readonly secrets: {
    readonly created: readonly SecretRef[];
    readonly updated: readonly (SecretRef & { readonly revision: number })[];
    readonly removed: readonly SecretRef[];
    readonly revisionsRemoved: readonly (SecretRef & { readonly revision: number })[];
  };
  readonly events: readonly { readonly name: string; readonly detail?: EventDetail }[];
  readonly calls: readonly {
    readonly tool: string;
    readonly argv: readonly string[];
    readonly exitCode: number;
  }[];
  readonly logs: readonly { readonly level: string; readonly message: string }[];
  readonly status: { readonly status: string; readonly message: string };
}

export interface OperationView {
  readonly type: "operation";
  readonly seq: number;
  readonly operation: string;
  readonly detail: string;
}

export interface PhaseReport {
  readonly name: PhaseName;
  readonly title: string;
  readonly entries: readonly (HookView | OperationView)[];
  readonly settled: boolean;
  readonly failed: readonly { readonly unit: string; readonly hook: string; readonly error: string }[];
}

export interface SimulationReport {
  readonly interface: string;
  readonly package: string;
  readonly version: string;
  readonly contract: Contract;
  readonly provider: { readonly app: string; readonly endpoint: string; readonly units: number };
  readonly requirer: { readonly app: string; readonly endpoint: string; readonly units: number };
  readonly relationId: number | null;
  readonly phases: readonly PhaseReport[];
  /** Settled after every phase, no failed hook, no orphaned secret. */
  readonly ok: boolean;
  /** What went wrong, one sentence each (empty when ok). */
  readonly problems: readonly string[];
  /** Secrets still in the model after the relation was removed. */
  readonly orphanedSecrets: readonly SecretRef[];
  readonly totals: {
    readonly hooks: number;
    readonly failedHooks: number;
    readonly databagWrites: number;
    readonly secretsCreated: number;
    readonly secretRevisions: number;
    readonly secretsRemoved: number;
    readonly events: number;
    readonly hookToolCalls: number;
  };
}

export interface SimulateTarget {
  readonly name: string;
  readonly package: string;
  readonly version: string;
  readonly scenario: Scenario;
}

export interface SimulateProgress {
  readonly interface: string;
  readonly phase: PhaseName;
  readonly hooks: number;
  readonly unit: string;
  readonly hook: string;
}

export interface SimulateOptions {
  /** Requirer contract (default: the scenario's default). */
  readonly contract?: Contract;
  /** Called before each hook runs. */
  readonly onProgress?: (progress: SimulateProgress) => void;
  /** Passed to the `Simulation` (model name, uuid, Juju version). */
  readonly simulation?: SimulationOptions;
  /** Upper bound of hooks per phase (default 2000): a ping-pong bug ends as a problem, not a hang. */
  readonly maxHooksPerPhase?: number;
}

// ---------------------------------------------------------------------------------------------
// Redaction

const SENSITIVE_KEY = /(^|[-_])(password|passwd|key|token|private|credentials?|uris)$/i;
/**
 * Private keys, and URLs with a password in their userinfo (postgresql://user:pw@host/db). The URL
 * check is a scan, not `/[a-z][a-z0-9+.-]*:\/\/…@/i`: that pattern is quadratic on a long run of letters.
 */
const isSensitiveValue = (v: string): boolean =>
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v) || hasUrlCredentials(v);

const isSensitiveKey = (key: string): boolean => SENSITIVE_KEY.test(key) && !key.startsWith("secret-");

/** Redact inside parsed JSON; `changed` tells whether anything was replaced. */
function redactJson(value: unknown, state: { changed: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => redactJson(v, state));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" && v !== "" && (isSensitiveKey(k) || isSensitiveValue(v))) {
      out[k] = "<redacted>";
      state.changed = true;
    } else out[k] = typeof v === "string" ? redactStringJson(k, v, state) : redactJson(v, state);
  }
  return out;
}

/** JSON-in-a-string (a `data` snapshot holding a plain-text password): redact inside it. */
function redactStringJson(_key: string, v: string, state: { changed: boolean }): string {
  const t = v.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return v;
  try {
    const inner = { changed: false };
    const redacted = redactJson(JSON.parse(v), inner);
    if (!inner.changed) return v;
    state.changed = true;
    return JSON.stringify(redacted);
  } catch {
    return v;
  }
}

/**
 * `<redacted>` for values that are (or carry) credentials: by key name, by content (private keys,
 * URLs with a password), and inside JSON values (a snapshot of a plain-text answer). Values that needed
 * no redaction keep their exact bytes.
 */
export function redactValue(key: string, value: string): string {
  if (value === "") return value;
  if (isSensitiveKey(key)) return "<redacted>";
  if (isSensitiveValue(value)) return "<redacted>";
  return redactStringJson(key, value, { changed: false });
}

function redactBag(bag: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(bag).map(([k, v]) => [k, redactValue(k, v)]));
}

function errorView(error: unknown): { name: string; message: string } {
  // Our errors carry no secret values by construction; a foreign error's message is still shortened.
  if (error instanceof Error)
    return { name: error.name, message: error.message.split("\n")[0]!.slice(0, 300) };
  return { name: "Error", message: String(error).slice(0, 300) };
}

// ---------------------------------------------------------------------------------------------
// The run

/** Run the lifecycle for one interface. Never throws for charm failures: they are in the report. */
export async function simulate(
  target: SimulateTarget,
  options: SimulateOptions = {},
): Promise<SimulationReport> {
  const scenario = target.scenario;
  const contract = options.contract ?? scenario.defaultContract;
  if (!scenario.contracts.includes(contract)) {
    throw new RangeError(
      `${target.name} cannot be simulated with contract ${contract} (supported: ${scenario.contracts.join(", ")})`,
    );
  }
  const run = scenario.build(contract);
  const sim = new Simulation({ lifecycle: true, ...options.simulation });
  const maxHooks = options.maxHooksPerPhase ?? 2000;
  // Each app gets a charm directory, as on a real unit: the packages keep small state files there.
  const charmDirs: string[] = [];
  const events = new Map<number, { name: string; detail?: EventDetail }[]>();
  const labels = new Map<string, { label?: string; owner: string }>();
  let phase: PhaseName = "deploy";
  let hooksRun = 0;

  const rememberSecrets = () => {
    for (const s of sim.model.secrets()) {
      labels.set(s.xid, {
        ...(s.label !== undefined ? { label: s.label } : {}),
        owner: s.owner.kind === "application" ? s.owner.app : s.owner.unit,
      });
    }
  };

  const runnerFor = (app: ScenarioApp): HookRunner => {
    return async (backend, context) => {
      // The Simulation appends this hook's record next, so its seq is the transcript length now.
      const seq = sim.transcript.length;
      const list: { name: string; detail?: EventDetail }[] = [];
      events.set(seq, list);
      rememberSecrets();
      hooksRun++;
      options.onProgress?.({
        interface: target.name,
        phase,
        hooks: hooksRun,
        unit: context.unitName,
        hook: context.hookName,
      });
      const ctx = {
        contract,
        record: (name: string, detail?: EventDetail) => void list.push(detail ? { name, detail } : { name }),
      };
      await charmRunner((charm) => app.setup(charm, ctx))(backend, context);
    };
  };

  const deploy = (app: ScenarioApp) => {
    const dir = mkdtempSync(join(tmpdir(), `charm-relations-${app.app}-`));
    charmDirs.push(dir);
    sim.deploy(app.app, {
      runner: runnerFor(app),
      units: app.units,
      endpoints: { [app.endpoint]: `${app === run.provider ? "provides" : "requires"}:${target.name}` },
      ...(app.config ? { config: app.config } : {}),
      charmDir: dir,
    });
  };

  const phases: PhaseReport[] = [];
  const problems: string[] = [];
  let relationId: number | null = null;
  let extraProvider: string | undefined;
  let extraRequirer: string | undefined;

  const steps: Record<PhaseName, { title: string; act: () => void | Promise<void> }> = {
    deploy: {
      title: `deploy ${run.provider.app} (${run.provider.units} units) and ${run.requirer.app} (${run.requirer.units} units)`,
      act: () => {
        deploy(run.provider);
        deploy(run.requirer);
      },
    },
    relate: {
      title: `relate ${run.provider.app}:${run.provider.endpoint} and ${run.requirer.app}:${run.requirer.endpoint}`,
      act: () => {
        relationId = sim.relate(
          `${run.provider.app}:${run.provider.endpoint}`,
          `${run.requirer.app}:${run.requirer.endpoint}`,
        );
      },
    },
    rotate: { title: `rotate credentials: ${run.rotate.description}`, act: () => run.rotate.apply(sim) },
    "scale-out": {
      title: `scale out: add a unit to ${run.provider.app} and to ${run.requirer.app}`,
      act: () => {
        extraProvider = sim.addUnit(run.provider.app);
        extraRequirer = sim.addUnit(run.requirer.app);
      },
    },
    "scale-in": {
      title: "scale in: remove the units added",
      act: () => {
        if (extraRequirer) sim.removeUnit(extraRequirer);
        if (extraProvider) sim.removeUnit(extraProvider);
      },
    },
    remove: {
      title: `remove the relation`,
      act: () => {
        if (relationId !== null) sim.removeRelation(relationId);
      },
    },
  };

  try {
    for (const name of PHASES) {
      phase = name;
      const start = sim.transcript.length;
      const step = steps[name];
      await step.act();
      const result = await sim.settle({ maxHooks });
      rememberSecrets();
      const failed = result.failed.map((f) => ({
        unit: f.unit,
        hook: f.hook,
        error: errorView(f.error).message,
      }));
      phases.push({
        name,
        title: step.title,
        entries: sim.transcript.slice(start).map((e) => view(e, events, labels)),
        settled: result.settled,
        failed,
      });
      for (const f of failed) problems.push(`${name}: ${f.unit} ${f.hook} failed: ${f.error}`);
      if (!result.settled) {
        if (failed.length === 0)
          problems.push(
            `${name}: the model did not settle (${result.reason}, ${result.pending} hooks pending)`,
          );
        break; // later phases would only pile up on a unit in error
      }
    }
  } finally {
    for (const dir of charmDirs) rmSync(dir, { recursive: true, force: true });
  }

  const removed = phases.some((p) => p.name === "remove" && p.settled);
  const orphanedSecrets: SecretRef[] = removed
    ? sim.model.secrets().map((s) => ({
        id: s.xid,
        ...(s.label !== undefined ? { label: s.label } : {}),
        owner: s.owner.kind === "application" ? s.owner.app : s.owner.unit,
      }))
    : [];
  for (const s of orphanedSecrets) problems.push(`orphaned secret ${s.label ?? s.id} (owner ${s.owner})`);

  const hooks = phases.flatMap((p) => p.entries.filter((e): e is HookView => e.type === "hook"));
  return {
    interface: target.name,
    package: target.package,
    version: target.version,
    contract,
    provider: { app: run.provider.app, endpoint: run.provider.endpoint, units: run.provider.units },
    requirer: { app: run.requirer.app, endpoint: run.requirer.endpoint, units: run.requirer.units },
    relationId,
    phases,
    ok: problems.length === 0,
    problems,
    orphanedSecrets,
    totals: {
      hooks: hooks.length,
      failedHooks: hooks.filter((h) => !h.ok).length,
      databagWrites: hooks.reduce((n, h) => n + h.writes.length, 0),
      secretsCreated: hooks.reduce((n, h) => n + h.secrets.created.length, 0),
      secretRevisions: hooks.reduce((n, h) => n + h.secrets.updated.length, 0),
      secretsRemoved: hooks.reduce((n, h) => n + h.secrets.removed.length, 0),
      events: hooks.reduce((n, h) => n + h.events.length, 0),
      hookToolCalls: hooks.reduce((n, h) => n + h.calls.length, 0),
    },
  };
}

function view(
  entry: HookRecord | OperationRecord,
  events: ReadonlyMap<number, { name: string; detail?: EventDetail }[]>,
  labels: ReadonlyMap<string, { label?: string; owner: string }>,
): HookView | OperationView {
  if (entry.type === "operation") {
    return { type: "operation", seq: entry.seq, operation: entry.operation, detail: entry.detail };
  }
  const ref = (xid: string): SecretRef => {
    const known = labels.get(xid);
    return {
      id: xid,
      ...(known?.label !== undefined ? { label: known.label } : {}),
      owner: known?.owner ?? "?",
    };
  };
  const s = entry.secrets;
  return {
    type: "hook",
    seq: entry.seq,
    unit: entry.unit,
    hook: entry.hook,
    ...(entry.context.remoteUnit !== undefined ? { remoteUnit: entry.context.remoteUnit } : {}),
    cause: entry.cause,
    ok: entry.ok,
    ...(entry.ok ? {} : { error: errorView(entry.error) }),
    writes: entry.databags.map((d) => ({
      relationId: d.relationId,
      bag: d.bag,
      owner: d.owner,
      set: redactBag(d.set),
      deleted: [...d.deleted],
    })),
    secrets: {
      created: (s?.created ?? []).map(ref),
      updated: (s?.updated ?? []).map((u) => ({ ...ref(u.xid), revision: u.revision })),
      removed: (s?.removed ?? []).map(ref),
      revisionsRemoved: (s?.revisionsRemoved ?? []).map((u) => ({ ...ref(u.xid), revision: u.revision })),
    },
    events: events.get(entry.seq) ?? [],
    calls: entry.calls.map((c) => ({
      tool: c.tool,
      argv: c.argv.map((a) => {
        const eq = a.indexOf("=");
        return eq > 0 ? `${a.slice(0, eq + 1)}${redactValue(a.slice(0, eq), a.slice(eq + 1))}` : a;
      }),
      exitCode: c.exitCode,
    })),
    logs: entry.logs.map((l) => ({ level: l.level, message: l.message })),
    status: { status: entry.status.status, message: entry.status.message },
  };
}
