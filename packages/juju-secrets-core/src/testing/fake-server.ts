#!/usr/bin/env node
/**
 * The hook-tool fakes' server: one long-lived process per bin dir runs every tool call (`hookToolMain`
 * on the state file the call names) for the thin `hook-tool` client the tools are linked to, so a
 * call costs a bash start and a loopback round trip instead of a node start. Calls are handled one at
 * a time, so concurrent charm processes see each other's writes in order.
 *
 * Where a client finds its server: `rendezvousDir(bin)` holds `start` (node and this script, written
 * by `createHookToolBin`), `server` (port and token) and `lock` (the server's pid). The server exits
 * when its bin dir is removed or after `IDLE_MS` without calls; the next call starts another.
 *
 *   node fake-server.js serve <bin>    run the server (in the background: `startFakeServer`)
 *   node fake-server.js ensure <bin>   start one unless one answers; exit when it does
 *
 * Wire format (fields end in NUL): magic, token, `ping` | `call`, tool, cwd, n, n × NAME=value,
 * n, n × arg. Answer: `<magic> exit <code> <stderr bytes> <stdout bytes>\n`, stderr, stdout; or
 * `<magic> stdin\n`, after which the client sends `<bytes>\0` and its standard input.
 */

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  type Dirent,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CharmRelationsError } from "../errors.js";
import { isMainModule } from "../hook/main.js";
import { hookToolMain, StdinRequired } from "./hook-tool-cli.js";
import type { SessionState } from "./memory-backend.js";
import type { JujuModel } from "./model.js";
import { FAKE_STATE_FILES, type FakeStateStore } from "./state-file.js";

const MAGIC = "charm-relations-fake/1";
/** A server with no call for this long exits (the next call starts another). */
const IDLE_MS = 30_000;
const CHECK_MS = 500;
/** `ensure` gives up after this long (a guard against a hang, not a deadline anyone meets). */
const START_TIMEOUT_MS = 20_000;

/** Per-user root of the rendezvous dirs; bash computes the same path from `$UID`. */
function fakesRoot(): string {
  return `/tmp/charm-relations-fakes-${process.getuid?.() ?? 0}`;
}

/** Where the clients of the fakes in `bin` find their server. */
export function rendezvousDir(bin: string): string {
  return join(fakesRoot(), resolve(bin));
}

/**
 * Record how to start the server for `bin` (`script`: the compiled fake-server.js) and start it in
 * the background; it detaches, and stops when `bin` is removed. Called by `createHookToolBin`.
 */
export function startFakeServer(bin: string, script: string): void {
  forgetRemovedBins();
  const dir = rendezvousDir(bin);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The token in there opens the fake model to whoever reads it: the root must be ours alone.
  const root = statSync(fakesRoot());
  if (root.uid !== process.getuid?.() || (root.mode & 0o077) !== 0) {
    throw new CharmRelationsError(`${fakesRoot()} must be a directory of this user's only (mode 700)`);
  }
  writeAtomic(join(dir, "start"), `${process.execPath}\n${script}\n`);
  spawnServer(bin, script);
}

function spawnServer(bin: string, script: string): void {
  spawn(process.execPath, [script, "serve", resolve(bin)], {
    detached: true,
    stdio: "ignore",
  }).unref();
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

// ---------------------------------------------------------------------------------------------
// Server

/** Take the bin dir's lock unless a live server holds it (a link appears whole, pid included). */
function takeLock(path: string): boolean {
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, String(process.pid), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(mine, path);
        return true;
      } catch {
        if (lockHeld(path)) return false;
        rmSync(path, { force: true });
      }
    }
    return false;
  } finally {
    rmSync(mine, { force: true });
  }
}

function lockHeld(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, "utf8").trim());
  } catch {
    return false;
  }
  return pid > 0 && alive(pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function serve(bin: string): void {
  const dir = rendezvousDir(bin);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, "lock");
  if (!takeLock(lock)) return;
  const token = randomBytes(16).toString("hex");
  let active = 0;
  let lastCall = Date.now();
  const server = createServer((socket) => {
    active++;
    lastCall = Date.now();
    socket.on("close", () => {
      active--;
      lastCall = Date.now();
    });
    handle(socket, token);
  });
  const stop = () => {
    clearInterval(timer);
    server.close();
    rmSync(join(dir, "server"), { force: true });
    rmSync(lock, { force: true });
    if (!existsSync(bin)) removeRendezvous(dir);
    process.exit(0);
  };
  const timer = setInterval(() => {
    if (!existsSync(bin) || (active === 0 && Date.now() - lastCall > IDLE_MS)) stop();
  }, CHECK_MS);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address && typeof address === "object")
      writeAtomic(join(dir, "server"), `${address.port} ${token}\n`);
  });
}

/**
 * Drop the rendezvous dirs of bin dirs that are gone with no server to clean up after them (one that
 * idled out before its bin dir was removed, or was killed).
 */
function forgetRemovedBins(): void {
  const root = fakesRoot();
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const bin = dir.slice(root.length);
    if (entries.some((e) => e.name === "start") && !existsSync(bin) && !lockHeld(join(dir, "lock"))) {
      return removeRendezvous(dir);
    }
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
}

/** Remove the rendezvous dir and its parents that became empty, up to the root. */
function removeRendezvous(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const root = fakesRoot();
  for (let d = dirname(dir); d.startsWith(`${root}/`); d = dirname(d)) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

interface Call {
  readonly tool: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly args: string[];
}

/** NUL-terminated fields from the front of a buffer; `undefined` until the request is complete. */
class Fields {
  #at = 0;
  constructor(readonly buf: Buffer) {}
  get used(): number {
    return this.#at;
  }
  next(): string | undefined {
    const end = this.buf.indexOf(0, this.#at);
    if (end < 0) return undefined;
    const s = this.buf.toString("utf8", this.#at, end);
    this.#at = end + 1;
    return s;
  }
  count(): number | undefined {
    const s = this.next();
    return s === undefined ? undefined : Number.parseInt(s, 10);
  }
  list(n: number): string[] | undefined {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = this.next();
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
}

type Parsed<T> = { value: T; used: number } | "incomplete" | "bad";

function parseRequest(buf: Buffer, token: string): Parsed<Call | "ping"> {
  const f = new Fields(buf);
  const magic = f.next();
  if (magic !== undefined && magic !== MAGIC) return "bad";
  const [tok, op] = [f.next(), f.next()];
  if (op === undefined) return "incomplete";
  if (tok !== token) return "bad";
  if (op === "ping") return { value: "ping", used: f.used };
  if (op !== "call") return "bad";
  const [tool, cwd, nEnv] = [f.next(), f.next(), f.count()];
  const env = nEnv === undefined ? undefined : f.list(nEnv);
  const nArgs = env && f.count();
  const args = nArgs === undefined ? undefined : f.list(nArgs);
  if (tool === undefined || cwd === undefined || !env || !args) return "incomplete";
  const vars: Record<string, string> = {};
  for (const kv of env) {
    const i = kv.indexOf("=");
    if (i > 0) vars[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { value: { tool, cwd, env: vars, args }, used: f.used };
}

function parseStdin(buf: Buffer): Parsed<Uint8Array> {
  const end = buf.indexOf(0);
  if (end < 0) return buf.length > 32 ? "bad" : "incomplete";
  const n = Number.parseInt(buf.toString("latin1", 0, end), 10);
  if (!(n >= 0)) return "bad";
  if (buf.length < end + 1 + n) return "incomplete";
  // Raw bytes: the tool reads them with Juju's rules (invalid UTF-8 included).
  return { value: buf.subarray(end + 1, end + 1 + n), used: end + 1 + n };
}

function handle(socket: Socket, token: string): void {
  let buf: Buffer = Buffer.alloc(0);
  let call: Call | undefined;
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (!call) {
      const req = parseRequest(buf, token);
      if (req === "incomplete") return;
      if (req === "bad") return void socket.destroy();
      if (req.value === "ping") return void socket.end(`${MAGIC} pong\n`);
      call = req.value;
      buf = buf.subarray(req.used);
      const answer = run(call, undefined);
      if (answer) return void socket.end(answer);
      socket.write(`${MAGIC} stdin\n`);
    }
    const input = parseStdin(buf);
    if (input === "incomplete") return;
    if (input === "bad") return void socket.destroy();
    socket.end(run(call, input.value)!);
  });
}

/**
 * The state files this server saved last, kept parsed: a file still as it was written (same inode,
 * mtime, ctime and size) is not read again. Anything else (the harness starting or ending a hook)
 * is read from disk.
 */
class CachedStateFiles implements FakeStateStore {
  static readonly SIZE = 16;
  readonly #saved = new Map<string, { stamp: string; model: JujuModel; session: SessionState }>();

  load(path: string): { model: JujuModel; session?: SessionState } {
    const hit = this.#saved.get(path);
    this.#saved.delete(path);
    if (hit && hit.stamp === stamp(path)) return hit;
    return FAKE_STATE_FILES.load(path);
  }

  save(path: string, model: JujuModel, session: SessionState): void {
    FAKE_STATE_FILES.save(path, model, session);
    this.#saved.set(path, { stamp: stamp(path), model, session });
    if (this.#saved.size > CachedStateFiles.SIZE) this.#saved.delete(this.#saved.keys().next().value!);
  }
}

function stamp(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.mtimeNs}:${s.ctimeNs}:${s.size}`;
  } catch {
    return "";
  }
}

const stateFiles = new CachedStateFiles();

/** Run one call; `undefined` when it needs the standard input it was not given. */
function run(call: Call, input: Uint8Array | undefined): Buffer | undefined {
  try {
    const io = {
      stdin: () => {
        if (input === undefined) throw new StdinRequired();
        return input;
      },
      readFile: (path: string) => readFileSync(resolve(call.cwd, path), "utf8"),
    };
    const result = hookToolMain(call.tool, call.args, call.env, io, stateFiles);
    return exitAnswer(result.exitCode, result.stderr, result.stdout);
  } catch (e) {
    // Nothing was saved, and the cache forgot the file on load: the retry reads it afresh.
    if (e instanceof StdinRequired && input === undefined) return undefined;
    return exitAnswer(1, `ERROR ${(e as Error).message}\n`, "");
  }
}

function exitAnswer(code: number, stderr: string, stdout: string): Buffer {
  const err = Buffer.from(stderr, "utf8");
  const out = Buffer.from(stdout, "utf8");
  return Buffer.concat([Buffer.from(`${MAGIC} exit ${code} ${err.length} ${out.length}\n`), err, out]);
}

// ---------------------------------------------------------------------------------------------
// ensure

/** Whether a server for `bin` answers a ping. */
function ping(bin: string): Promise<boolean> {
  let port: number;
  let token: string;
  try {
    const [p, t] = readFileSync(join(rendezvousDir(bin), "server"), "utf8")
      .trim()
      .split(" ");
    port = Number(p);
    token = t ?? "";
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(2_000, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("data", (d) => {
      reply += d.toString("utf8");
    });
    socket.on("end", () => finish(reply === `${MAGIC} pong\n`));
    socket.write(`${MAGIC}\0${token}\0ping\0`);
  });
}

async function ensure(bin: string): Promise<number> {
  if (await ping(bin)) return 0;
  // A live lock holder is a server still starting: wait for it rather than start a second one.
  if (!lockHeld(join(rendezvousDir(bin), "lock"))) spawnServer(bin, fileURLToPath(import.meta.url));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    if (await ping(bin)) return 0;
  }
  process.stderr.write(`ERROR the hook-tool fake server for ${bin} did not start\n`);
  return 1;
}

if (isMainModule(import.meta.url)) {
  const [command, bin] = process.argv.slice(2);
  if (command === "serve" && bin) serve(resolve(bin));
  else if (command === "ensure" && bin) process.exitCode = await ensure(resolve(bin));
  else {
    process.stderr.write("usage: fake-server.js serve|ensure <bin dir>\n");
    process.exitCode = 2;
  }
}
