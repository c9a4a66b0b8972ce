import { describe, expect, it } from "vitest";
import { HookContextError } from "../src/errors.js";
import {
  eventName,
  hookContextFromEnv,
  hookContextToEnv,
  kindFromEventName,
  parseDispatchPath,
} from "../src/hook/context.js";
import type { HookContext, HookKind } from "../src/hook/types.js";

const BASE = {
  JUJU_HOOK_NAME: "",
  JUJU_MODEL_NAME: "prod",
  JUJU_MODEL_UUID: "0f5c3a52-8d5e-4a3b-9c51-1e7c8a3f2b10",
  JUJU_UNIT_NAME: "my-app/3",
  JUJU_VERSION: "3.6.14",
  JUJU_CHARM_DIR: "/var/lib/juju/agents/unit-my-app-3/charm",
  JUJU_CONTEXT_ID: "my-app/3-install-123",
  JUJU_AGENT_SOCKET_ADDRESS: "@/var/lib/juju/agents/unit-my-app-3/agent.socket",
  JUJU_AVAILABILITY_ZONE: "",
  JUJU_PRINCIPAL_UNIT: "",
};

function hookEnv(
  hook: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return { ...BASE, JUJU_DISPATCH_PATH: `hooks/${hook}`, JUJU_HOOK_NAME: hook, ...extra };
}

function relationEnv(
  hook: string,
  endpoint: string,
  id: string,
  extra: Record<string, string | undefined> = {},
) {
  return hookEnv(hook, {
    JUJU_RELATION: endpoint,
    JUJU_RELATION_ID: id,
    JUJU_REMOTE_APP: "postgresql",
    JUJU_REMOTE_UNIT: "postgresql/0",
    ...extra,
  });
}

function contextError(env: Record<string, string | undefined>): HookContextError {
  try {
    hookContextFromEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(HookContextError);
    return e as HookContextError;
  }
  throw new Error("hookContextFromEnv did not throw");
}

const ALL_KINDS: HookKind[] = [
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
  "relation-created",
  "relation-joined",
  "relation-changed",
  "relation-departed",
  "relation-broken",
  "storage-attached",
  "storage-detaching",
  "pebble-ready",
  "pebble-custom-notice",
  "pebble-check-failed",
  "pebble-check-recovered",
  "action",
  "unknown",
];

describe("dispatch path → kind", () => {
  it("maps every plain hook name to itself", () => {
    for (const kind of ALL_KINDS.slice(0, 17)) {
      expect(parseDispatchPath(`hooks/${kind}`)).toEqual({ hookName: kind, kind });
    }
  });

  it("parses relation, storage and pebble hooks by suffix (prefixes may contain hyphens)", () => {
    expect(parseDispatchPath("hooks/db-relation-changed").kind).toBe("relation-changed");
    expect(parseDispatchPath("hooks/my-db-relation-relation-broken").kind).toBe("relation-broken");
    expect(parseDispatchPath("hooks/secret-relation-joined").kind).toBe("relation-joined");
    expect(parseDispatchPath("hooks/cert-store-storage-attached").kind).toBe("storage-attached");
    expect(parseDispatchPath("hooks/pg-storage-detaching").kind).toBe("storage-detaching");
    expect(parseDispatchPath("hooks/work-load-pebble-ready").kind).toBe("pebble-ready");
    expect(parseDispatchPath("hooks/wl-pebble-custom-notice").kind).toBe("pebble-custom-notice");
    expect(parseDispatchPath("hooks/wl-pebble-check-failed").kind).toBe("pebble-check-failed");
    expect(parseDispatchPath("hooks/wl-pebble-check-recovered").kind).toBe("pebble-check-recovered");
  });

  it("actions by parent directory; legacy absolute paths; unknown names", () => {
    expect(parseDispatchPath("actions/do-backup")).toEqual({ hookName: "do-backup", kind: "action" });
    // An action may be named like a hook; the directory decides.
    expect(parseDispatchPath("actions/install").kind).toBe("action");
    expect(parseDispatchPath("/var/lib/juju/agents/unit-a-0/charm/hooks/install").kind).toBe("install");
    expect(parseDispatchPath("./hooks/db-relation-created").kind).toBe("relation-created");
    expect(parseDispatchPath("hooks/frobnicate").kind).toBe("unknown");
    expect(parseDispatchPath("hooks/-relation-changed").kind).toBe("unknown");
    expect(parseDispatchPath("hooks/relation-changed").kind).toBe("unknown");
  });
});

describe("eventName", () => {
  it("camelCases kinds", () => {
    expect(eventName("relation-changed")).toBe("relationChanged");
    expect(eventName("config-changed")).toBe("configChanged");
    expect(eventName("secret-changed")).toBe("secretChanged");
    expect(eventName("leader-settings-changed")).toBe("leaderSettingsChanged");
    expect(eventName("pebble-check-recovered")).toBe("pebbleCheckRecovered");
    expect(eventName("install")).toBe("install");
  });

  it("is lossless: distinct names, inverted by kindFromEventName", () => {
    const names = ALL_KINDS.map(eventName);
    expect(new Set(names).size).toBe(ALL_KINDS.length);
    for (const kind of ALL_KINDS) expect(kindFromEventName(eventName(kind))).toBe(kind);
    expect(kindFromEventName("relationChange")).toBeUndefined();
    expect(kindFromEventName("relation-changed")).toBeUndefined();
  });
});

describe("hookContextFromEnv", () => {
  it("reads the common variables; appName from the unit name", () => {
    const ctx = hookContextFromEnv(hookEnv("install"));
    expect(ctx).toEqual({
      dispatchPath: "hooks/install",
      hookName: "install",
      kind: "install",
      unitName: "my-app/3",
      appName: "my-app",
      modelName: "prod",
      modelUuid: "0f5c3a52-8d5e-4a3b-9c51-1e7c8a3f2b10",
      jujuVersion: "3.6.14",
      charmDir: "/var/lib/juju/agents/unit-my-app-3/charm",
    });
  });

  it("falls back to the legacy CHARM_DIR", () => {
    const ctx = hookContextFromEnv(hookEnv("start", { JUJU_CHARM_DIR: "", CHARM_DIR: "/srv/charm" }));
    expect(ctx.charmDir).toBe("/srv/charm");
  });

  it("names each missing required variable", () => {
    for (const name of [
      "JUJU_DISPATCH_PATH",
      "JUJU_MODEL_NAME",
      "JUJU_MODEL_UUID",
      "JUJU_UNIT_NAME",
      "JUJU_VERSION",
    ]) {
      const missing = contextError(hookEnv("install", { [name]: undefined }));
      expect(missing.variable).toBe(name);
      expect(missing.message).toContain(name);
      // Empty means absent for these.
      expect(contextError(hookEnv("install", { [name]: "" })).variable).toBe(name);
    }
    // JUJU_HOOK_NAME must be present, but may be empty (it is empty for actions).
    expect(contextError(hookEnv("install", { JUJU_HOOK_NAME: undefined })).variable).toBe("JUJU_HOOK_NAME");
  });

  it("tolerates a missing JUJU_VERSION on meter-status-changed only", () => {
    expect(hookContextFromEnv(hookEnv("meter-status-changed", { JUJU_VERSION: undefined })).jujuVersion).toBe(
      "",
    );
    expect(contextError(hookEnv("collect-metrics", { JUJU_VERSION: undefined })).variable).toBe(
      "JUJU_VERSION",
    );
  });

  it("rejects a malformed unit name", () => {
    expect(contextError(hookEnv("install", { JUJU_UNIT_NAME: "my-app" })).variable).toBe("JUJU_UNIT_NAME");
    expect(contextError(hookEnv("install", { JUJU_UNIT_NAME: "/0" })).variable).toBe("JUJU_UNIT_NAME");
  });

  it("relation hooks: endpoint from JUJU_RELATION, id after the last colon", () => {
    const ctx = hookContextFromEnv(relationEnv("my-db-relation-changed", "my-db", "my-db:12"));
    expect(ctx.kind).toBe("relation-changed");
    expect(ctx.relation).toEqual({ endpoint: "my-db", id: 12 });
    expect(ctx.remoteApp).toBe("postgresql");
    expect(ctx.remoteUnit).toBe("postgresql/0");
    // Endpoint is never split out of the hook name; odd prefixes in the id are ignored.
    const odd = hookContextFromEnv(relationEnv("x-relation-changed", "db", "some:thing:7"));
    expect(odd.relation).toEqual({ endpoint: "db", id: 7 });
    expect(hookContextFromEnv(relationEnv("db-relation-changed", "db", "5")).relation?.id).toBe(5);
  });

  it("relation hooks: required variables and malformed ids", () => {
    for (const name of ["JUJU_RELATION", "JUJU_RELATION_ID", "JUJU_REMOTE_APP"]) {
      expect(
        contextError(relationEnv("db-relation-created", "db", "db:1", { [name]: undefined })).variable,
      ).toBe(name);
    }
    const bad = contextError(relationEnv("db-relation-changed", "db", "db:x"));
    expect(bad.variable).toBe("JUJU_RELATION_ID");
    expect(bad.message).toContain('"db:x"');
  });

  it("JUJU_REMOTE_UNIT must be present for joined/changed/departed, may be empty", () => {
    const appChange = hookContextFromEnv(
      relationEnv("db-relation-changed", "db", "db:1", { JUJU_REMOTE_UNIT: "" }),
    );
    expect(appChange.remoteUnit).toBeUndefined();
    for (const hook of ["db-relation-joined", "db-relation-changed"]) {
      expect(contextError(relationEnv(hook, "db", "db:1", { JUJU_REMOTE_UNIT: undefined })).variable).toBe(
        "JUJU_REMOTE_UNIT",
      );
    }
    const created = hookContextFromEnv(
      relationEnv("db-relation-created", "db", "db:1", { JUJU_REMOTE_UNIT: undefined }),
    );
    expect(created.remoteUnit).toBeUndefined();
    const broken = hookContextFromEnv(
      relationEnv("db-relation-broken", "db", "db:1", { JUJU_REMOTE_UNIT: "" }),
    );
    expect(broken.kind).toBe("relation-broken");
    expect(broken.remoteUnit).toBeUndefined();
  });

  it("relation-departed requires JUJU_DEPARTING_UNIT, which may be this unit", () => {
    expect(
      contextError(relationEnv("db-relation-departed", "db", "db:1", { JUJU_REMOTE_UNIT: "my-app/3" }))
        .variable,
    ).toBe("JUJU_DEPARTING_UNIT");
    const ctx = hookContextFromEnv(
      relationEnv("db-relation-departed", "db", "db:1", { JUJU_DEPARTING_UNIT: "my-app/3" }),
    );
    expect(ctx.departingUnit).toBe("my-app/3");
  });

  it("secret hooks: id, label (empty = absent), revision as an integer", () => {
    const changed = hookContextFromEnv(
      hookEnv("secret-changed", { JUJU_SECRET_ID: "secret:9m4e2mr0ui3e8a215n4g", JUJU_SECRET_LABEL: "" }),
    );
    expect(changed.secretId).toBe("secret:9m4e2mr0ui3e8a215n4g");
    expect(changed).not.toHaveProperty("secretLabel");
    expect(changed).not.toHaveProperty("secretRevision");

    const removed = hookContextFromEnv(
      hookEnv("secret-remove", {
        JUJU_SECRET_ID: "secret:9m4e2mr0ui3e8a215n4g",
        JUJU_SECRET_LABEL: "db.7.user.secret",
        JUJU_SECRET_REVISION: "3",
      }),
    );
    expect(removed.secretRevision).toBe(3);
    expect(removed.secretLabel).toBe("db.7.user.secret");

    expect(contextError(hookEnv("secret-changed", {})).variable).toBe("JUJU_SECRET_ID");
    expect(contextError(hookEnv("secret-expired", { JUJU_SECRET_ID: "secret:x" })).variable).toBe(
      "JUJU_SECRET_REVISION",
    );
    expect(
      contextError(hookEnv("secret-remove", { JUJU_SECRET_ID: "secret:x", JUJU_SECRET_REVISION: "three" }))
        .variable,
    ).toBe("JUJU_SECRET_REVISION");
  });

  it("actions: name from the path, uuid; JUJU_HOOK_NAME is empty", () => {
    const ctx = hookContextFromEnv({
      ...BASE,
      JUJU_DISPATCH_PATH: "actions/do-backup",
      JUJU_HOOK_NAME: "",
      JUJU_ACTION_NAME: "do-backup",
      JUJU_ACTION_UUID: "42",
      JUJU_ACTION_TAG: "action-42",
    });
    expect(ctx).toMatchObject({
      kind: "action",
      hookName: "do-backup",
      actionName: "do-backup",
      actionUuid: "42",
    });
  });

  it("storage and pebble hooks", () => {
    const storage = hookContextFromEnv(
      hookEnv("data-storage-attached", {
        JUJU_STORAGE_ID: "data/0",
        JUJU_STORAGE_LOCATION: "/srv/data",
        JUJU_STORAGE_KIND: "filesystem",
      }),
    );
    expect(storage).toMatchObject({
      storageId: "data/0",
      storageLocation: "/srv/data",
      storageKind: "filesystem",
    });

    expect(hookContextFromEnv(hookEnv("wl-pebble-ready", { JUJU_WORKLOAD_NAME: "wl" })).workloadName).toBe(
      "wl",
    );
    expect(contextError(hookEnv("wl-pebble-ready")).variable).toBe("JUJU_WORKLOAD_NAME");
    const check = hookContextFromEnv(
      hookEnv("wl-pebble-check-failed", { JUJU_WORKLOAD_NAME: "wl", JUJU_PEBBLE_CHECK_NAME: "http" }),
    );
    expect(check.pebbleCheckName).toBe("http");
    expect(
      contextError(hookEnv("wl-pebble-custom-notice", { JUJU_WORKLOAD_NAME: "wl", JUJU_NOTICE_ID: "1" }))
        .variable,
    ).toBe("JUJU_NOTICE_TYPE");
  });

  it("ignores relation variables outside relation hooks", () => {
    const ctx = hookContextFromEnv(
      hookEnv("update-status", { JUJU_RELATION: "db", JUJU_RELATION_ID: "db:1" }),
    );
    expect(ctx.relation).toBeUndefined();
  });

  it("reads process.env by default", () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, hookEnv("config-changed"));
      expect(hookContextFromEnv().kind).toBe("config-changed");
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe("hookContextToEnv", () => {
  const base = {
    unitName: "my-app/0",
    appName: "my-app",
    modelName: "m",
    modelUuid: "0f5c3a52-8d5e-4a3b-9c51-1e7c8a3f2b10",
    jujuVersion: "3.6.14",
  } as const;
  const contexts: HookContext[] = [
    { ...base, dispatchPath: "hooks/install", hookName: "install", kind: "install", charmDir: "/c" },
    {
      ...base,
      dispatchPath: "hooks/my-db-relation-changed",
      hookName: "my-db-relation-changed",
      kind: "relation-changed",
      relation: { endpoint: "my-db", id: 4 },
      remoteApp: "pg",
      remoteUnit: "pg/1",
    },
    {
      ...base,
      dispatchPath: "hooks/db-relation-changed",
      hookName: "db-relation-changed",
      kind: "relation-changed",
      relation: { endpoint: "db", id: 4 },
      remoteApp: "pg",
    },
    {
      ...base,
      dispatchPath: "hooks/db-relation-departed",
      hookName: "db-relation-departed",
      kind: "relation-departed",
      relation: { endpoint: "db", id: 4 },
      remoteApp: "pg",
      remoteUnit: "pg/1",
      departingUnit: "pg/1",
    },
    {
      ...base,
      dispatchPath: "hooks/secret-remove",
      hookName: "secret-remove",
      kind: "secret-remove",
      secretId: "secret:9m4e2mr0ui3e8a215n4g",
      secretLabel: "l",
      secretRevision: 2,
    },
    {
      ...base,
      dispatchPath: "actions/do-backup",
      hookName: "do-backup",
      kind: "action",
      actionName: "do-backup",
      actionUuid: "17",
    },
    {
      ...base,
      dispatchPath: "hooks/data-storage-detaching",
      hookName: "data-storage-detaching",
      kind: "storage-detaching",
      storageId: "data/1",
      storageLocation: "/srv",
      storageKind: "block",
    },
    {
      ...base,
      dispatchPath: "hooks/wl-pebble-custom-notice",
      hookName: "wl-pebble-custom-notice",
      kind: "pebble-custom-notice",
      workloadName: "wl",
      noticeId: "9",
      noticeType: "custom",
      noticeKey: "example.com/x",
      principalUnit: "main/0",
    },
    {
      ...base,
      jujuVersion: "",
      dispatchPath: "hooks/meter-status-changed",
      hookName: "meter-status-changed",
      kind: "meter-status-changed",
    },
  ];

  it("round-trips every context kind", () => {
    for (const ctx of contexts) expect(hookContextFromEnv(hookContextToEnv(ctx))).toEqual(ctx);
  });

  it("sets what Juju would: JUJU_RELATION_ID as endpoint:id, JUJU_REMOTE_UNIT present, empty hook name for actions", () => {
    const rel = hookContextToEnv(contexts[2] as HookContext);
    expect(rel).toMatchObject({
      JUJU_DISPATCH_PATH: "hooks/db-relation-changed",
      JUJU_HOOK_NAME: "db-relation-changed",
      JUJU_RELATION: "db",
      JUJU_RELATION_ID: "db:4",
      JUJU_REMOTE_APP: "pg",
      JUJU_REMOTE_UNIT: "",
    });
    const action = hookContextToEnv(contexts[5] as HookContext);
    expect(action).toMatchObject({
      JUJU_HOOK_NAME: "",
      JUJU_ACTION_NAME: "do-backup",
      JUJU_ACTION_UUID: "17",
      JUJU_ACTION_TAG: "action-17",
    });
    expect(hookContextToEnv(contexts[4] as HookContext).JUJU_SECRET_REVISION).toBe("2");
  });

  it("env → context → env keeps every variable the context knows", () => {
    const env = relationEnv("db-relation-changed", "db", "db:3", { JUJU_PRINCIPAL_UNIT: "main/0" });
    const out = hookContextToEnv(hookContextFromEnv(env));
    const known = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in out && v !== ""));
    expect(out).toMatchObject(known);
    expect(Object.keys(out).sort()).toEqual(
      [
        "CHARM_DIR",
        "JUJU_CHARM_DIR",
        "JUJU_DISPATCH_PATH",
        "JUJU_HOOK_NAME",
        "JUJU_MODEL_NAME",
        "JUJU_MODEL_UUID",
        "JUJU_PRINCIPAL_UNIT",
        "JUJU_RELATION",
        "JUJU_RELATION_ID",
        "JUJU_REMOTE_APP",
        "JUJU_REMOTE_UNIT",
        "JUJU_UNIT_NAME",
        "JUJU_VERSION",
      ].sort(),
    );
  });
});
