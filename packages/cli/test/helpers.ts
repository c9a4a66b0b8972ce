/**
 * Test helpers: the recorded golden fixtures (repository `fixtures/`), a builder of realistic
 * `juju show-unit <unit> --format=json` dumps from them, and a runner of the CLI as a subprocess.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Contract } from "@charm-relations/juju-secrets-core";
import { charmRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { findInterface } from "../src/interfaces.js";
import { main } from "../src/main.js";

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = join(here, "..");
export const REPO_FIXTURES = join(here, "..", "..", "..", "fixtures");

type Bag = Record<string, string>;

export interface Snapshot {
  provider_app_databag: Bag;
  provider_unit_databags: Record<string, Bag>;
  requirer_app_databag: Bag;
  requirer_unit_databags: Record<string, Bag>;
  leaders: { provider: string; requirer: string };
}

export interface Fixture {
  interface: string;
  relation_id: number;
  model_uuid: string;
  after_relate: Snapshot;
  before_remove_relation: Snapshot;
}

export function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(REPO_FIXTURES, name), "utf8")) as Fixture;
}

/** Juju's own keys, present in every real unit databag. */
function jujuKeys(address: string): Bag {
  return { "egress-subnets": `${address}/32`, "ingress-address": address, "private-address": address };
}

export interface DumpOptions {
  /** `provider/0` or `requirer/1` (fixture unit names). */
  readonly unit: string;
  readonly endpoint: string;
  /** The other side's endpoint (default: the same). */
  readonly relatedEndpoint?: string;
  /** Rename the fixture's apps, e.g. `{ provider: "postgresql", requirer: "myapp" }`. */
  readonly apps?: { readonly provider: string; readonly requirer: string };
  readonly snapshot?: "after_relate" | "before_remove_relation";
  /** Add a peer relation and a relation of another interface, as real units have. */
  readonly extraRelations?: boolean;
  /** Change one bag before dumping (to make it invalid). */
  readonly edit?: (snapshot: Snapshot) => void;
}

/**
 * `juju show-unit <unit> --format=json` as Juju 3.6 prints it: `application-data` is the *other*
 * application's databag, `related-units` the other application's unit databags, `local-unit` the
 * dumped unit's own databag; unit bags carry Juju's address keys.
 */
export function showUnitDump(fx: Fixture, options: DumpOptions): Record<string, unknown> {
  const snap: Snapshot = structuredClone(fx[options.snapshot ?? "after_relate"]);
  options.edit?.(snap);
  const side = options.unit.startsWith("provider/") ? "provider" : "requirer";
  const otherSide = side === "provider" ? "requirer" : "provider";
  const apps = options.apps ?? { provider: "provider", requirer: "requirer" };
  const rename = (unit: string) =>
    unit.replace(/^(provider|requirer)\//, (_m, s: "provider" | "requirer") => `${apps[s]}/`);
  const address = (unit: string) =>
    `10.1.0.${(unit.startsWith("provider") ? 10 : 20) + Number(unit.split("/")[1])}`;
  const myBags = side === "provider" ? snap.provider_unit_databags : snap.requirer_unit_databags;
  const theirBags = side === "provider" ? snap.requirer_unit_databags : snap.provider_unit_databags;
  const relatedUnits = Object.fromEntries(
    Object.entries(theirBags).map(([u, bag]) => [
      rename(u),
      { "in-scope": true, data: { ...bag, ...jujuKeys(address(u)) } },
    ]),
  );
  const relationInfo: Record<string, unknown>[] = [
    {
      "relation-id": fx.relation_id,
      endpoint: options.endpoint,
      "related-endpoint": options.relatedEndpoint ?? options.endpoint,
      "application-data": otherSide === "provider" ? snap.provider_app_databag : snap.requirer_app_databag,
      "local-unit": {
        "in-scope": true,
        data: { ...(myBags[options.unit] ?? {}), ...jujuKeys(address(options.unit)) },
      },
      "related-units": relatedUnits,
    },
  ];
  if (options.extraRelations) {
    relationInfo.unshift({
      "relation-id": 7,
      endpoint: "cluster",
      "related-endpoint": "cluster",
      "application-data": { "rotation-seed": "3" },
      "local-unit": { "in-scope": true, data: { state: "started", ...jujuKeys(address(options.unit)) } },
      "related-units": {},
    });
    relationInfo.push({
      "relation-id": 9,
      endpoint: "logging",
      "related-endpoint": "logging",
      "application-data": { endpoints: '[{"url": "http://10.1.5.1:3100/loki/api/v1/push"}]' },
      "local-unit": { "in-scope": true, data: jujuKeys(address(options.unit)) },
      "related-units": { "loki/0": { "in-scope": true, data: jujuKeys("10.1.5.1") } },
    });
  }
  const leader = snap.leaders[side] === options.unit;
  return {
    [rename(options.unit)]: {
      "workload-version": "16.8.1",
      machine: "3",
      "opened-ports": [],
      "public-address": address(options.unit),
      charm: `ch:amd64/noble/${apps[side]}-553`,
      leader,
      life: "alive",
      "relation-info": relationInfo,
    },
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `charm-relations` as a subprocess on the sources (Node with tsx and the source condition), so
 * the tests need no build and see exactly what a user gets from `dist/bin.js`.
 */
export function runCli(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      // A developer's FORCE_COLOR or NO_COLOR must not change what the tests see.
      if (v !== undefined && k !== "FORCE_COLOR" && k !== "NO_COLOR") env[k] = v;
    }
    const child = spawn(
      process.execPath,
      [
        "--conditions=@charm-relations/source",
        "--import",
        "tsx",
        join(PACKAGE_DIR, "src", "bin.ts"),
        ...args,
      ],
      { cwd: options.cwd ?? PACKAGE_DIR, env: { ...env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Live bags from a simulated relation (for what no recording covers: etcd_client v1, legacy etcd)

export interface Related {
  readonly sim: Simulation;
  readonly relationId: number;
  readonly provider: string;
  readonly requirer: string;
}

/** Deploy the interface's demo charms, relate them and settle (no other phase). */
export async function related(name: string, contract?: Contract): Promise<Related> {
  const entry = findInterface(name)!;
  const run = entry.scenario.build(contract ?? entry.scenario.defaultContract);
  const sim = new Simulation({ lifecycle: true });
  const dirs: string[] = [];
  for (const [app, role] of [
    [run.provider, "provides"],
    [run.requirer, "requires"],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), "cli-test-"));
    dirs.push(dir);
    const ctx = { contract: contract ?? entry.scenario.defaultContract, record: () => {} };
    sim.deploy(app.app, {
      runner: charmRunner((charm) => app.setup(charm, ctx)),
      units: app.units,
      endpoints: { [app.endpoint]: `${role}:${entry.name}` },
      ...(app.config ? { config: app.config } : {}),
      charmDir: dir,
    });
  }
  await sim.settle();
  const relationId = sim.relate(
    `${run.provider.app}:${run.provider.endpoint}`,
    `${run.requirer.app}:${run.requirer.endpoint}`,
  );
  const result = await sim.settle();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (!result.settled) throw new Error(`${name} did not settle: ${JSON.stringify(result.failed)}`);
  return { sim, relationId, provider: run.provider.app, requirer: run.requirer.app };
}

/** `juju show-unit <unit> --format=json` of a unit of a simulated model. */
export function dumpFromModel(r: Related, unit: string): Record<string, unknown> {
  const model = r.sim.model;
  const rel = model.relation(r.relationId);
  const app = unit.slice(0, unit.lastIndexOf("/"));
  const remote = model.remoteAppOf(rel, app);
  const relatedUnits = Object.fromEntries(
    model
      .application(remote)
      .units.map((u) => [u, { "in-scope": true, data: model.unitBag(r.relationId, u, { jujuKeys: true }) }]),
  );
  return {
    [unit]: {
      "opened-ports": [],
      charm: `local:${app}-0`,
      leader: model.isLeader(unit),
      life: "alive",
      "relation-info": [
        {
          "relation-id": r.relationId,
          endpoint: model.localEndpointOf(rel, app),
          "related-endpoint": model.localEndpointOf(rel, remote),
          "application-data": model.appBag(r.relationId, remote),
          "local-unit": { "in-scope": true, data: model.unitBag(r.relationId, unit, { jujuKeys: true }) },
          "related-units": relatedUnits,
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// In-process runs of `main` (the bulk of the matrix: no process spawn, same code path)

export interface FakeStream {
  text: string;
  readonly isTTY: boolean;
  readonly columns: number;
  write(chunk: string): boolean;
}

function fakeStream(isTTY: boolean): FakeStream {
  return {
    text: "",
    isTTY,
    columns: 100,
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

/** `main(args)` with fake streams; `tty` makes stdout/stderr (and stdin, without `stdin`) terminals. */
export async function runMain(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; tty?: boolean; cwd?: string } = {},
): Promise<CliResult & { stdoutStream: FakeStream; stderrStream: FakeStream }> {
  const stdout = fakeStream(options.tty ?? false);
  const stderr = fakeStream(options.tty ?? false);
  const stdin = Object.assign(
    Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin)] : []),
    {
      isTTY: options.stdin === undefined && (options.tty ?? false),
    },
  );
  const code = await main(args, {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? PACKAGE_DIR,
  });
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutStream: stdout, stderrStream: stderr };
}
