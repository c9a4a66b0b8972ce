/**
 * Section 4: peak RSS of one hook at 1,000 relations. The parent builds the answered provider (as in
 * section 3), runs the republish hook once on the MemoryBackend while recording every hook-tool answer,
 * then replays that hook in a fresh child process (memory-child.mjs: plain node, no harness, no model)
 * and reads the child's `process.resourceUsage().maxRSS`. The same at N = 1 gives the floor (node +
 * the core + the interface package).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backend } from "../packages/juju-secrets-core/dist/backend/index.js";
import { Charm } from "../packages/juju-secrets-core/dist/index.js";
import {
  hookContextFor,
  MemoryBackend,
  sessionOptionsFor,
} from "../packages/juju-secrets-core/dist/testing/index.js";
import { type InterfaceBench, type InterfaceVariants, withVariant } from "./lib/interfaces.js";
import { BENCH_DIR } from "./lib/paths.js";
import { round, table } from "./lib/stats.js";
import { answeredProvider } from "./scale.js";

export interface MemoryRow {
  readonly n: number;
  readonly calls: number;
  readonly hookMs: number;
  /** KiB. */
  readonly baselineKiB: number;
  readonly loadedKiB: number;
  readonly peakKiB: number;
  readonly recordingBytes: number;
  readonly heapUsedMiB: number;
}

export interface MemoryResult {
  readonly interface: string;
  readonly impl: string;
  readonly note?: string;
  readonly rows: MemoryRow[];
}

/** A Backend that writes each call and its answer as one JSON line. */
function recording(backend: Backend, lines: string[]): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        lines.push(JSON.stringify({ m: prop, a: args, r: result ?? null }));
        return result;
      };
    },
  });
}

async function measure(iface: InterfaceBench, n: number, dir: string): Promise<MemoryRow> {
  const { model } = await answeredProvider(iface, n);
  model.application("db").config = { ...model.application("db").config, ...iface.moveEndpoints };
  const context = hookContextFor(model, { unit: "db/0", kind: "config-changed" });
  const lines = [JSON.stringify(context)];
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  const charm = new Charm({ backend: recording(backend, lines), context });
  iface.provider(charm);
  await charm.dispatch();
  backend.rollback();
  const file = join(dir, `hook-${n}.ndjson`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const child = spawnSync(process.execPath, [join(BENCH_DIR, "memory-child.mjs"), file, iface.impl], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (child.status !== 0)
    throw new Error(`memory child failed: ${child.stderr.trim().split("\n").slice(-3).join(" ")}`);
  const out = JSON.parse(child.stdout) as {
    calls: number;
    ms: number;
    recordingBytes: number;
    maxRssKiB: { baseline: number; loaded: number; peak: number };
    heapUsedMiB: number;
  };
  return {
    n,
    calls: out.calls,
    hookMs: round(out.ms),
    baselineKiB: out.maxRssKiB.baseline,
    loadedKiB: out.maxRssKiB.loaded,
    peakKiB: out.maxRssKiB.peak,
    recordingBytes: out.recordingBytes,
    heapUsedMiB: round(out.heapUsedMiB),
  };
}

export async function runMemory(
  variants: InterfaceVariants,
  sizes: readonly number[] = [1, 1000],
): Promise<MemoryResult> {
  const dir = mkdtempSync(join(tmpdir(), "charm-relations-bench-mem-"));
  try {
    const run = await withVariant(variants, async (iface) => {
      const rows: MemoryRow[] = [];
      for (const n of sizes) rows.push(await measure(iface, n, dir));
      return rows;
    });
    if (!run.iface) throw new Error(`memory: ${variants.name}: ${run.error}`);
    return {
      interface: run.iface.name,
      impl: run.iface.impl,
      ...(run.iface.note ? { note: run.iface.note } : {}),
      rows: run.value,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);

export function printMemory(result: MemoryResult): string {
  return [
    `## 4. Peak RSS of one hook (${result.interface}, ${result.impl}: config-changed republishing endpoints; child process replaying recorded hook-tool answers)\n`,
    table(
      [
        "relations",
        "calls",
        "hook ms",
        "RSS after imports MiB",
        "RSS peak MiB",
        "peak − imports MiB",
        "heap used MiB",
        "recorded answers KiB",
      ],
      result.rows.map((r) => [
        r.n,
        r.calls,
        r.hookMs.toFixed(1),
        mib(r.baselineKiB),
        mib(r.peakKiB),
        mib(r.peakKiB - r.baselineKiB),
        r.heapUsedMiB.toFixed(1),
        (r.recordingBytes / 1024).toFixed(0),
      ]),
    ),
  ].join("\n");
}
