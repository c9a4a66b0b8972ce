import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProcessBackend } from "../src/backend/process.js";
import type {
  Backend,
  Databag,
  NetworkInfo,
  RelationRef,
  SecretInfo,
  StatusInfo,
} from "../src/backend/types.js";
import { HookContextError, RemoteDataError } from "../src/errors.js";
import { Charm, formatCharmError, runCharm } from "../src/hook/charm.js";
import { hookContextToEnv } from "../src/hook/context.js";
import type { HookContext } from "../src/hook/types.js";

/** Minimal recording backend: databags in a map, every call logged. */
class RecordingBackend implements Backend {
  readonly calls: string[] = [];
  readonly bags = new Map<string, Record<string, string>>();
  leader = true;

  #bagKey(rel: RelationRef, owner: string): string {
    return `${rel.endpoint}:${rel.id}/${owner}`;
  }
  relationIds(endpoint: string): number[] {
    this.calls.push(`relation-ids ${endpoint}`);
    return [];
  }
  relationList(relation: RelationRef): string[] {
    this.calls.push(`relation-list ${relation.id}`);
    return [];
  }
  relationRemoteApp(relation: RelationRef): string | null {
    this.calls.push(`relation-list --app ${relation.id}`);
    return null;
  }
  relationGet(relation: RelationRef, unitOrApp: string, isApp: boolean): Record<string, string> {
    this.calls.push(`relation-get ${relation.endpoint}:${relation.id} ${isApp ? "--app " : ""}${unitOrApp}`);
    return { ...(this.bags.get(this.#bagKey(relation, unitOrApp)) ?? {}) };
  }
  relationSet(relation: RelationRef, data: Databag, isApp: boolean): void {
    this.calls.push(
      `relation-set ${relation.endpoint}:${relation.id}${isApp ? " --app" : ""} ${JSON.stringify(data)}`,
    );
  }
  relationModelGet(): string | null {
    this.calls.push("relation-model-get");
    return null;
  }
  isLeader(): boolean {
    this.calls.push("is-leader");
    return this.leader;
  }
  configGet(): Record<string, unknown> {
    this.calls.push("config-get");
    return {};
  }
  networkGet(): NetworkInfo {
    this.calls.push("network-get");
    return {};
  }
  secretAdd(): string {
    this.calls.push("secret-add");
    return "secret:9m4e2mr0ui3e8a215n4g";
  }
  secretGet(): Record<string, string> {
    this.calls.push("secret-get");
    return {};
  }
  secretInfoGet(): SecretInfo {
    this.calls.push("secret-info-get");
    return { id: "9m4e2mr0ui3e8a215n4g", revision: 1, owner: "application" };
  }
  secretSet(): void {
    this.calls.push("secret-set");
  }
  secretGrant(): void {
    this.calls.push("secret-grant");
  }
  secretRevoke(): void {
    this.calls.push("secret-revoke");
  }
  secretRemove(): void {
    this.calls.push("secret-remove");
  }
  secretIds(): string[] {
    this.calls.push("secret-ids");
    return [];
  }
  jujuLog(level: string, message: string): void {
    this.calls.push(`juju-log ${level} ${message}`);
  }
  statusSet(status: string, message: string, isApp: boolean): void {
    this.calls.push(`status-set ${isApp} ${status} ${message}`);
  }
  statusGet(): StatusInfo {
    this.calls.push("status-get");
    return { status: "active", message: "" };
  }
  applicationVersionSet(version: string): void {
    this.calls.push(`application-version-set ${version}`);
  }
}

const base = {
  unitName: "app/0",
  appName: "app",
  modelName: "m",
  modelUuid: "0f5c3a52-8d5e-4a3b-9c51-1e7c8a3f2b10",
  jujuVersion: "3.6.14",
} as const;

function relationContext(
  endpoint: string,
  id: number,
  kind: "relation-changed" | "relation-broken" = "relation-changed",
): HookContext {
  const hookName = `${endpoint}-${kind}`;
  return {
    ...base,
    dispatchPath: `hooks/${hookName}`,
    hookName,
    kind,
    relation: { endpoint, id },
    remoteApp: "pg",
    ...(kind === "relation-changed" ? { remoteUnit: "pg/0" } : {}),
  };
}
const install: HookContext = { ...base, dispatchPath: "hooks/install", hookName: "install", kind: "install" };

function charmFor(
  context: HookContext,
  backend = new RecordingBackend(),
): { charm: Charm; backend: RecordingBackend } {
  return { charm: new Charm({ backend, context }), backend };
}

/** Stands in for an interface library: it registers its observers when constructed. */
class FakeLibrary {
  constructor(charm: Charm, endpoint: string, log: string[]) {
    charm.on("relationChanged", () => void log.push(`library:${endpoint}`), { endpoint });
  }
}

describe("Charm construction", () => {
  it("exposes context, model, unit and app", () => {
    const { charm, backend } = charmFor(relationContext("db", 3));
    expect(charm.unit).toBe("app/0");
    expect(charm.app).toBe("app");
    expect(charm.backend).toBe(backend);
    expect(charm.model.context).toBe(charm.context);
    expect(backend.calls).toEqual([]); // construction costs no hook-tool calls
  });

  it("defaults: context from env, ProcessBackend", () => {
    const env = hookContextToEnv(relationContext("my-db", 8));
    const charm = new Charm({ env });
    expect(charm.context.relation).toEqual({ endpoint: "my-db", id: 8 });
    expect(charm.backend).toBeInstanceOf(ProcessBackend);
    expect(() => new Charm({ env: { ...env, JUJU_UNIT_NAME: "" } })).toThrow(HookContextError);
  });

  it("rejects unknown event names", () => {
    const { charm } = charmFor(install);
    expect(() => charm.on("relation-changed" as never, () => {})).toThrow(/unknown charm event/);
  });
});

describe("Charm.dispatch", () => {
  it("runs observers of the event in registration order: libraries first, then the user", async () => {
    const log: string[] = [];
    const { charm } = charmFor(relationContext("db", 3));
    new FakeLibrary(charm, "db", log);
    charm.on("relationChanged", () => void log.push("user"));
    charm.on("configChanged", () => void log.push("config"));
    charm.on("relationBroken", () => void log.push("broken"));
    await charm.dispatch();
    expect(log).toEqual(["library:db", "user"]);
  });

  it("filters relation observers by endpoint", async () => {
    const log: string[] = [];
    const { charm } = charmFor(relationContext("cache", 5));
    new FakeLibrary(charm, "db", log);
    new FakeLibrary(charm, "cache", log);
    charm.on("relationChanged", (e) => void log.push(`any:${e.relation.endpoint}:${e.relation.id}`));
    await charm.dispatch();
    expect(log).toEqual(["library:cache", "any:cache:5"]);
  });

  it("filters actions by name and passes the action fields", async () => {
    const log: string[] = [];
    const context: HookContext = {
      ...base,
      dispatchPath: "actions/do-backup",
      hookName: "do-backup",
      kind: "action",
      actionName: "do-backup",
      actionUuid: "12",
    };
    const { charm } = charmFor(context);
    charm.on("action", () => void log.push("restore"), { action: "restore" });
    charm.on("action", (e) => void log.push(`${e.actionName}#${e.actionUuid}`), { action: "do-backup" });
    await charm.dispatch();
    expect(log).toEqual(["do-backup#12"]);
  });

  it("awaits async handlers one by one", async () => {
    const log: string[] = [];
    const { charm } = charmFor(install);
    charm.on("install", async () => {
      await new Promise((r) => setTimeout(r, 20));
      log.push("slow first");
    });
    charm.on("install", () => void log.push("second"));
    await charm.dispatch();
    expect(log).toEqual(["slow first", "second"]);
  });

  it("gives relation events the model's relation and the remote names", async () => {
    const { charm } = charmFor(relationContext("db", 3));
    let seen: unknown;
    charm.on("relationChanged", (e) => {
      seen = {
        charm: e.charm === charm,
        kind: e.kind,
        endpoint: e.relation.endpoint,
        id: e.relation.id,
        sameRelation: e.relation === charm.model.relation({ endpoint: "db", id: 3 }),
        remoteApp: e.remoteApp,
        remoteUnit: e.remoteUnit,
      };
    });
    await charm.dispatch();
    expect(seen).toEqual({
      charm: true,
      kind: "relation-changed",
      endpoint: "db",
      id: 3,
      sameRelation: true,
      remoteApp: "pg",
      remoteUnit: "pg/0",
    });
  });

  it("gives secret events the secret id, label and revision", async () => {
    const context: HookContext = {
      ...base,
      dispatchPath: "hooks/secret-remove",
      hookName: "secret-remove",
      kind: "secret-remove",
      secretId: "secret:9m4e2mr0ui3e8a215n4g",
      secretLabel: "db.3.user.secret",
      secretRevision: 4,
    };
    const { charm } = charmFor(context);
    let seen: unknown;
    charm.on("secretRemove", (e) => {
      seen = [e.secretId, e.secretLabel, e.secretRevision];
    });
    await charm.dispatch();
    expect(seen).toEqual(["secret:9m4e2mr0ui3e8a215n4g", "db.3.user.secret", 4]);
  });

  it("relation-broken hands over an inactive relation", async () => {
    const { charm } = charmFor(relationContext("db", 3, "relation-broken"));
    let active: boolean | undefined;
    charm.on("relationBroken", (e) => {
      active = e.relation.active;
    });
    await charm.dispatch();
    expect(active).toBe(false);
  });

  it("flushes buffered writes once, after every handler ran", async () => {
    const backend = new RecordingBackend();
    backend.bags.set("db:3/app", { old: "1" });
    const { charm } = charmFor(relationContext("db", 3), backend);
    charm.on("relationChanged", (e) => {
      e.relation.localApp.set("endpoints", "10.0.0.1:5432");
      e.relation.localUnit.set("a", "1");
    });
    charm.on("relationChanged", (e) => {
      expect(backend.calls.some((c) => c.startsWith("relation-set"))).toBe(false);
      e.relation.localApp.set("old", "");
      e.relation.localApp.set("version", "16");
    });
    await charm.dispatch();
    expect(backend.calls.filter((c) => c.startsWith("relation-set"))).toEqual([
      'relation-set db:3 {"a":"1"}',
      'relation-set db:3 --app {"endpoints":"10.0.0.1:5432","version":"16","old":""}',
    ]);
  });

  it("an early-returning handler is a normal success: writes are committed", async () => {
    const { charm, backend } = charmFor(relationContext("db", 3));
    charm.on("relationChanged", (e) => {
      e.relation.localUnit.set("seen", "yes");
      if (e.remoteUnit) return;
      throw new Error("not reached");
    });
    await charm.dispatch();
    expect(backend.calls).toContain('relation-set db:3 {"seen":"yes"}');
  });

  it("a throwing handler: later handlers skipped, writes discarded, original error rethrown", async () => {
    const { charm, backend } = charmFor(relationContext("db", 3));
    const flush = vi.spyOn(charm.model, "flush");
    const discard = vi.spyOn(charm.model, "discard");
    const original = new RemoteDataError([
      {
        relation: { endpoint: "db", id: 3 },
        side: "provider",
        bag: "app",
        key: "endpoints",
        rule: "not a host:port list",
      },
    ]);
    const log: string[] = [];
    charm.on("relationChanged", (e) => {
      e.relation.localUnit.set("half", "written");
      throw original;
    });
    charm.on("relationChanged", () => void log.push("after"));
    const caught = await charm.dispatch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBe(original);
    expect(log).toEqual([]);
    expect(flush).not.toHaveBeenCalled();
    expect(discard).toHaveBeenCalledTimes(1);
    expect(backend.calls.filter((c) => c.startsWith("relation-set"))).toEqual([]);
    expect(charm.model.relation({ endpoint: "db", id: 3 }).localUnit.get("half")).toBeUndefined();
  });

  it("an async rejection is rethrown as is", async () => {
    const { charm } = charmFor(install);
    const original = new TypeError("boom");
    charm.on("install", async () => {
      await Promise.resolve();
      throw original;
    });
    await expect(charm.dispatch()).rejects.toBe(original);
  });

  it("dispatches only once per hook", async () => {
    const { charm } = charmFor(install);
    await charm.dispatch();
    await expect(charm.dispatch()).rejects.toThrow(/already ran/);
  });
});

describe("OPERATOR_DISPATCH guard", () => {
  it("sets OPERATOR_DISPATCH=1 in the process env while dispatching", async () => {
    const env: NodeJS.ProcessEnv = hookContextToEnv(install);
    const backend = new RecordingBackend();
    const charm = new Charm({ env, backend });
    let during: string | undefined;
    charm.on("install", () => {
      during = env.OPERATOR_DISPATCH;
    });
    await charm.dispatch();
    expect(during).toBe("1");
  });

  it("does nothing when dispatch re-invokes itself (variable already set)", async () => {
    const env: NodeJS.ProcessEnv = { ...hookContextToEnv(install), OPERATOR_DISPATCH: "1" };
    const backend = new RecordingBackend();
    const charm = new Charm({ env, backend });
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const handler = vi.fn();
    charm.on("install", handler);
    try {
      await charm.dispatch();
    } finally {
      write.mockRestore();
    }
    expect(handler).not.toHaveBeenCalled();
    expect(backend.calls).toEqual([]);
  });

  it("is off for harness-built charms (explicit context, no env)", async () => {
    const saved = process.env.OPERATOR_DISPATCH;
    process.env.OPERATOR_DISPATCH = "1";
    try {
      const { charm } = charmFor(install);
      const handler = vi.fn();
      charm.on("install", handler);
      await charm.dispatch();
      expect(handler).toHaveBeenCalledTimes(1);
    } finally {
      if (saved === undefined) delete process.env.OPERATOR_DISPATCH;
      else process.env.OPERATOR_DISPATCH = saved;
    }
  });
});

describe("runCharm", () => {
  let stderr: string[];
  let savedExitCode: typeof process.exitCode;
  beforeEach(() => {
    stderr = [];
    savedExitCode = process.exitCode;
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = savedExitCode;
  });

  it("success: setup registers, dispatch runs, exit code 0", async () => {
    const backend = new RecordingBackend();
    const code = await runCharm(
      async (charm) => {
        await Promise.resolve();
        charm.on("install", () => charm.model.setStatus("active", "ready"));
      },
      { backend, context: install },
    );
    expect(code).toBe(0);
    expect(process.exitCode).toBe(0);
    expect(backend.calls).toEqual(["status-set false active ready"]);
    expect(stderr).toEqual([]);
  });

  it("a handler error: exit code 1, '<ErrorName>: <message>' and the stack on stderr, nothing written", async () => {
    const backend = new RecordingBackend();
    const code = await runCharm(
      (charm) => {
        charm.on("relationChanged", (e) => {
          e.relation.localUnit.set("x", "y");
          throw new RemoteDataError([
            {
              relation: e.relation.ref,
              side: "provider",
              bag: "app",
              key: "endpoints",
              rule: "not valid JSON",
            },
          ]);
        });
      },
      { backend, context: relationContext("db", 3) },
    );
    expect(code).toBe(1);
    expect(process.exitCode).toBe(1);
    const text = stderr.join("");
    expect(text.split("\n")[0]).toBe(
      'RemoteDataError: db:3 provider app databag key "endpoints": not valid JSON',
    );
    expect(text).toMatch(/\n\s+at .*charm\.test\.ts/);
    expect(backend.calls.filter((c) => c.startsWith("relation-set"))).toEqual([]);
    // The header line also reaches the unit's debug-log through juju-log.
    expect(backend.calls.filter((c) => c.startsWith("juju-log"))).toHaveLength(1);
    expect(backend.calls.find((c) => c.startsWith("juju-log"))).toContain('key "endpoints": not valid JSON');
  });

  it("a missing JUJU_* variable: exit code 1 before any handler runs", async () => {
    const env = hookContextToEnv(install);
    delete env.JUJU_MODEL_UUID;
    const setup = vi.fn();
    const code = await runCharm(setup, { env, backend: new RecordingBackend() });
    expect(code).toBe(1);
    expect(setup).not.toHaveBeenCalled();
    expect(stderr.join("")).toMatch(
      /^HookContextError: missing required environment variable JUJU_MODEL_UUID\n/,
    );
  });

  it("a setup error: exit code 1, no handler runs", async () => {
    const handler = vi.fn();
    const code = await runCharm(
      (charm) => {
        charm.on("install", handler);
        throw new Error("bad config");
      },
      { backend: new RecordingBackend(), context: install },
    );
    expect(code).toBe(1);
    expect(handler).not.toHaveBeenCalled();
    expect(stderr.join("")).toMatch(/^Error: bad config\n/);
  });

  it("formats non-Error throws too", () => {
    expect(formatCharmError("plain")).toBe("Error: non-Error value thrown: plain\n");
  });
});
