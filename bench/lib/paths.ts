/**
 * Where things are. The bench imports the workspace packages from their build output (`dist/`), so it
 * measures what a charm ships; `pnpm bench` builds first.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(BENCH_DIR, "..");
export const RESULTS_DIR = join(BENCH_DIR, "results");

export const CORE_DIST = join(REPO, "packages/juju-secrets-core/dist");

/** Every interface package folder (`packages/interface-*`), sorted: what the import-time table covers. */
export function interfacePackageDirs(): string[] {
  return readdirSync(join(REPO, "packages"))
    .filter((d) => d.startsWith("interface-"))
    .sort();
}

/** The first five interface packages, by Juju interface name (the scale and memory sections use them). */
export const INTERFACE_PACKAGES = {
  postgresql_client: "interface-postgresql-client",
  valkey_client: "interface-valkey-client",
  etcd_client: "interface-etcd-client",
  connect_client: "interface-connect-client",
  etcd: "interface-etcd",
} as const;
export type InterfaceName = keyof typeof INTERFACE_PACKAGES;

export function packageEntry(pkg: string, entry = "index.js"): string {
  return join(REPO, "packages", pkg, "dist", entry);
}

/**
 * Import a built workspace package entry; undefined when it is not built (yet) or fails to load, so a
 * package that is still being written falls back to the generic engines instead of failing the bench.
 */
export async function importBuilt<T>(path: string): Promise<{ module?: T; error?: string }> {
  if (!existsSync(path)) return { error: `not built: ${path}` };
  try {
    return { module: (await import(pathToFileURL(path).href)) as T };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message.split("\n")[0]}` };
  }
}

export const EXAMPLES_DIR = join(REPO, "examples");
