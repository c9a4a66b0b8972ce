/**
 * The hook context: JUJU_* variables → `HookContext` and back (juju-hook-tools.md §2, §3).
 *
 * Parsing follows `ops.JujuContext.from_environ` plus the checks ops' `_main` makes before emitting:
 * a missing required variable is a `HookContextError` naming it, raised before any handler runs.
 */

import { HookContextError } from "../errors.js";
import type { HookContext, HookKind } from "./types.js";

const PLAIN_HOOKS: ReadonlySet<string> = new Set<HookKind>([
  "install",
  "start",
  "stop",
  "remove",
  "config-changed",
  "update-status",
  "upgrade-charm",
  "leader-elected",
  "leader-settings-changed",
  "pre-series-upgrade",
  "post-series-upgrade",
  "collect-metrics",
  "meter-status-changed",
  "secret-changed",
  "secret-rotate",
  "secret-remove",
  "secret-expired",
]);

/** `<prefix>-<suffix>` hooks; the prefix (endpoint, storage or container name) may itself contain `-`. */
const SUFFIX_HOOKS: readonly (readonly [suffix: string, kind: HookKind])[] = [
  ["-relation-created", "relation-created"],
  ["-relation-joined", "relation-joined"],
  ["-relation-changed", "relation-changed"],
  ["-relation-departed", "relation-departed"],
  ["-relation-broken", "relation-broken"],
  ["-storage-attached", "storage-attached"],
  ["-storage-detaching", "storage-detaching"],
  ["-pebble-ready", "pebble-ready"],
  ["-pebble-custom-notice", "pebble-custom-notice"],
  ["-pebble-check-failed", "pebble-check-failed"],
  ["-pebble-check-recovered", "pebble-check-recovered"],
];

export function isRelationKind(kind: HookKind): boolean {
  return kind.startsWith("relation-");
}
export function isSecretKind(kind: HookKind): boolean {
  return kind.startsWith("secret-");
}
export function isStorageKind(kind: HookKind): boolean {
  return kind.startsWith("storage-");
}
export function isPebbleKind(kind: HookKind): boolean {
  return kind.startsWith("pebble-");
}

/** Split a dispatch path (`hooks/db-relation-changed`, `actions/do-backup`) into its event. */
export function parseDispatchPath(dispatchPath: string): { hookName: string; kind: HookKind } {
  const parts = dispatchPath.split("/").filter((p) => p !== "" && p !== ".");
  const hookName = parts.at(-1) ?? "";
  if (parts.at(-2) === "actions" && hookName !== "") return { hookName, kind: "action" };
  if (PLAIN_HOOKS.has(hookName)) return { hookName, kind: hookName as HookKind };
  for (const [suffix, kind] of SUFFIX_HOOKS) {
    if (hookName.length > suffix.length && hookName.endsWith(suffix)) return { hookName, kind };
  }
  return { hookName, kind: "unknown" };
}

/**
 * Lossless camelCase event name used by `Charm.on`: `relation-changed` → `relationChanged`.
 * Every `HookKind` is lowercase words joined by single hyphens, so `kindFromEventName` inverts it.
 */
export function eventName(kind: HookKind): string {
  return kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Inverse of `eventName`; undefined for names that are not a `HookKind`. */
export function kindFromEventName(name: string): HookKind | undefined {
  const kind = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  // Only the exact camelCase spelling counts (`relation-changed` is a kind, not an event name).
  return KNOWN_KINDS.has(kind) && eventName(kind as HookKind) === name ? (kind as HookKind) : undefined;
}

const KNOWN_KINDS: ReadonlySet<string> = new Set<string>([
  ...PLAIN_HOOKS,
  ...SUFFIX_HOOKS.map(([, kind]) => kind),
  "action",
  "unknown",
]);

type Env = NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>;

/** Read the hook context from the environment Juju gave this process. */
export function hookContextFromEnv(env: Env = process.env): HookContext {
  // Empty means absent, except for the few variables Juju sets "present (may be empty)".
  const opt = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };
  const req = (name: string): string => {
    const v = opt(name);
    if (v === undefined) throw new HookContextError(name);
    return v;
  };
  const present = (name: string): string => {
    const v = env[name];
    if (v === undefined) throw new HookContextError(name);
    return v;
  };

  const dispatchPath = req("JUJU_DISPATCH_PATH");
  const { hookName, kind } = parseDispatchPath(dispatchPath);
  present("JUJU_HOOK_NAME"); // empty for actions, but always set by Juju
  const modelName = req("JUJU_MODEL_NAME");
  const modelUuid = req("JUJU_MODEL_UUID");
  const unitName = req("JUJU_UNIT_NAME");
  const slash = unitName.indexOf("/");
  if (slash <= 0 || !/^\d+$/.test(unitName.slice(slash + 1))) {
    throw new HookContextError("JUJU_UNIT_NAME", `JUJU_UNIT_NAME "${unitName}" is not of the form <app>/<n>`);
  }
  // Juju 2/3 may omit JUJU_VERSION on meter-status-changed only.
  const jujuVersion = kind === "meter-status-changed" ? (opt("JUJU_VERSION") ?? "") : req("JUJU_VERSION");

  const ctx: { -readonly [K in keyof HookContext]: HookContext[K] } = {
    dispatchPath,
    hookName,
    kind,
    unitName,
    appName: unitName.slice(0, slash),
    modelName,
    modelUuid,
    jujuVersion,
  };
  const set = <K extends keyof HookContext>(key: K, value: HookContext[K] | undefined): void => {
    if (value !== undefined) ctx[key] = value;
  };
  set("charmDir", opt("JUJU_CHARM_DIR") ?? opt("CHARM_DIR"));
  set("principalUnit", opt("JUJU_PRINCIPAL_UNIT"));
  set("availabilityZone", opt("JUJU_AVAILABILITY_ZONE"));

  if (isRelationKind(kind)) {
    const endpoint = req("JUJU_RELATION");
    const relationId = req("JUJU_RELATION_ID");
    // `db:7`; older Juju gave a bare id or used another prefix: the integer after the LAST `:` counts.
    const idText = relationId.slice(relationId.lastIndexOf(":") + 1);
    if (!/^\d+$/.test(idText)) {
      throw new HookContextError(
        "JUJU_RELATION_ID",
        `JUJU_RELATION_ID "${relationId}" does not end in an integer relation id`,
      );
    }
    ctx.relation = { endpoint, id: Number(idText) };
    ctx.remoteApp = req("JUJU_REMOTE_APP");
    if (kind === "relation-joined" || kind === "relation-changed" || kind === "relation-departed") {
      // Present but empty when the remote *app* databag changed.
      const remoteUnit = present("JUJU_REMOTE_UNIT");
      if (remoteUnit !== "") ctx.remoteUnit = remoteUnit;
    } else {
      set("remoteUnit", opt("JUJU_REMOTE_UNIT"));
    }
    if (kind === "relation-departed") ctx.departingUnit = req("JUJU_DEPARTING_UNIT");
  } else if (isSecretKind(kind)) {
    ctx.secretId = req("JUJU_SECRET_ID");
    set("secretLabel", opt("JUJU_SECRET_LABEL"));
    const revision =
      kind === "secret-remove" || kind === "secret-expired"
        ? req("JUJU_SECRET_REVISION")
        : opt("JUJU_SECRET_REVISION");
    if (revision !== undefined) {
      if (!/^\d+$/.test(revision)) {
        throw new HookContextError(
          "JUJU_SECRET_REVISION",
          `JUJU_SECRET_REVISION "${revision}" is not an integer`,
        );
      }
      ctx.secretRevision = Number(revision);
    }
  } else if (kind === "action") {
    ctx.actionName = hookName;
    set("actionUuid", opt("JUJU_ACTION_UUID"));
  } else if (isStorageKind(kind)) {
    set("storageId", opt("JUJU_STORAGE_ID"));
    set("storageLocation", opt("JUJU_STORAGE_LOCATION"));
    set("storageKind", opt("JUJU_STORAGE_KIND"));
  } else if (isPebbleKind(kind)) {
    ctx.workloadName = req("JUJU_WORKLOAD_NAME");
    if (kind === "pebble-custom-notice") {
      ctx.noticeId = req("JUJU_NOTICE_ID");
      ctx.noticeType = req("JUJU_NOTICE_TYPE");
      ctx.noticeKey = req("JUJU_NOTICE_KEY");
    } else if (kind === "pebble-check-failed" || kind === "pebble-check-recovered") {
      ctx.pebbleCheckName = req("JUJU_PEBBLE_CHECK_NAME");
    }
  }
  return ctx;
}

/**
 * The JUJU_* variables Juju would set for this context (for harnesses that spawn a charm process).
 * `hookContextFromEnv(hookContextToEnv(ctx))` gives back `ctx`.
 */
export function hookContextToEnv(ctx: HookContext): Record<string, string> {
  const env: Record<string, string> = {
    JUJU_DISPATCH_PATH: ctx.dispatchPath,
    JUJU_HOOK_NAME: ctx.kind === "action" ? "" : ctx.hookName,
    JUJU_UNIT_NAME: ctx.unitName,
    JUJU_MODEL_NAME: ctx.modelName,
    JUJU_MODEL_UUID: ctx.modelUuid,
  };
  const put = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) env[name] = String(value);
  };
  if (ctx.jujuVersion !== "") env.JUJU_VERSION = ctx.jujuVersion;
  put("JUJU_CHARM_DIR", ctx.charmDir);
  put("CHARM_DIR", ctx.charmDir);
  put("JUJU_PRINCIPAL_UNIT", ctx.principalUnit);
  put("JUJU_AVAILABILITY_ZONE", ctx.availabilityZone);
  if (ctx.relation) {
    env.JUJU_RELATION = ctx.relation.endpoint;
    env.JUJU_RELATION_ID = `${ctx.relation.endpoint}:${ctx.relation.id}`;
    put("JUJU_REMOTE_APP", ctx.remoteApp);
    env.JUJU_REMOTE_UNIT = ctx.remoteUnit ?? ""; // always present in relation hooks
    put("JUJU_DEPARTING_UNIT", ctx.departingUnit);
  }
  put("JUJU_SECRET_ID", ctx.secretId);
  put("JUJU_SECRET_LABEL", ctx.secretLabel);
  put("JUJU_SECRET_REVISION", ctx.secretRevision);
  if (ctx.kind === "action") {
    put("JUJU_ACTION_NAME", ctx.actionName ?? ctx.hookName);
    put("JUJU_ACTION_UUID", ctx.actionUuid);
    if (ctx.actionUuid !== undefined) env.JUJU_ACTION_TAG = `action-${ctx.actionUuid}`;
  }
  put("JUJU_STORAGE_ID", ctx.storageId);
  put("JUJU_STORAGE_LOCATION", ctx.storageLocation);
  put("JUJU_STORAGE_KIND", ctx.storageKind);
  put("JUJU_WORKLOAD_NAME", ctx.workloadName);
  put("JUJU_NOTICE_ID", ctx.noticeId);
  put("JUJU_NOTICE_TYPE", ctx.noticeType);
  put("JUJU_NOTICE_KEY", ctx.noticeKey);
  put("JUJU_PEBBLE_CHECK_NAME", ctx.pebbleCheckName);
  return env;
}
