/**
 * Section 2a: hook wall time. Every example charm pair (`examples/<x>-provider` + `<x>-requirer`) runs
 * as real processes — their `dispatch` script, `node dist/charm.js` — against the hook-tool fake
 * executables (Simulation + processRunner): deploy (leader-elected, config-changed), relate,
 * update-status, remove the relation. One unit each, so every hook-tool call is a process spawn, as on
 * a real unit.
 *
 * Reported per hook kind: median and p90 of the hook's wall time and its hook-tool calls, and, measured
 * inside the charm process by a preloaded timer (lib/spawn-timer.mjs), the charm's own time: process
 * lifetime minus the time spent waiting for hook tools, and its startup (process start to the first
 * hook-tool call: node, imports, setup). The fakes are bash clients of one fake server that loads and
 * saves the state file per call (section 5 times them); the split shows which part is ours.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createHookToolBin,
  FAKE_STATE_ENV,
  type HookRunner,
  JujuModel,
  processRunner,
  Simulation,
  startFakeHook,
} from "../packages/juju-secrets-core/dist/testing/index.js";
import { readCharmcraft } from "./lib/charmcraft.js";
import { describeCost, hookCost } from "./lib/minimum.js";
import { BENCH_DIR, EXAMPLES_DIR, REPO } from "./lib/paths.js";
import { median, ms, p90, round, table } from "./lib/stats.js";

export interface HookTiming {
  readonly pair: string;
  readonly unit: string;
  readonly hook: string;
  readonly kind: string;
  readonly ms: number;
  readonly calls: number;
  readonly minimum: number;
  readonly ok: boolean;
  readonly breakdown?: string;
  /** Measured inside the charm process: its lifetime, minus hook-tool waits; start to first tool call. */
  readonly charmMs?: number;
  readonly startupMs?: number;
}

export interface KindRow {
  readonly pair: string;
  readonly side: string;
  readonly kind: string;
  readonly hooks: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly medianCalls: number;
  /** Median of the charm process's own time (lifetime − hook-tool waits), and of its startup. */
  readonly charmMs: number;
  readonly startupMs: number;
  readonly excess: number;
  readonly breakdown: string;
}

export interface WallTimeResult {
  /** One fake hook-tool call (a bash client and the bin dir's fake server), median ms. */
  readonly fakeToolMs: number;
  /** `node -e 0`, median ms: the floor of any process. */
  readonly nodeMs: number;
  readonly pairs: {
    readonly pair: string;
    readonly hooks: number;
    readonly failed: number;
    readonly error?: string;
  }[];
  readonly kinds: KindRow[];
  readonly hooks: HookTiming[];
}

/** Example pairs that are built: `<x>-provider` with `<x>-requirer`. */
export function examplePairs(): string[] {
  if (!existsSync(EXAMPLES_DIR)) return [];
  const dirs = new Set(readdirSync(EXAMPLES_DIR));
  return [...dirs]
    .filter((d) => d.endsWith("-provider") && dirs.has(d.replace(/-provider$/, "-requirer")))
    .map((d) => d.replace(/-provider$/, ""))
    .filter((x) =>
      ["provider", "requirer"].every((s) => existsSync(join(EXAMPLES_DIR, `${x}-${s}`, "dist", "charm.js"))),
    )
    .sort();
}

/** Config a pair needs beyond its defaults: private dirs, and inputs without a usable default. */
export function overrides(
  example: string,
  config: Record<string, unknown>,
  tmp: () => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config)) if (/(^|-)dir$/.test(key)) out[key] = tmp();
  if (example === "etcd-provider") {
    // The shared client credentials layer-etcd keeps on disk (the interface package's test PEMs).
    const pems = join(REPO, "packages/interface-etcd/test/fixtures");
    const dir = tmp();
    if (existsSync(join(pems, "client1.key"))) {
      copyFileSync(join(pems, "client1.key"), join(dir, "client.key"));
      copyFileSync(join(pems, "client1.pem"), join(dir, "client.crt"));
      copyFileSync(join(pems, "ca.pem"), join(dir, "ca.crt"));
    }
    out["tls-dir"] = dir;
  }
  if (example === "etcd-client-provider" && config["tls-ca"] === "") {
    out["tls-ca"] = "-----BEGIN CERTIFICATE-----\nYmVuY2gtc2VydmVyLWNh\n-----END CERTIFICATE-----\n";
  }
  return out;
}

/** A private copy of the charm dir (dispatch, dist, metadata; node_modules linked) so state files stay out of the repo. */
function charmCopy(example: string, root: string): string {
  const src = join(EXAMPLES_DIR, example);
  const dst = join(root, example);
  mkdirSync(dst, { recursive: true });
  for (const f of ["dispatch", "charmcraft.yaml", "package.json"])
    if (existsSync(join(src, f))) copyFileSync(join(src, f), join(dst, f));
  cpSync(join(src, "dist"), join(dst, "dist"), { recursive: true });
  symlinkSync(join(src, "node_modules"), join(dst, "node_modules"));
  return dst;
}

function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    spawnSync(command, args, { env, stdio: "ignore" });
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The cost of one fake hook-tool call (`is-leader` on a one-unit model) and of an empty node process. */
function baselines(binDir: string, root: string): { fakeToolMs: number; nodeMs: number } {
  const model = new JujuModel();
  model.addApplication("app", { units: 1 });
  const state = join(root, "baseline-state.json");
  startFakeHook(state, model, { unit: "app/0", hookName: "update-status", kind: "update-status" });
  const env = { ...process.env, [FAKE_STATE_ENV]: state, JUJU_UNIT_NAME: "app/0" };
  return {
    fakeToolMs: round(timeProcess(join(binDir, "is-leader"), ["--format=json"], env, 7)),
    nodeMs: round(timeProcess(process.execPath, ["-e", "0"], process.env, 7)),
  };
}

/** Where each example charm runs from: a copy of its dispatch + dist (default), or e.g. an unpacked .charm. */
export type CharmDirFor = (example: string, root: string) => string;

async function runPair(
  x: string,
  root: string,
  binDir: string,
  updateStatusRuns: number,
  charmDirFor: CharmDirFor = charmCopy,
): Promise<HookTiming[]> {
  const timings: HookTiming[] = [];
  // No install/start/stop/remove: they cost what update-status costs, and every hook here is seconds.
  const sim = new Simulation({ lifecycle: false });
  let n = 0;
  const tmp = () => mkdtempSync(join(root, `d${n++}-`));
  const deploy = (side: "provider" | "requirer") => {
    const example = `${x}-${side}`;
    const meta = readCharmcraft(join(EXAMPLES_DIR, example));
    const charmDir = charmDirFor(example, root);
    const timingFile = join(root, `${example}.timing.json`);
    const env = {
      NODE_OPTIONS: `--import=${pathToFileURL(join(BENCH_DIR, "lib", "spawn-timer.mjs")).href}`,
      CHARM_RELATIONS_BENCH_TIMING: timingFile,
    };
    const inner = processRunner(join(charmDir, "dispatch"), [], {
      binDir,
      cwd: charmDir,
      env,
      timeoutMs: 60_000,
    });
    const runner: HookRunner = async (backend, context) => {
      const start = performance.now();
      let ok = true;
      try {
        await inner(backend, context);
      } catch (e) {
        ok = false;
        throw e;
      } finally {
        const wall = performance.now() - start;
        let own: { charmMs?: number; startupMs?: number } = {};
        try {
          const t = JSON.parse(readFileSync(timingFile, "utf8")) as {
            uptimeMs: number;
            toolMs: number;
            firstToolMs: number | null;
          };
          own = { charmMs: t.uptimeMs - t.toolMs, startupMs: t.firstToolMs ?? t.uptimeMs };
          rmSync(timingFile);
        } catch {
          // no timing written (the process died early)
        }
        timings.push({
          pair: x,
          unit: context.unitName,
          hook: context.hookName,
          kind: context.kind,
          ms: wall,
          calls: 0,
          minimum: 0,
          ok,
          ...own,
        });
      }
    };
    sim.deploy(side, {
      runner,
      charmDir,
      endpoints: meta.endpoints,
      config: { ...meta.config, ...overrides(example, meta.config, tmp) },
    });
    return meta;
  };
  const provider = deploy("provider");
  const requirer = deploy("requirer");
  const settle = async (what: string) => {
    const r = await sim.settle({ maxHooks: 200 });
    if (!r.settled)
      throw new Error(
        `${x}: ${what} did not settle: ${r.failed.map((f) => `${f.unit} ${f.hook}: ${String(f.error).split("\n").slice(-3).join(" ")}`).join("; ") || r.reason}`,
      );
  };
  await settle("deploy");
  await sim.runHook("provider/0", "config-changed");
  await sim.runHook("requirer/0", "config-changed");
  const ep = (meta: typeof provider, role: string) =>
    Object.entries(meta.endpoints).find(([, v]) => String(v).startsWith(role))?.[0];
  const id = sim.relate(`provider:${ep(provider, "provides")}`, `requirer:${ep(requirer, "requires")}`);
  await settle("relate");
  for (let i = 0; i < updateStatusRuns; i++) {
    await sim.runHook("provider/0", "update-status");
    await sim.runHook("requirer/0", "update-status");
  }
  await settle("update-status");
  sim.removeRelation(id);
  await settle("remove-relation");
  // Calls per hook from the transcript (the fakes log every call in the model).
  const records = sim.hooks;
  return timings.map((t, i) => {
    const h = records[i];
    if (!h || h.unit !== t.unit || h.hook !== t.hook) return t;
    const commit = h.ok ? { databags: [...h.databags], secrets: h.secrets! } : undefined;
    const cost = hookCost({
      calls: h.calls,
      unit: h.unit,
      leader: true,
      ...(h.context.relation ? { relationId: h.context.relation.id } : {}),
      ...(commit ? { commit } : {}),
    });
    return { ...t, calls: cost.total, minimum: cost.minimumTotal, ok: h.ok, breakdown: describeCost(cost) };
  });
}

export async function runWallTime(
  options: { updateStatusRuns?: number; charmDirFor?: CharmDirFor; pairs?: readonly string[] } = {},
): Promise<WallTimeResult> {
  const root = mkdtempSync(join(tmpdir(), "charm-relations-bench-wall-"));
  try {
    const binDir = createHookToolBin(join(root, "bin"));
    const { fakeToolMs, nodeMs } = baselines(binDir, root);
    const hooks: HookTiming[] = [];
    const pairs: WallTimeResult["pairs"] = [];
    for (const x of examplePairs().filter((p) => !options.pairs || options.pairs.includes(p))) {
      try {
        const t = await runPair(x, root, binDir, options.updateStatusRuns ?? 3, options.charmDirFor);
        hooks.push(...t);
        pairs.push({ pair: x, hooks: t.length, failed: t.filter((h) => !h.ok).length });
      } catch (e) {
        pairs.push({ pair: x, hooks: 0, failed: 0, error: (e as Error).message.split("\n")[0]! });
      }
    }
    const groups = new Map<string, HookTiming[]>();
    for (const h of hooks) {
      const side = h.unit.startsWith("provider") ? "provider" : "requirer";
      const key = `${h.pair}|${side}|${h.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), h]);
    }
    const kinds: KindRow[] = [...groups.entries()].map(([key, list]) => {
      const [pair, side, kind] = key.split("|") as [string, string, string];
      const wall = list.map((h) => h.ms);
      const calls = median(list.map((h) => h.calls));
      const worst = list.reduce((a, b) => (b.calls - b.minimum > a.calls - a.minimum ? b : a));
      const own = (f: (h: HookTiming) => number | undefined) =>
        round(median(list.map(f).filter((v): v is number => v !== undefined)));
      return {
        pair,
        side,
        kind,
        hooks: list.length,
        medianMs: round(median(wall)),
        p90Ms: round(p90(wall)),
        medianCalls: calls,
        charmMs: own((h) => h.charmMs),
        startupMs: own((h) => h.startupMs),
        excess: list.reduce((n, h) => n + h.calls - h.minimum, 0),
        breakdown: worst.breakdown ?? "",
      };
    });
    return { fakeToolMs, nodeMs, pairs, kinds, hooks };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function printWallTime(result: WallTimeResult): string {
  const out = ["## 2a. Hook wall time: example charms as processes against the hook-tool fakes\n"];
  out.push(
    `one fake hook-tool call: ${ms(result.fakeToolMs)} ms (bash client + fake server); \`node -e 0\`: ${ms(result.nodeMs)} ms`,
  );
  out.push(
    "own ms = the charm process's lifetime minus its waits for hook tools; startup ms = process start to its first hook-tool call (node, imports, setup); both medians\n",
  );
  for (const p of result.pairs) if (p.error) out.push(`${p.pair}: not measured: ${p.error}`);
  out.push(
    table(
      [
        "example",
        "side",
        "hook",
        "n",
        "median ms",
        "p90 ms",
        "calls",
        "own ms",
        "startup ms",
        "excess",
        "calls by kind (+excess)",
      ],
      result.kinds.map((k) => [
        k.pair,
        k.side,
        k.kind,
        k.hooks,
        ms(k.medianMs, 0),
        ms(k.p90Ms, 0),
        k.medianCalls,
        ms(k.charmMs, 0),
        ms(k.startupMs, 0),
        k.excess,
        k.breakdown,
      ]),
    ),
  );
  return out.join("\n");
}
