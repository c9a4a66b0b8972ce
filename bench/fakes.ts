/**
 * Section 5: one hook-tool fake call, as `ProcessBackend` makes it (`spawnSync`, relation data on
 * stdin, secret values in files). Three ways to run the same tool code:
 *
 * - `server`: `createHookToolBin()`, a bash client per call and one fake server per bin dir;
 * - `node`: a node process per call on the core's module graph (`dist/testing/hook-tool-cli.js`);
 * - `bundled`: a node process per call on one esbuild bundle of that file (when esbuild loads).
 *
 * Each round is one small hook's calls on a fresh state file; medians and p90 per tool and over all.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOOK_TOOLS } from "../packages/juju-secrets-core/dist/backend/index.js";
import {
  createHookToolBin,
  FAKE_STATE_ENV,
  JujuModel,
  startFakeHook,
} from "../packages/juju-secrets-core/dist/testing/index.js";
import { loadEsbuild } from "./lib/esbuild.js";
import { CORE_DIST } from "./lib/paths.js";
import { median, ms, p90, round, table } from "./lib/stats.js";

export interface FakeVariantResult {
  readonly variant: string;
  readonly calls: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly byTool: Record<string, { medianMs: number; p90Ms: number }>;
}

export interface FakesResult {
  readonly rounds: number;
  readonly variants: FakeVariantResult[];
}

type Step = readonly [
  tool: string,
  argv: (ctx: { id: number; uri: string; value: string }) => string[],
  input?: string,
];

/** A relation-changed of a provider: read, answer with a secret, publish it. */
const STEPS: readonly Step[] = [
  ["is-leader", () => ["--format=json"]],
  ["relation-ids", () => ["database", "--format=json"]],
  ["relation-list", ({ id }) => ["--format=json", "-r", `database:${id}`]],
  ["relation-get", ({ id }) => ["--format=json", "-r", `database:${id}`, "--app", "-", "requirer"]],
  ["secret-add", ({ value }) => ["--owner", "application", `password#file=${value}`]],
  ["secret-get", ({ uri }) => ["--format=json", uri]],
  ["relation-set", ({ id }) => ["-r", `database:${id}`, "--app", "--file", "-"], '{"secret-user": "x"}'],
];

function world(): { model: JujuModel; id: number } {
  const model = new JujuModel({});
  model.addApplication("postgresql", { endpoints: { database: "provides:postgresql_client" }, units: 1 });
  model.addApplication("requirer", { endpoints: { database: "requires:postgresql_client" }, units: 1 });
  const id = model.addRelation("postgresql:database", "requirer:database");
  model.setAppBag(id, "requirer", { database: "myapp", "requested-secrets": '["username","password"]' });
  return { model, id };
}

function nodeBin(root: string, cli: string): string {
  const bin = join(root, "bin-node");
  mkdirSync(bin);
  chmodSync(cli, 0o755);
  for (const tool of HOOK_TOOLS) symlinkSync(cli, join(bin, tool));
  return bin;
}

async function bundledBin(root: string): Promise<string | undefined> {
  const esbuild = await loadEsbuild();
  if (!esbuild) return undefined;
  const cli = join(root, "hook-tool-cli.mjs");
  await esbuild.build({
    entryPoints: [join(CORE_DIST, "testing", "hook-tool-cli.js")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: cli,
    logLevel: "silent",
  });
  const bin = join(root, "bin-bundled");
  mkdirSync(bin);
  chmodSync(cli, 0o755);
  for (const tool of HOOK_TOOLS) symlinkSync(cli, join(bin, tool));
  return bin;
}

function measure(
  variant: string,
  bin: string,
  root: string,
  rounds: number,
  path: string,
): FakeVariantResult {
  const byTool = new Map<string, number[]>();
  const value = join(root, "value");
  writeFileSync(value, "s3cret", { mode: 0o600 });
  for (let r = 0; r < rounds; r++) {
    const { model, id } = world();
    const state = join(root, `state-${variant}.json`);
    startFakeHook(state, model, {
      unit: "postgresql/0",
      relation: { endpoint: "database", id },
      remoteApp: "requirer",
    });
    const env = { PATH: `${bin}:${path}`, [FAKE_STATE_ENV]: state, JUJU_UNIT_NAME: "postgresql/0" };
    const ctx = { id, uri: "", value };
    for (const [tool, argv, input] of STEPS) {
      const start = performance.now();
      const out = spawnSync(tool, argv(ctx), {
        env,
        encoding: "utf8",
        ...(input === undefined ? { stdio: ["ignore", "pipe", "pipe"] as const } : { input }),
      });
      const elapsed = performance.now() - start;
      if (out.status !== 0) throw new Error(`${variant} ${tool}: exit ${out.status}: ${out.stderr}`);
      if (tool === "secret-add") ctx.uri = out.stdout.trim();
      const list = byTool.get(tool) ?? [];
      list.push(elapsed);
      byTool.set(tool, list);
    }
  }
  const all = [...byTool.values()].flat();
  return {
    variant,
    calls: all.length,
    medianMs: round(median(all)),
    p90Ms: round(p90(all)),
    byTool: Object.fromEntries(
      [...byTool].map(([tool, t]) => [tool, { medianMs: round(median(t)), p90Ms: round(p90(t)) }]),
    ),
  };
}

export async function runFakes(options: { rounds?: number } = {}): Promise<FakesResult> {
  const rounds = options.rounds ?? 10;
  const root = mkdtempSync(join(tmpdir(), "charm-relations-bench-fakes-"));
  try {
    const variants: FakeVariantResult[] = [];
    // No node on the client's PATH: the server variant must not need it.
    const server = createHookToolBin(join(root, "bin-server"));
    variants.push(measure("server", server, root, rounds, "/nonexistent"));
    variants.push(
      measure(
        "node",
        nodeBin(root, join(CORE_DIST, "testing", "hook-tool-cli.js")),
        root,
        rounds,
        process.env.PATH ?? "",
      ),
    );
    const bundled = await bundledBin(root);
    if (bundled) variants.push(measure("bundled", bundled, root, rounds, process.env.PATH ?? ""));
    return { rounds, variants };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function printFakes(r: FakesResult): string {
  const tools = STEPS.map(([tool]) => tool);
  const rows = r.variants.map((v) => [
    v.variant,
    v.calls,
    ms(v.medianMs),
    ms(v.p90Ms),
    ...tools.map((t) => ms(v.byTool[t]?.medianMs ?? Number.NaN)),
  ]);
  return [
    `## 5. One hook-tool fake call (ms; ${r.rounds} rounds of ${STEPS.length} calls)`,
    table(["variant", "calls", "median", "p90", ...tools.map((t) => `${t} median`)], rows),
  ].join("\n");
}
