/** Shared by the pack tests: reading `.charm` files back (with yauzl, not our writer's code), paths. */

import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHookToolBin } from "@charm-relations/juju-secrets-core/testing";
import yauzl from "yauzl";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const EXAMPLES = join(REPO, "examples");

/** This machine's architecture as charmcraft spells it (the runtime the e2e tests can run). */
export const HOST_ARCH = process.arch === "arm64" ? "arm64" : "amd64";

export interface ZipFileEntry {
  readonly name: string;
  readonly mode: number;
  /** The creator OS of the entry (3 = Unix: what makes Juju apply the mode). */
  readonly madeBy: number;
  readonly data: Buffer;
}

/** Every entry of a zip, read with yauzl (an independent reader: CRCs and sizes are checked by it). */
export function readZip(path: string): Promise<ZipFileEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const out: ZipFileEntry[] = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(out));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", reject);
          stream.on("end", () => {
            out.push({
              name: entry.fileName,
              mode: (entry.externalFileAttributes >>> 16) & 0o7777,
              madeBy: entry.versionMadeBy >> 8,
              data: Buffer.concat(chunks),
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Unpack a `.charm` into `dir` the way Juju does: files with their modes. */
export async function unpackCharm(path: string, dir: string): Promise<ZipFileEntry[]> {
  const entries = await readZip(path);
  for (const e of entries) {
    const to = join(dir, e.name);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, e.data);
    chmodSync(to, e.mode);
  }
  return entries;
}

/** A directory of symlinks to a few system tools, standing for the unit's system PATH minus node. */
export function systemBin(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of ["sh", "uname", "readlink", "cat", "env"]) symlinkSync(`/bin/${tool}`, join(dir, tool));
  return dir;
}

/** A bin dir of hook-tool fakes: bash clients of one fake server, so no `node` is needed on PATH. */
export function hookToolBin(dir: string): string {
  return createHookToolBin(dir);
}
