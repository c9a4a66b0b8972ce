/**
 * The environment every npm, pnpm, git and changesets process of the release test runs in: a temp
 * HOME with its own `.npmrc` (so the user's `~/.npmrc`, npm cache, pnpm store and git identity are
 * never read or written), the local registry for everything, and `@charm-relations` explicitly
 * scoped to it (changesets reads that variable to decide where `npm info` and `publish` go).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Registry, SCOPE } from "./registry.js";

export type Env = Record<string, string>;

export function isolatedEnv(home: string, registry?: Registry): Env {
  mkdirSync(home, { recursive: true });
  const npmrc = join(home, ".npmrc");
  const lines = ["update-notifier=false", "fund=false", "audit=false"];
  if (registry) {
    lines.push(
      `registry=${registry.url}`,
      `${SCOPE}:registry=${registry.url}`,
      // verdaccio lets anyone publish the scope, but npm and pnpm refuse to publish without a token.
      `${registry.url.replace(/^https?:/, "")}:_authToken=anonymous`,
    );
  }
  writeFileSync(npmrc, `${lines.join("\n")}\n`);
  const env: Env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Drop what the surrounding pnpm/npm/turbo run exported (npm_config_*, npm_package_*, …) and CI.
    if (v === undefined || /^(npm_|pnpm_|PNPM_|INIT_CWD$|CI$|TURBO_)/.test(k)) continue;
    env[k] = v;
  }
  return Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_STATE_HOME: join(home, ".local/state"),
    npm_config_userconfig: npmrc,
    npm_config_cache: join(home, ".npm"),
    ...(registry
      ? { npm_config_registry: registry.url, [`npm_config_${SCOPE}:registry`]: registry.url }
      : {}),
    npm_config_store_dir: join(home, "pnpm-store"),
    npm_config_update_notifier: "false",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "release-test",
    GIT_AUTHOR_EMAIL: "release-test@localhost",
    GIT_COMMITTER_NAME: "release-test",
    GIT_COMMITTER_EMAIL: "release-test@localhost",
    TURBO_TELEMETRY_DISABLED: "1",
  });
}

/** Run a command, return its stdout; on failure throw with the command, stdout and stderr. */
export function sh(cmd: string, args: readonly string[], options: { cwd: string; env: Env }): string {
  try {
    return execFileSync(cmd, args, {
      cwd: options.cwd,
      env: options.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    throw new Error(
      `${cmd} ${args.join(" ")} (in ${options.cwd}) exited ${err.status}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`,
    );
  }
}
