import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Charm } from "@charm-relations/juju-secrets-core";
import { type HookRunner, Simulation } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  EtcdCredentialsUnavailableError,
  type EtcdInputError,
  EtcdRequirer,
  type EtcdRequirerEvents,
  type EtcdRequirerOptions,
  type EtcdState,
} from "../src/index.js";
import { etcdProviderUnitBag } from "../src/testing.js";
import {
  CREDS_1,
  CREDS_2,
  charmRunner,
  fixture,
  secretFragments,
  tempDir,
  withoutJujuKeys,
} from "./helpers.js";

const CS = "https://10.5.0.11:2379,https://10.5.0.12:2379";
const CS3 = "https://10.5.0.11:2379,https://10.5.0.12:2379,https://10.5.0.13:2379";

/** A stand-in etcd charm: each unit writes exactly `bags[unit]` (raw, unvalidated) on every hook. */
function rawProvider(bags: Record<string, Record<string, string>>): HookRunner {
  return charmRunner((charm) => {
    const write = () => {
      const want = bags[charm.unit] ?? {};
      for (const rel of charm.model.relations("db")) {
        if (!rel.active) continue;
        const current = rel.localUnit.all();
        for (const k of Object.keys(current)) if (!(k in want)) rel.localUnit.delete(k);
        rel.localUnit.update(want);
      }
    };
    for (const hook of ["configChanged", "relationCreated", "relationJoined", "relationChanged"] as const) {
      charm.on(hook, write);
    }
  });
}

interface Seen {
  unit: string;
  hook: string;
  event: keyof EtcdRequirerEvents;
  detail: string;
}

/** A requirer charm that records every event with a short detail, and its state at the end of each hook. */
function recordingRequirer(
  seen: Seen[],
  states: Record<string, EtcdState>,
  options: EtcdRequirerOptions | ((unit: string) => EtcdRequirerOptions) = {},
  extra?: (r: EtcdRequirer, charm: Charm) => void,
): HookRunner {
  return charmRunner((charm) => {
    const opts = typeof options === "function" ? options(charm.unit) : options;
    const r = new EtcdRequirer(charm, { endpoint: "etcd", ...opts });
    const push = (event: keyof EtcdRequirerEvents, detail = ""): void => {
      seen.push({ unit: charm.unit, hook: charm.context.hookName, event, detail });
    };
    r.on("connected", () => push("connected"));
    r.on("available", (e) => push("available", `${e.connection.connectionString} v=${e.connection.version}`));
    r.on("tlsAvailable", (e) =>
      push("tlsAvailable", e.credentials.cert === CREDS_1.cert ? "creds1" : "creds2"),
    );
    r.on("connectionChanged", (e) =>
      push("connectionChanged", `${e.previous?.connectionString ?? "-"} -> ${e.connection.connectionString}`),
    );
    r.on("credentialsChanged", (e) =>
      push("credentialsChanged", e.credentials.cert === CREDS_1.cert ? "creds1" : "creds2"),
    );
    r.on("unavailable", (e) => push("unavailable", e.reason));
    extra?.(r, charm);
    charm.on("updateStatus", () => {});
    for (const hook of [
      "relationCreated",
      "relationJoined",
      "relationChanged",
      "relationDeparted",
      "relationBroken",
    ] as const) {
      charm.on(hook, () => {
        states[charm.unit] = r.state;
      });
    }
  });
}

function setup(options: {
  bags: Record<string, Record<string, string>>;
  etcdUnits?: number;
  requirerUnits?: number;
  requirerOptions?: EtcdRequirerOptions | ((unit: string) => EtcdRequirerOptions);
  extra?: (r: EtcdRequirer, charm: Charm) => void;
  charmDir?: string;
}) {
  const seen: Seen[] = [];
  const states: Record<string, EtcdState> = {};
  const sim = new Simulation({ lifecycle: false });
  sim.deploy("etcd", {
    runner: rawProvider(options.bags),
    units: options.etcdUnits ?? 2,
    endpoints: { db: "provides:etcd" },
  });
  const stateRoot = tempDir();
  sim.deploy("kcp", {
    runner: recordingRequirer(
      seen,
      states,
      options.requirerOptions ?? ((unit) => ({ stateDir: join(stateRoot, unit.replace("/", "-")) })),
      options.extra,
    ),
    units: options.requirerUnits ?? 2,
    endpoints: { etcd: "requires:etcd" },
    ...(options.charmDir ? { charmDir: options.charmDir } : {}),
  });
  const rel = sim.relate("etcd:db", "kcp:etcd");
  return { sim, seen, states, rel };
}

const eventsOf = (seen: Seen[], unit: string, hook?: string) =>
  seen.filter((s) => s.unit === unit && (hook === undefined || s.hook === hook)).map((s) => s.event);

describe("EtcdRequirer states", () => {
  it("reads the fixture's provider bags as the reactive requirer observed them", async () => {
    const fx = fixture();
    const bags = Object.fromEntries(
      Object.entries(fx.provider_unit_databags).map(([u, b]) => [u, withoutJujuKeys(b)]),
    );
    const credentials: Record<string, unknown> = {};
    const { sim, states, rel } = setup({
      bags,
      etcdUnits: 3,
      extra: (r) =>
        r.on("tlsAvailable", (e) => {
          credentials[e.connection.unit] = e.credentials;
        }),
    });
    const result = await sim.settle();
    expect(result.settled).toBe(true);
    for (const unit of ["kcp/0", "kcp/1"]) {
      const observed = fx.requirer_observed["kubernetes-control-plane/0"]!;
      const s = states[unit]!;
      expect(s.connected).toBe(observed.connected);
      expect(s.available).toBe(observed.available);
      expect(s.tlsAvailable).toBe(observed.tls_available);
      expect(s.connectionString).toBe(observed.connection_string);
      expect(s.version).toBe(observed.version);
      expect(s.majorVersion).toBe(3);
      expect(s.endpoints).toEqual(observed.connection_string.split(","));
      expect(s.unit).toBe("etcd/0");
      // The requirer writes nothing at all.
      expect(sim.model.unitBag(rel, unit)).toEqual({});
    }
    expect(credentials["etcd/0"]).toEqual({
      key: bags["etcd/0"]!.client_key,
      cert: fx.requirer_observed["kubernetes-control-plane/0"]!.client_cert,
      ca: fx.requirer_observed["kubernetes-control-plane/0"]!.client_ca,
    });
    expect(sim.model.appBag(rel, "kcp")).toEqual({});
    expect(
      sim.hooks
        .filter((h) => h.unit.startsWith("kcp/"))
        .flatMap((h) => h.calls.filter((c) => c.tool === "relation-set")),
    ).toEqual([]);
  });

  it("fires state events while they hold and change events once per change", async () => {
    const bags = {
      "etcd/0": etcdProviderUnitBag({ connectionString: CS, version: "3.4.22", credentials: CREDS_1 }),
    };
    const { sim, seen, rel } = setup({ bags, etcdUnits: 1, requirerUnits: 1 });
    await sim.settle();
    expect(eventsOf(seen, "kcp/0", "etcd-relation-created")).toEqual([]);
    // joined saw the data already (etcd/0 wrote it at relation-created): everything fires once.
    expect(eventsOf(seen, "kcp/0", "etcd-relation-joined")).toEqual([
      "connected",
      "available",
      "tlsAvailable",
      "connectionChanged",
      "credentialsChanged",
    ]);
    expect(eventsOf(seen, "kcp/0", "etcd-relation-changed")).toEqual([
      "connected",
      "available",
      "tlsAvailable",
    ]);

    // A new version: connectionChanged with the previous value; credentials unchanged.
    bags["etcd/0"] = { ...bags["etcd/0"], version: "3.5.9" };
    await sim.runHook("etcd/0", "config-changed");
    seen.length = 0;
    await sim.settle();
    expect(seen.map((s) => s.event)).toEqual(["connected", "available", "tlsAvailable", "connectionChanged"]);
    expect(seen.find((s) => s.event === "available")?.detail).toBe(`${CS} v=3.5.9`);

    // Rotation of the shared client certificate: credentialsChanged only.
    bags["etcd/0"] = etcdProviderUnitBag({ connectionString: CS, version: "3.5.9", credentials: CREDS_2 });
    await sim.runHook("etcd/0", "config-changed");
    seen.length = 0;
    await sim.settle();
    expect(seen.map((s) => `${s.event} ${s.detail}`)).toEqual([
      "connected ",
      `available ${CS} v=3.5.9`,
      "tlsAvailable creds2",
      "credentialsChanged creds2",
    ]);

    // Scale-out of etcd: the string grows.
    bags["etcd/0"] = etcdProviderUnitBag({ connectionString: CS3, version: "3.5.9", credentials: CREDS_2 });
    await sim.runHook("etcd/0", "config-changed");
    seen.length = 0;
    await sim.settle();
    expect(seen.filter((s) => s.event === "connectionChanged").map((s) => s.detail)).toEqual([
      `${CS} -> ${CS3}`,
    ]);
    expect(rel).toBeGreaterThanOrEqual(0);
  });

  it("takes the first unit in numeric order that has a connection string; TLS only from that unit", async () => {
    const bags: Record<string, Record<string, string>> = {
      "etcd/2": etcdProviderUnitBag({ connectionString: "https://10.0.0.2:2379" }),
      "etcd/10": etcdProviderUnitBag({
        connectionString: "https://10.0.0.10:2379",
        version: "3.4.22",
        credentials: CREDS_1,
      }),
    };
    const { sim, states } = setup({ bags, etcdUnits: 11, requirerUnits: 1 });
    expect((await sim.settle()).settled).toBe(true);
    const s = states["kcp/0"]!;
    expect(s.unit).toBe("etcd/2");
    expect(s.connectionString).toBe("https://10.0.0.2:2379");
    expect(s.version).toBe("");
    expect(s.majorVersion).toBe(2);
    expect(s.tlsAvailable).toBe(false);
    // The units disagree: a warning names the units and keys, never a value.
    const warnings = sim.model.logs("kcp/0").filter((l) => l.level === "WARNING");
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.at(-1)?.message).toContain(
      "etcd units on etcd disagree; using etcd/2; differing: etcd/10 (connection_string, version, client_ca, client_cert, client_key)",
    );
    for (const l of sim.model.logs()) for (const f of secretFragments()) expect(l.message).not.toContain(f);
  });

  it("works from the unit bags of a second relation (another etcd app)", async () => {
    const bags = { "etcd/0": {}, "etcd2/0": etcdProviderUnitBag({ connectionString: CS }) };
    const { sim, states } = setup({ bags, etcdUnits: 1, requirerUnits: 1 });
    sim.deploy("etcd2", { runner: rawProvider(bags), units: 1, endpoints: { db: "provides:etcd" } });
    await sim.settle();
    expect(states["kcp/0"]?.available).toBe(false);
    sim.relate("etcd2:db", "kcp:etcd");
    await sim.settle();
    expect(states["kcp/0"]).toMatchObject({
      connected: true,
      available: true,
      unit: "etcd2/0",
      connectionString: CS,
    });
  });
});

describe("EtcdRequirer departures (the reactive layer drops every flag; we recompute)", () => {
  const bags = () => ({
    "etcd/0": etcdProviderUnitBag({ connectionString: CS, version: "3.4.22", credentials: CREDS_1 }),
    "etcd/1": etcdProviderUnitBag({ connectionString: CS, version: "3.4.22", credentials: CREDS_1 }),
  });

  it("an etcd unit leaving keeps the requirer available from the remaining unit", async () => {
    const { sim, seen, states } = setup({ bags: bags() });
    await sim.settle();
    seen.length = 0;
    sim.removeUnit("etcd/0");
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    for (const unit of ["kcp/0", "kcp/1"]) {
      expect(eventsOf(seen, unit, "etcd-relation-departed")).toEqual([
        "connected",
        "available",
        "tlsAvailable",
      ]);
      expect(states[unit]).toMatchObject({
        connected: true,
        available: true,
        tlsAvailable: true,
        unit: "etcd/1",
      });
    }
    expect(seen.some((s) => s.event === "unavailable" || s.event === "connectionChanged")).toBe(false);
  });

  it("the last etcd unit leaving makes it unavailable (no-provider-units)", async () => {
    const { sim, seen, states } = setup({ bags: bags(), etcdUnits: 1 });
    await sim.settle();
    seen.length = 0;
    sim.removeUnit("etcd/0");
    await sim.settle();
    for (const unit of ["kcp/0", "kcp/1"]) {
      expect(seen.filter((s) => s.unit === unit).map((s) => `${s.event} ${s.detail}`)).toEqual([
        "unavailable no-provider-units",
      ]);
      expect(states[unit]).toMatchObject({ connected: false, available: false, tlsAvailable: false });
    }
    // A new etcd unit (etcd/1 publishes in this bag set) brings it back: connectionChanged again.
    expect(sim.addUnit("etcd")).toBe("etcd/1");
    seen.length = 0;
    await sim.settle();
    expect(states["kcp/0"]).toMatchObject({ available: true, unit: "etcd/1" });
    expect(
      seen.filter((s) => s.unit === "kcp/0" && s.event === "connectionChanged").map((s) => s.detail),
    ).toEqual([`- -> ${CS}`]);
  });

  it("this unit departing counts as gone even while etcd units remain", async () => {
    const { sim, seen, states } = setup({ bags: bags() });
    await sim.settle();
    seen.length = 0;
    sim.removeUnit("kcp/1");
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    const mine = seen.filter((s) => s.unit === "kcp/1");
    expect(mine.map((s) => `${s.hook} ${s.event} ${s.detail}`)).toEqual([
      "etcd-relation-departed unavailable this-unit-departing",
      "etcd-relation-departed unavailable this-unit-departing",
      "etcd-relation-broken unavailable relation-broken",
    ]);
    expect(states["kcp/1"]).toMatchObject({ connected: false, available: false });
    expect(seen.filter((s) => s.unit === "kcp/0")).toEqual([]);
  });

  it("removing the relation: unavailable on every requirer unit, nothing fails", async () => {
    const { sim, seen, rel } = setup({ bags: bags() });
    await sim.settle();
    seen.length = 0;
    sim.removeRelation(rel);
    const result = await sim.settle();
    expect(result.failed).toEqual([]);
    for (const unit of ["kcp/0", "kcp/1"]) {
      // etcd/0 departs first (etcd/1 still serves), then etcd/1 (gone), then broken.
      expect(
        seen.filter((s) => s.unit === unit && s.event === "unavailable").map((s) => `${s.hook} ${s.detail}`),
      ).toEqual(["etcd-relation-departed no-provider-units", "etcd-relation-broken relation-broken"]);
      expect(
        seen.filter((s) => s.unit === unit && s.hook === "etcd-relation-broken").map((s) => s.event),
      ).toEqual(["unavailable"]);
    }
  });
});

describe("EtcdRequirer hostile input", () => {
  it("a malformed key is reported (blocked status naming unit and key) and ignored", async () => {
    const bags = {
      "etcd/0": {
        ...etcdProviderUnitBag({ connectionString: CS, credentials: CREDS_1 }),
        client_cert: "garbage",
      },
    };
    const { sim, states } = setup({ bags, etcdUnits: 1, requirerUnits: 1 });
    await sim.settle();
    expect(states["kcp/0"]).toMatchObject({ available: true, tlsAvailable: false, connectionString: CS });
    const status = sim.model.unitStatus("kcp/0");
    expect(status.status).toBe("blocked");
    expect(status.message).toMatch(
      /^etcd\/0: etcd:\d+ provider unit databag key "client_cert": expected a PEM certificate/,
    );
    expect(status.message).not.toContain("garbage");
  });

  it("without a listener the block outlives the charm's own evaluators until the bag is fixed", async () => {
    const bad = { ...etcdProviderUnitBag({ connectionString: CS, credentials: CREDS_1 }), client_cert: "x" };
    const bags: Record<string, Record<string, string>> = { "etcd/0": bad };
    const { sim } = setup({
      bags,
      etcdUnits: 1,
      requirerUnits: 1,
      extra: (_r, charm) => charm.on("collectStatus", (e) => e.add("active", "ready")),
    });
    await sim.settle();
    expect(sim.model.unitStatus("kcp/0").status).toBe("blocked");
    await sim.runHook("kcp/0", "update-status");
    expect(sim.model.unitStatus("kcp/0").status).toBe("blocked");
    bags["etcd/0"] = etcdProviderUnitBag({ connectionString: CS, credentials: CREDS_1 });
    await sim.runHook("etcd/0", "config-changed");
    await sim.settle();
    expect(sim.model.unitStatus("kcp/0")).toEqual({ status: "active", message: "ready" });
  });

  it("with an invalid listener, the event carries the typed error and no status is set", async () => {
    const errors: { unit: string; key: string | undefined; message: string }[] = [];
    const bags = {
      "etcd/0": {
        connection_string: "10.5.0.11:2379",
        client_key: CREDS_1.key.replace("PRIVATE KEY-----", "PRIVATE"),
      },
      "etcd/1": etcdProviderUnitBag({ connectionString: CS }),
    };
    const { sim, states } = setup({
      bags,
      requirerUnits: 1,
      extra: (r) =>
        r.on("invalid", (e) => {
          errors.push({ unit: e.unit, key: e.error.key, message: e.error.message });
        }),
    });
    await sim.settle();
    expect(states["kcp/0"]).toMatchObject({ available: true, unit: "etcd/1", connectionString: CS });
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => `${e.unit} ${e.key}`))).toEqual(new Set(["etcd/0 connection_string"]));
    const issues = errors[0]!.message;
    expect(issues).toContain("(and 1 more)");
    for (const e of errors) for (const f of secretFragments()) expect(e.message).not.toContain(f);
    expect(sim.model.unitStatus("kcp/0").status).not.toBe("blocked");
  });

  it("an empty connection string is not available (charmed-kubernetes/bundle#311)", async () => {
    const bags = {
      "etcd/0": {
        version: "3.4.22",
        client_ca: CREDS_1.ca,
        client_cert: CREDS_1.cert,
        client_key: CREDS_1.key,
      },
    };
    const { sim, states, seen } = setup({ bags, etcdUnits: 1, requirerUnits: 1 });
    await sim.settle();
    expect(states["kcp/0"]).toMatchObject({ connected: true, available: false, tlsAvailable: false });
    expect(seen.map((s) => s.event).filter((e) => e !== "connected")).toEqual([]);
  });
});

describe("EtcdRequirer change tracking", () => {
  const bags = () => ({
    "etcd/0": etcdProviderUnitBag({ connectionString: CS, version: "3.4.22", credentials: CREDS_1 }),
  });

  it("a hook failing after the event does not swallow the change: the retry reports it again", async () => {
    let fail = true;
    const { sim, seen } = setup({
      bags: bags(),
      etcdUnits: 1,
      requirerUnits: 1,
      // The charm's own handler runs after the library's and fails: Juju discards the whole hook.
      extra: (_r, charm) =>
        charm.on("relationJoined", () => {
          if (fail) throw new Error("workload not ready");
        }),
    });
    const first = await sim.settle();
    expect(first.failed.map((f) => f.unit)).toEqual(["kcp/0"]);
    fail = false;
    sim.resolve("kcp/0", { retry: true });
    seen.length = 0;
    expect((await sim.settle()).settled).toBe(true);
    expect(seen.filter((s) => s.event === "connectionChanged").length).toBe(1);
    seen.length = 0;
    await sim.runHook("kcp/0", "relation-changed", { relationId: 0, remoteUnit: "etcd/0" });
    expect(seen.some((s) => s.event === "connectionChanged")).toBe(false);
  });

  it("keeps its state file under the charm dir by default, one per unit, without any PEM", async () => {
    const charmDir = tempDir("etcd-charm-");
    const { sim } = setup({ bags: bags(), etcdUnits: 1, requirerOptions: {}, charmDir });
    await sim.settle();
    const dir = join(charmDir, ".charm-relations");
    expect(readdirSync(dir).sort()).toEqual([
      "etcd-requirer.etcd.kcp-0.json",
      "etcd-requirer.etcd.kcp-1.json",
    ]);
    const text = readFileSync(join(dir, "etcd-requirer.etcd.kcp-0.json"), "utf8");
    expect(JSON.parse(text)).toMatchObject({ available: true, connectionString: CS, etcdVersion: "3.4.22" });
    expect(text).not.toContain("BEGIN");
    expect(statSync(join(dir, "etcd-requirer.etcd.kcp-0.json")).mode & 0o777).toBe(0o600);
  });

  it("without a state folder every relation hook with data counts as a change", async () => {
    const { sim, seen } = setup({
      bags: bags(),
      etcdUnits: 1,
      requirerUnits: 1,
      requirerOptions: { stateDir: false },
    });
    await sim.settle();
    const count = (e: string) => seen.filter((s) => s.event === e).length;
    expect(count("available")).toBeGreaterThan(1);
    expect(count("connectionChanged")).toBe(count("available"));
    expect(count("credentialsChanged")).toBe(count("available"));
  });

  it("a damaged state file is ignored with a warning", async () => {
    const stateDir = tempDir();
    writeFileSync(join(stateDir, "etcd-requirer.etcd.kcp-0.json"), "{not json");
    const { sim, seen } = setup({
      bags: bags(),
      etcdUnits: 1,
      requirerUnits: 1,
      requirerOptions: { stateDir },
    });
    await sim.settle();
    expect(seen.filter((s) => s.event === "connectionChanged").length).toBe(1);
    expect(
      sim.model
        .logs("kcp/0")
        .some((l) => l.level === "WARNING" && l.message.includes("unreadable state file")),
    ).toBe(true);
  });
});

describe("saveClientCredentials", () => {
  function withRequirer(bag: Record<string, string>, act: (r: EtcdRequirer) => void) {
    return setup({
      bags: { "etcd/0": bag },
      etcdUnits: 1,
      requirerUnits: 1,
      extra: (r) => r.on("connected", () => act(r)),
    });
  }

  it("writes 0600 files, creating parent folders; reports whether anything changed", async () => {
    const dir = tempDir();
    const paths = {
      key: join(dir, "a/b/client-key.pem"),
      cert: join(dir, "c/client-cert.pem"),
      ca: join(dir, "client-ca.pem"),
    };
    const results: boolean[] = [];
    const { sim } = withRequirer(etcdProviderUnitBag({ connectionString: CS, credentials: CREDS_1 }), (r) => {
      results.push(r.saveClientCredentials(paths).changed);
    });
    await sim.settle();
    expect(results[0]).toBe(true);
    expect(results.slice(1).every((c) => c === false)).toBe(true);
    expect(readFileSync(paths.key, "utf8")).toBe(CREDS_1.key);
    expect(readFileSync(paths.cert, "utf8")).toBe(CREDS_1.cert);
    expect(readFileSync(paths.ca, "utf8")).toBe(CREDS_1.ca);
    for (const p of Object.values(paths)) expect(statSync(p).mode & 0o777).toBe(0o600);
    // The set lives in one store next to the key; no temporary file is left anywhere.
    expect(readdirSync(join(dir, "a/b")).sort()).toEqual([".etcd-client-credentials", "client-key.pem"]);
    expect(readdirSync(join(dir, "c"))).toEqual(["client-cert.pem"]);
  });

  it("accepts the reactive positional order (key, cert, ca), skips empty paths, tightens a loose mode", async () => {
    const dir = tempDir();
    const key = join(dir, "k.pem");
    writeFileSync(key, CREDS_1.key, { mode: 0o644 });
    let out: ReturnType<EtcdRequirer["saveClientCredentials"]> | undefined;
    const { sim } = withRequirer(etcdProviderUnitBag({ connectionString: CS, credentials: CREDS_1 }), (r) => {
      out = r.saveClientCredentials(key, "", join(dir, "ca.pem"));
    });
    await sim.settle();
    expect(out).toEqual({ changed: false, paths: { key, ca: join(dir, "ca.pem") } });
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "ca.pem"), "utf8")).toBe(CREDS_1.ca);
  });

  it("typed errors: nothing published, no path, the same path twice", async () => {
    const dir = tempDir();
    const errors: unknown[] = [];
    const { sim } = withRequirer(etcdProviderUnitBag({ connectionString: CS }), (r) => {
      for (const call of [
        () => r.saveClientCredentials({ key: join(dir, "k"), cert: join(dir, "c"), ca: join(dir, "a") }),
        () => r.saveClientCredentials({}),
        () => r.saveClientCredentials({ key: join(dir, "same"), cert: join(dir, "same") }),
        () => r.saveClientCredentials({ key: 3 as unknown as string }),
      ]) {
        try {
          call();
        } catch (e) {
          errors.push(e);
        }
      }
    });
    await sim.settle();
    expect(errors[0]).toBeInstanceOf(EtcdCredentialsUnavailableError);
    expect((errors[1] as EtcdInputError).field).toBe("paths");
    expect((errors[2] as EtcdInputError).field).toBe("paths");
    expect((errors[3] as EtcdInputError).field).toBe("paths.key");
    expect(existsSync(join(dir, "k"))).toBe(false);
  });

  it("a file that cannot be written leaves the other files untouched", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "blocker"), "a file where a folder is needed");
    const paths = { key: join(dir, "key.pem"), cert: join(dir, "blocker/cert.pem") };
    const errors: unknown[] = [];
    const { sim } = withRequirer(etcdProviderUnitBag({ connectionString: CS, credentials: CREDS_1 }), (r) => {
      try {
        r.saveClientCredentials(paths);
      } catch (e) {
        errors.push(e);
      }
    });
    await sim.settle();
    expect(errors[0]).toMatchObject({ name: "EtcdFileError", path: join(dir, "blocker") });
    expect(existsSync(paths.key)).toBe(false);
    expect(readdirSync(dir)).toEqual(["blocker"]);
  });
});
