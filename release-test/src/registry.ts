/**
 * A throwaway npm registry: verdaccio (pinned in this package's devDependencies) on 127.0.0.1 and a
 * free port, storage in a temp dir. `@charm-relations/*` is local only (anonymous publish, no uplink,
 * so nothing of that scope is ever read from or written to the real registry); everything else is
 * proxied to the upstream registry.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";

export const SCOPE = "@charm-relations";

export interface Registry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly pid: number;
  /** Its output so far (warnings and errors only). */
  log(): string;
  /** SIGTERM by pid, SIGKILL if it is still there after 10 s. Safe to call twice. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

function config(storage: string, upstream: string): string {
  return [
    `storage: ${JSON.stringify(storage)}`,
    "uplinks:",
    "  upstream:",
    `    url: ${JSON.stringify(upstream)}`,
    "    timeout: 60s",
    "packages:",
    `  "${SCOPE}/*":`,
    "    access: $all",
    "    publish: $all",
    "    unpublish: $all",
    '  "**":',
    "    access: $all",
    "    publish: $authenticated",
    "    proxy: upstream",
    "web:",
    "  enable: false",
    "log: { type: stdout, format: pretty, level: warn }",
    "",
  ].join("\n");
}

export async function startRegistry(dir: string, upstream: string): Promise<Registry> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "verdaccio.yaml");
  writeFileSync(file, config(join(dir, "storage"), upstream));
  const bin = createRequire(import.meta.url).resolve("verdaccio/bin/verdaccio");
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, "--config", file, "--listen", `127.0.0.1:${port}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("verdaccio did not start");
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  // Last resort: never leave the registry behind, even if the test process dies on an error.
  const onExit = () => {
    if (running) process.kill(pid, "SIGKILL");
  };
  process.once("exit", onExit);

  const stop = async () => {
    process.removeListener("exit", onExit);
    if (!running) return;
    process.kill(pid, "SIGTERM");
    const timer = setTimeout(() => running && process.kill(pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) throw new Error(`verdaccio exited before listening:\n${output}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`verdaccio did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid, log: () => output, stop };
}
