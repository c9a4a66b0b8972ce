/**
 * Files on the requirer's disk: the client credential set (`saveClientCredentials`) and the small state
 * file. Nothing here blocks on what it finds at a path: a FIFO, a device, a socket or a directory is
 * refused after `lstat`/`stat`, before any `open`, and every open uses `O_NONBLOCK` (a FIFO swapped in
 * between returns at once, and `fstat` refuses it). Errors name the path, never the content.
 *
 * Why the credential set goes through a symlink. `rename(2)` replaces one directory entry atomically,
 * so temp-then-rename makes each file atomic but never the set: a failure (or a crash) between two
 * renames leaves a new key next to an old certificate. The one operation that switches several files
 * at once is replacing one symlink that all their paths go through — the layout of Kubernetes'
 * AtomicWriter for projected volumes:
 *
 *     <folder of the key>/.etcd-client-credentials/
 *         gen-<id>/client-key.pem, client-cert.pem, client-ca.pem   0600, written once, fsynced
 *         current -> gen-<id>                                       the single commit point
 *     <key path>  -> <store>/current/client-key.pem                 (likewise the cert and CA paths)
 *
 * A new set is written to a fresh generation; one `rename(2)` of a new `current` link over the old one
 * flips every path together. Whatever fails or crashes before that rename leaves the old set in force;
 * after it, the new set is complete. The first save turns each path into such a link while the store
 * still holds the old contents, so no moment shows a mixed set either. (A reader that opens the key
 * and later the certificate can still straddle one swap, as with any two files; it never sees a
 * half-written file, nor a mix left behind by a failure.)
 */

import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { EtcdFileError } from "./errors.js";

/** Bigger than any PEM set: a larger file at a credentials path is not one of ours. */
export const MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024;

/** What a path holds when it is not a regular file (`stat` follows symlinks). */
function notRegular(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a file";
}

const refuse = (path: string, what: string) =>
  new EtcdFileError(path, "use", undefined, `not a regular file (${what})`);

/** `stat` of `path` following links; `undefined` when nothing is there (or a dangling link). */
function statOrAbsent(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new EtcdFileError(path, "inspect", error);
  }
}

/**
 * The content of the regular file at `path`; `undefined` when absent or when its size is not
 * `expectedBytes` (then it cannot hold the expected content and is not read). Refuses anything else.
 */
export function readRegularFile(path: string, maxBytes: number, expectedBytes?: number): string | undefined {
  const st = statOrAbsent(path);
  if (!st) return undefined;
  const what = notRegular(st);
  if (what) throw refuse(path, what);
  if (expectedBytes !== undefined && st.size !== expectedBytes) return undefined;
  if (st.size > maxBytes) throw new EtcdFileError(path, "read", undefined, `larger than ${maxBytes} bytes`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw new EtcdFileError(path, "read", error);
  }
  try {
    const what2 = notRegular(fstatSync(fd));
    if (what2) throw refuse(path, what2); // swapped between stat and open
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new EtcdFileError(path, "read", undefined, `larger than ${maxBytes} bytes`);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    throw error instanceof EtcdFileError ? error : new EtcdFileError(path, "read", error);
  } finally {
    closeSync(fd);
  }
}

/** Cleanup after a failure must not replace the error being reported. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing was created there, or it is swept by the next save
  }
}

const suffix = () => `${process.pid}-${randomBytes(4).toString("hex")}`;

function mkdirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new EtcdFileError(dir, "create folder", error);
  }
}

/** Create `path` (which must not exist) holding `content`, mode 0600, flushed to disk. */
function createFile(path: string, content: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "wx", 0o600);
    fchmodSync(fd, 0o600); // the umask may only remove bits, but be explicit
    const data = Buffer.from(content, "utf8");
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } catch (error) {
    throw new EtcdFileError(path, "write", error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Flush a folder's entries (a rename is durable only once its folder is). Best effort. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some file systems refuse fsync on folders; the rename itself is still atomic
  }
}

/** Replace one file: temporary sibling, then `rename(2)` (atomic for a single file). */
export function writeFileAtomically(path: string, content: string): void {
  mkdirs(dirname(path));
  const temp = `${path}.tmp-${suffix()}`;
  try {
    createFile(temp, content);
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error instanceof EtcdFileError ? error : new EtcdFileError(path, "replace", error);
  }
  syncDir(dirname(path));
}

// ---------------------------------------------------------------------------------------------
// The credential set

export type CredentialRole = "key" | "cert" | "ca";

export interface CredentialFile {
  readonly role: CredentialRole;
  readonly path: string;
  readonly content: string;
}

const STORE = ".etcd-client-credentials";
const CURRENT = "current";
const NAMES: Readonly<Record<CredentialRole, string>> = {
  key: "client-key.pem",
  cert: "client-cert.pem",
  ca: "client-ca.pem",
};

/** What the symlink at a credentials path points to (relative when it sits next to the store). */
function linkTarget(store: string, file: CredentialFile): string {
  const inStore = join(CURRENT, NAMES[file.role]);
  return dirname(file.path) === dirname(store) ? join(STORE, inStore) : join(store, inStore);
}

function isLink(path: string, target: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && readlinkSync(path) === target;
  } catch {
    return false;
  }
}

/** The generation `current` points to, or `undefined` before the first save. */
function currentGeneration(store: string): string | undefined {
  try {
    return join(store, readlinkSync(join(store, CURRENT)));
  } catch {
    return undefined;
  }
}

/**
 * A fresh generation holding `contents` (file name → PEM) plus every file of `from` not given:
 * links made by earlier saves with other roles keep resolving.
 */
function writeGeneration(store: string, from: string | undefined, contents: Map<string, string>): string {
  const gen = join(store, `gen-${Date.now().toString(36)}-${suffix()}`);
  try {
    mkdirSync(gen, { mode: 0o700 });
  } catch (error) {
    throw new EtcdFileError(gen, "create folder", error);
  }
  try {
    const all = new Map<string, string>();
    if (from) {
      for (const name of Object.values(NAMES)) {
        const carried = readRegularFile(join(from, name), MAX_CREDENTIAL_FILE_BYTES);
        if (carried !== undefined) all.set(name, carried);
      }
    }
    for (const [name, content] of contents) all.set(name, content);
    for (const [name, content] of all) createFile(join(gen, name), content);
  } catch (error) {
    removeQuietly(gen); // never switched to: the set in force is untouched
    throw error;
  }
  syncDir(gen);
  return gen;
}

/** The commit: one `rename(2)` of a new `current` link over the old one. */
function commit(store: string, gen: string): void {
  const temp = join(store, `${CURRENT}.tmp-${suffix()}`);
  try {
    symlinkSync(basename(gen), temp);
    renameSync(temp, join(store, CURRENT));
  } catch (error) {
    removeQuietly(temp);
    throw new EtcdFileError(join(store, CURRENT), "switch", error);
  }
  syncDir(store);
}

/** Remove generations other than the current one, and links left by an interrupted save. */
function sweep(store: string, keep: string): void {
  for (const entry of readdirSync(store)) {
    if (entry.startsWith("gen-") ? entry !== basename(keep) : entry.startsWith(`${CURRENT}.tmp-`))
      removeQuietly(join(store, entry));
  }
}

/** Turn `file.path` into the link into the store (atomic per path: link to a temp name, rename). */
function link(store: string, file: CredentialFile): void {
  const temp = `${file.path}.tmp-${suffix()}`;
  try {
    symlinkSync(linkTarget(store, file), temp);
    renameSync(temp, file.path);
  } catch (error) {
    removeQuietly(temp);
    throw new EtcdFileError(file.path, "replace", error);
  }
}

/**
 * Save the credential set as one (see the module comment). Refuses a non-regular file at any path
 * before writing anything. Returns whether any content changed; when none did, only tightens modes.
 */
export function saveCredentialSet(files: readonly CredentialFile[]): boolean {
  let upToDate = true;
  for (const f of files) {
    const size = Buffer.byteLength(f.content);
    if (readRegularFile(f.path, MAX_CREDENTIAL_FILE_BYTES, size) !== f.content) upToDate = false;
  }
  if (upToDate) {
    for (const f of files) {
      try {
        // Checked a regular file just above; chmod opens nothing.
        if ((statSync(f.path).mode & 0o777) !== 0o600) chmodSync(f.path, 0o600);
      } catch (error) {
        throw new EtcdFileError(f.path, "set mode 0600 on", error);
      }
    }
    return false;
  }
  const store = join(dirname(files[0]!.path), STORE);
  const unlinked = files.filter((f) => !isLink(f.path, linkTarget(store, f)));
  const old = new Map<string, string>();
  for (const f of unlinked) {
    const content = readRegularFile(f.path, MAX_CREDENTIAL_FILE_BYTES);
    if (content !== undefined) old.set(NAMES[f.role], content);
  }
  for (const f of files) mkdirs(dirname(f.path));
  prepareStore(store);
  if (unlinked.length > 0) {
    // Point the paths into the store while it still holds what they hold now.
    commit(store, writeGeneration(store, currentGeneration(store), old));
    for (const f of unlinked) link(store, f);
  }
  const next = writeGeneration(
    store,
    currentGeneration(store),
    new Map(files.map((f) => [NAMES[f.role], f.content])),
  );
  commit(store, next);
  sweep(store, next);
  return true;
}

/** The store folder (0700), refusing anything else at its name (a file, or a link to elsewhere). */
function prepareStore(store: string): void {
  try {
    mkdirSync(store, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST")
      throw new EtcdFileError(store, "create folder", error);
    if (!lstatSync(store).isDirectory()) throw new EtcdFileError(store, "use", undefined, "not a folder");
  }
}
