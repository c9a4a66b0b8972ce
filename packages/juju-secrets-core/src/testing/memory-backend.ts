/**
 * `MemoryBackend`: one unit's hook session over a `JujuModel`, with Juju's semantics.
 *
 * - Relation writes, secret creates/updates/grants/revokes/removals and secret tracking moves go to a
 *   working copy of the relations and secrets taken when the hook starts; `commit()` applies them
 *   (Juju: exit 0), `rollback()` drops them. Status, workload version and juju-log apply at once.
 * - Reads of this unit's bag and of this app's bag by the leader see the working copy (read-your-writes);
 *   everything else is the snapshot taken at hook start.
 * - Failures are built from Juju's exact stderr (`ERROR <message>`, exit 1 at run time, 2 for
 *   argument errors) and classified by `classifyHookToolFailure`, so callers get the same typed
 *   errors, with the same text, as from the real tools.
 * - Every call is logged in the model (tool + ops-like argv; secret values never appear).
 *
 * The hook-tool fakes (`hook-tool-cli.ts`) drive this same class from a state file.
 */

import { encodeRelationSettings } from "../backend/settings-file.js";
import type {
  Backend,
  Databag,
  LogLevel,
  NetworkInfo,
  RelationRef,
  RotatePolicy,
  SecretAccess,
  SecretAddOptions,
  SecretGetOptions,
  SecretInfo,
  SecretSetOptions,
  StatusInfo,
  StatusName,
} from "../backend/types.js";
import {
  CharmRelationsError,
  classifyHookToolFailure,
  describeShape,
  type HookToolError,
  SecretContentError,
} from "../errors.js";
import type { HookKind } from "../hook/types.js";
import type { UnitLocalState } from "../model/unit-state.js";
import { JujuYamlError, unmarshalStringMap } from "./juju-yaml.js";
import {
  appOfUnit,
  cloneJson,
  isAppName,
  isModelUuid,
  isUnitName,
  type JujuModel,
  type ModelState,
  type RelationState,
  type SecretState,
  type StatusRecord,
  sameJson,
  secretXid,
  unitTag,
} from "./model.js";
import { memoryUnitState } from "./unit-files.js";

export interface MemoryBackendOptions {
  /** The unit running the hook. */
  readonly unit: string;
  /** The hook's relation: the default for `-r`, and hidden from relation-ids in relation-broken. */
  readonly relation?: RelationRef;
  readonly remoteUnit?: string;
  readonly remoteApp?: string;
  readonly departingUnit?: string;
  readonly hookName?: string;
  readonly kind?: HookKind;
  /** Log calls in the model (default true; the CLI fakes log their real argv instead). */
  readonly recordCalls?: boolean;
}

/** The serialisable part of a session: who runs the hook and its pending changes. */
export interface SessionState {
  unit: string;
  relation?: { endpoint: string; id: number };
  remoteUnit?: string;
  remoteApp?: string;
  departingUnit?: string;
  hookName?: string;
  kind?: HookKind;
  working: { relations: ModelState["relations"]; secrets: ModelState["secrets"] };
}

export interface BagChange {
  relationId: number;
  bag: "app" | "unit";
  /** App name for an app bag, unit name for a unit bag. */
  owner: string;
  /** Keys set (new or changed), with their new values. */
  set: Record<string, string>;
  deleted: string[];
}

/** What a commit applied (secret content never included). */
export interface CommitResult {
  databags: BagChange[];
  secrets: {
    created: string[];
    /** New revisions. */
    updated: { xid: string; revision: number }[];
    /** Label, description, expiry, rotation or grants changed without a new revision. */
    metadataUpdated: string[];
    removed: string[];
    revisionsRemoved: { xid: string; revision: number }[];
    tracking: { xid: string; unit: string; revision: number }[];
  };
}

const STATUSES: readonly string[] = ["maintenance", "blocked", "waiting", "active"];
const ROTATE_POLICIES: readonly string[] = [
  "never",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "quarterly",
  "yearly",
];
const SECRET_KEY_RE = /^([a-z](?:-?[a-z0-9]){2,})$/;
const MAX_SECRET_BYTES = 1_000_000;
const REDACTED = "<redacted>";

/** Thrown for a Juju-style failure: exit code + message, turned into the typed error by the caller. */
class JujuFailure extends Error {
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

function fail(exitCode: 1 | 2, message: string): never {
  throw new JujuFailure(exitCode, message);
}

/** Build the typed error Juju's stderr would produce for this call. */
export function jujuToolError(
  tool: string,
  argv: readonly string[],
  exitCode: number,
  message: string,
): HookToolError {
  return classifyHookToolFailure({
    tool,
    argv: [...argv],
    exitCode,
    stdout: "",
    stderr: `ERROR ${message}\n`,
  });
}

const base64Length = (value: string): number => 4 * Math.ceil(Buffer.byteLength(value, "utf8") / 3);

/** Parse `--expire`: RFC 3339, `YYYY-MM-DDTHH:MM:SS` (UTC), or a positive Go duration. */
function parseExpire(spec: string, now: Date = new Date()): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(spec)) {
    const t = new Date(spec);
    if (!Number.isNaN(t.getTime())) return t.toISOString().replace(".000Z", "Z");
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(spec)) {
    const t = new Date(`${spec}Z`);
    if (!Number.isNaN(t.getTime())) return t.toISOString().replace(".000Z", "Z");
  }
  const ms = goDurationMs(spec);
  if (ms === undefined) return fail(2, `expire time or duration "${spec}" not valid`);
  if (ms <= 0) return fail(2, `negative expire duration "${spec}" not valid`);
  return new Date(now.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const DURATION_UNITS: readonly [string, number][] = [
  ["ns", 1e-6],
  ["us", 1e-3],
  ["µs", 1e-3],
  ["ms", 1],
  ["s", 1e3],
  ["m", 60e3],
  ["h", 3600e3],
];

/** A Go duration (`90m`, `1h30m`, `1.5h`) in milliseconds, read left to right; `-` gives ≤ 0. */
function goDurationMs(spec: string): number | undefined {
  let i = spec[0] === "+" || spec[0] === "-" ? 1 : 0;
  const sign = spec[0] === "-" ? -1 : 1;
  let total = 0;
  let parts = 0;
  const digits = (from: number) => {
    let j = from;
    while (j < spec.length && spec[j]! >= "0" && spec[j]! <= "9") j++;
    return j;
  };
  while (i < spec.length) {
    let j = digits(i);
    if (j === i) return undefined;
    if (spec[j] === ".") j = digits(j + 1);
    const unit = DURATION_UNITS.filter(([u]) => spec.startsWith(u, j)).sort(
      (a, b) => b[0].length - a[0].length,
    )[0];
    if (!unit) return undefined;
    total += Number.parseFloat(spec.slice(i, j)) * unit[1];
    i = j + unit[0].length;
    parts++;
  }
  return parts === 0 ? undefined : sign * total;
}

/** Juju's relation key (requirer first) as a relation tag: `relation-wordpress.db#mysql.server`. */
function relationTag(model: JujuModel, rel: RelationState): string {
  const role = (e: { app: string; endpoint: string }): string =>
    model.state.applications[e.app]?.endpoints[e.endpoint]?.role ?? "";
  const eps = [...rel.endpoints].sort((a, b) => {
    if (role(a) === role(b)) return a.app < b.app ? -1 : 1;
    return role(a) === "requires" ? -1 : 1;
  });
  return `relation-${eps.map((e) => `${e.app}.${e.endpoint}`).join("#")}`;
}

/** Open sessions per model: a commit detaches what they still share with it before changing it. */
const openSessions = new WeakMap<JujuModel, Set<MemoryBackend>>();

export class MemoryBackend implements Backend {
  readonly model: JujuModel;
  readonly unit: string;
  readonly app: string;
  readonly #options: MemoryBackendOptions;
  #working: SessionState["working"];
  /**
   * Working-copy entries still shared with the model, copied on this session's first write to them:
   * a hook touches a few relations and secrets, so copying all of them per hook made every hook O(model).
   */
  #shared: { relations: Set<string>; secrets: Set<string> };
  #state: "open" | "committed" | "rolled-back" = "open";

  constructor(model: JujuModel, options: MemoryBackendOptions) {
    if (!model.hasUnit(options.unit)) throw new CharmRelationsError(`no unit "${options.unit}" in the model`);
    this.model = model;
    this.unit = options.unit;
    this.app = appOfUnit(options.unit);
    this.#options = options;
    const { relations, secrets } = model.state;
    this.#working = { relations: { ...relations }, secrets: { ...secrets } };
    this.#shared = { relations: new Set(Object.keys(relations)), secrets: new Set(Object.keys(secrets)) };
    const open = openSessions.get(model) ?? new Set<MemoryBackend>();
    openSessions.set(model, open.add(this));
  }

  /** Work on private copies from now on (the working copy came from a state file). */
  #ownAll(working: SessionState["working"]): void {
    this.#working = working;
    this.#shared = { relations: new Set(), secrets: new Set() };
  }

  /** This session's own copy of a relation, made on its first write (copy-on-write). */
  #writableRelation(key: string): RelationState {
    const rel = this.#working.relations[key]!;
    if (!this.#shared.relations.delete(key)) return rel;
    const copy = cloneJson(rel);
    this.#working.relations[key] = copy;
    return copy;
  }

  /** This session's own copy of a secret, made on its first write (copy-on-write). */
  #writableSecret(xid: string): SecretState {
    const secret = this.#working.secrets[xid]!;
    if (!this.#shared.secrets.delete(xid)) return secret;
    const copy = cloneJson(secret);
    this.#working.secrets[xid] = copy;
    return copy;
  }

  #close(state: "committed" | "rolled-back"): void {
    this.#state = state;
    openSessions.get(this.model)?.delete(this);
  }

  /** Continue a session saved by `exportSession()` (the hook-tool fakes do this on every call). */
  static resume(
    model: JujuModel,
    session: SessionState,
    options: { recordCalls?: boolean } = {},
  ): MemoryBackend {
    const backend = new MemoryBackend(model, {
      ...MemoryBackend.#optionsOf(session),
      ...(options.recordCalls !== undefined ? { recordCalls: options.recordCalls } : {}),
    });
    backend.#ownAll(cloneJson(session.working));
    return backend;
  }

  static #optionsOf(session: SessionState): MemoryBackendOptions {
    const o: { -readonly [K in keyof MemoryBackendOptions]: MemoryBackendOptions[K] } = {
      unit: session.unit,
    };
    if (session.relation) o.relation = { ...session.relation };
    if (session.remoteUnit !== undefined) o.remoteUnit = session.remoteUnit;
    if (session.remoteApp !== undefined) o.remoteApp = session.remoteApp;
    if (session.departingUnit !== undefined) o.departingUnit = session.departingUnit;
    if (session.hookName !== undefined) o.hookName = session.hookName;
    if (session.kind !== undefined) o.kind = session.kind;
    return o;
  }

  exportSession(): SessionState {
    const o = this.#options;
    const s: SessionState = { unit: this.unit, working: cloneJson(this.#working) };
    if (o.relation) s.relation = { endpoint: o.relation.endpoint, id: o.relation.id };
    if (o.remoteUnit !== undefined) s.remoteUnit = o.remoteUnit;
    if (o.remoteApp !== undefined) s.remoteApp = o.remoteApp;
    if (o.departingUnit !== undefined) s.departingUnit = o.departingUnit;
    if (o.hookName !== undefined) s.hookName = o.hookName;
    if (o.kind !== undefined) s.kind = o.kind;
    return s;
  }

  /**
   * Take back a session a child process worked on (state file written by the fakes): the model's
   * immediate effects (calls, logs, status, counters) and the session's pending changes.
   */
  adopt(model: ModelState, session: SessionState): void {
    this.#ensureOpen();
    if (session.unit !== this.unit) {
      throw new CharmRelationsError(`state file session is for ${session.unit}, not ${this.unit}`);
    }
    this.model.state = cloneJson(model);
    this.#ownAll(cloneJson(session.working));
  }

  /** This unit's charm-dir files in the model: what the runtime uses when the hook has no charm dir. */
  get unitState(): UnitLocalState {
    return memoryUnitState(this.model, this.unit);
  }

  /** The hook context as the tools see it (defaults for `-r` and relation-get's unit). */
  get options(): MemoryBackendOptions {
    return this.#options;
  }

  get isOpen(): boolean {
    return this.#state === "open";
  }

  // ------------------------------------------------------------------------------------------
  // Session end

  /** Apply the hook's buffered changes (Juju: the hook exited 0). */
  commit(): CommitResult {
    this.#ensureOpen();
    const base = this.model.state;
    const result: CommitResult = {
      databags: [],
      secrets: {
        created: [],
        updated: [],
        metadataUpdated: [],
        removed: [],
        revisionsRemoved: [],
        tracking: [],
      },
    };
    const leader = this.model.isLeader(this.unit);
    for (const [key, wr] of Object.entries(this.#working.relations)) {
      const br = base.relations[key];
      if (!br || br === wr) continue; // still shared: this session never wrote to it
      const bags: [
        BagChange["bag"],
        string,
        Record<string, Record<string, string>>,
        Record<string, Record<string, string>>,
      ][] = [["unit", this.unit, br.unitData, wr.unitData]];
      if (leader) bags.push(["app", this.app, br.appData, wr.appData]);
      for (const [bag, owner, baseBags, workBags] of bags) {
        const before = baseBags[owner] ?? {};
        const after = workBags[owner] ?? {};
        const set = Object.fromEntries(
          Object.entries(after).filter(([k, v]) => !Object.hasOwn(before, k) || before[k] !== v),
        );
        const deleted = Object.keys(before).filter((k) => !Object.hasOwn(after, k));
        if (Object.keys(set).length === 0 && deleted.length === 0) continue;
        // Other open sessions keep reading the relation as it was when their hook started.
        for (const other of openSessions.get(this.model) ?? []) other.#detachRelation(key);
        baseBags[owner] = { ...after };
        result.databags.push({ relationId: br.id, bag, owner, set, deleted });
      }
    }
    const xids = new Set([...Object.keys(base.secrets), ...Object.keys(this.#working.secrets)]);
    for (const xid of xids) {
      const b = base.secrets[xid];
      const w = this.#working.secrets[xid];
      // Never written here: nothing to apply, and a newer commit by another session must stay.
      if (b === w || this.#shared.secrets.has(xid)) continue;
      if (!b && w) {
        base.secrets[xid] = cloneJson(w);
        result.secrets.created.push(xid);
      } else if (b && !w) {
        delete base.secrets[xid];
        result.secrets.removed.push(xid);
      } else if (b && w && !sameJson(b, w)) {
        if (w.latestRevision > b.latestRevision)
          result.secrets.updated.push({ xid, revision: w.latestRevision });
        for (const r of w.removedRevisions) {
          if (!b.removedRevisions.includes(r)) result.secrets.revisionsRemoved.push({ xid, revision: r });
        }
        for (const [unit, r] of Object.entries(w.tracking)) {
          if (b.tracking[unit] !== r) result.secrets.tracking.push({ xid, unit, revision: r });
        }
        const meta = (s: SecretState) => [
          s.label,
          s.description,
          s.expiry,
          s.rotation,
          s.grants,
          s.consumerLabels,
        ];
        if (!sameJson(meta(b), meta(w))) result.secrets.metadataUpdated.push(xid);
        base.secrets[xid] = cloneJson(w);
      }
    }
    this.#close("committed");
    return result;
  }

  /** A commit elsewhere is about to change this relation: keep seeing it as it was. */
  #detachRelation(key: string): void {
    if (this.#shared.relations.has(key)) this.#writableRelation(key);
  }

  /** Drop the hook's buffered changes (Juju: the hook failed). Status and logs stay. */
  rollback(): void {
    this.#ensureOpen();
    this.#close("rolled-back");
  }

  #ensureOpen(): void {
    if (this.#state !== "open")
      throw new CharmRelationsError(`hook session of ${this.unit} is already ${this.#state}`);
  }

  // ------------------------------------------------------------------------------------------
  // Call plumbing

  #run<T>(tool: string, argv: readonly string[], fn: () => T): T {
    this.#ensureOpen();
    let exitCode: number | undefined = 0;
    try {
      return fn();
    } catch (e) {
      if (e instanceof JujuFailure) {
        exitCode = e.exitCode;
        throw jujuToolError(tool, argv, e.exitCode, e.message);
      }
      // A client-side check (like ProcessBackend's) failed: the tool would never have run.
      exitCode = undefined;
      throw e;
    } finally {
      if (exitCode !== undefined && (this.#options.recordCalls ?? true)) {
        this.model.recordCall({ unit: this.unit, ...this.#hookField(), tool, argv: [...argv], exitCode });
      }
    }
  }

  #hookField(): { hook?: string } {
    return this.#options.hookName !== undefined ? { hook: this.#options.hookName } : {};
  }

  /** Run a tool-level operation on behalf of the CLI fakes (their argv is logged by them). */
  invoke<T>(tool: string, argv: readonly string[], fn: () => T): T {
    return this.#run(tool, argv, fn);
  }

  // ------------------------------------------------------------------------------------------
  // Relations

  /** The relation as this unit sees it in this hook, or undefined (Juju: "relation not found"). */
  resolveRelation(id: number): RelationRef | undefined {
    const rel = this.#working.relations[String(id)];
    if (!rel || !this.model.state.relations[String(id)]) return undefined;
    const ep = rel.endpoints.find((e) => e.app === this.app);
    if (!ep) return undefined;
    const isHookRelation = this.#options.relation?.id === id;
    if (rel.left.includes(this.unit) && !isHookRelation) return undefined;
    return { endpoint: ep.endpoint, id };
  }

  #relation(ref: RelationRef, flag: string, value: string): RelationState {
    if (!this.resolveRelation(ref.id))
      fail(2, `invalid value "${value}" for option ${flag}: relation not found`);
    return this.#working.relations[String(ref.id)]!;
  }

  #relationArg(ref: RelationRef): string {
    return `${ref.endpoint}:${ref.id}`;
  }

  #isBroken(rel: RelationState): boolean {
    return (
      rel.left.includes(this.unit) ||
      (this.#options.kind === "relation-broken" && this.#options.relation?.id === rel.id)
    );
  }

  relationIds(endpoint: string): number[] {
    return this.#run("relation-ids", [endpoint, "--format=json"], () =>
      Object.values(this.#working.relations)
        .filter((r) => r.endpoints.some((e) => e.app === this.app && e.endpoint === endpoint))
        .filter((r) => this.model.state.relations[String(r.id)] && !this.#isBroken(r))
        .map((r) => r.id)
        .sort((a, b) => a - b),
    );
  }

  relationList(relation: RelationRef): string[] {
    const arg = this.#relationArg(relation);
    return this.#run("relation-list", ["--format=json", "-r", arg], () => {
      const rel = this.#relation(relation, "-r", arg);
      if (this.#isBroken(rel)) return [];
      return [...(rel.members[this.unit] ?? [])].sort(byUnitNumber);
    });
  }

  relationRemoteApp(relation: RelationRef): string | null {
    const arg = this.#relationArg(relation);
    return this.#run("relation-list", ["--format=json", "--app", "-r", arg], () =>
      this.model.remoteAppOf(this.#relation(relation, "-r", arg), this.app),
    );
  }

  relationGet(relation: RelationRef, unitOrApp: string, isApp: boolean): Record<string, string> {
    const arg = this.#relationArg(relation);
    const argv = ["--format=json", "-r", arg, ...(isApp ? ["--app"] : []), "-", unitOrApp];
    return this.#run("relation-get", argv, () => {
      const rel = this.#relation(relation, "-r", arg);
      let name = unitOrApp;
      if (isApp) {
        if (isUnitName(name)) name = appOfUnit(name);
        else if (!isAppName(name)) fail(2, `invalid application name "${name}"`);
      } else if (!isUnitName(name)) {
        fail(
          2,
          isAppName(name)
            ? `expected unit name, got application name "${name}"`
            : `invalid unit name "${name}"`,
        );
      }
      const app = isApp ? name : appOfUnit(name);
      if (!rel.endpoints.some((e) => e.app === app)) fail(1, "permission denied");
      if (isApp) {
        // A non-leader may not read its own app bag, except in a peer relation.
        if (app === this.app && rel.endpoints.length === 2 && !this.model.isLeader(this.unit)) {
          fail(1, "permission denied");
        }
        return sortedBag(rel.appData[app]);
      }
      return sortedBag(rel.unitData[name]);
    });
  }

  /**
   * Juju's relation-set as `ProcessBackend` drives it: the data goes through the one stdin encoder and
   * back through go-yaml's rules (`unmarshalStringMap`), so what is stored is what Juju would store
   * (and an encoder that let Juju refuse or fold a value would fail here too).
   */
  relationSet(relation: RelationRef, data: Databag, isApp: boolean): void {
    const where = `${this.#relationArg(relation)} ${isApp ? "app" : "unit"} databag`;
    const stdin = encodeRelationSettings(data, where);
    const arg = this.#relationArg(relation);
    this.#run("relation-set", ["-r", arg, ...(isApp ? ["--app"] : []), "--file", "-"], () => {
      this.#relation(relation, "-r", arg);
      let settings: Map<string, string>;
      try {
        settings = unmarshalStringMap(stdin);
      } catch (e) {
        if (e instanceof JujuYamlError) fail(1, e.message);
        throw e;
      }
      this.applySettings(relation, settings, isApp);
    });
  }

  /** Apply decoded settings (`""` deletes) to this unit's or app's bag; the relation-set fake calls it too. */
  applySettings(relation: RelationRef, settings: ReadonlyMap<string, string>, isApp: boolean): void {
    if (isApp && !this.model.isLeader(this.unit)) fail(1, "cannot write relation settings");
    const rel = this.#writableRelation(String(relation.id));
    const bags = isApp ? rel.appData : rel.unitData;
    const owner = isApp ? this.app : this.unit;
    const bag = new Map(Object.entries(bags[owner] ?? {}));
    for (const [k, v] of settings) {
      if (v === "") bag.delete(k);
      else bag.set(k, v);
    }
    // Entries, not assignment: a `__proto__` key is stored as Juju stores it.
    bags[owner] = Object.fromEntries(bag);
  }

  relationModelGet(relation: RelationRef): string | null {
    // Juju < 3.6.2 has no relation-model-get: the tool is missing, which means "assume same model".
    if (!this.model.atLeast("3.6.2")) return null;
    const arg = this.#relationArg(relation);
    return this.#run("relation-model-get", ["--format=json", "-r", arg], () => {
      const rel = this.#relation(relation, "-r", arg);
      return this.model.modelUuidOf(this.model.remoteAppOf(rel, this.app));
    });
  }

  // ------------------------------------------------------------------------------------------
  // Unit, config, network

  isLeader(): boolean {
    return this.#run("is-leader", ["--format=json"], () => this.model.isLeader(this.unit));
  }

  configGet(): Record<string, unknown> {
    return this.#run("config-get", ["--format=json"], () =>
      cloneJson(this.model.application(this.app).config),
    );
  }

  networkGet(binding: string, relation?: RelationRef): NetworkInfo {
    const argv = ["--format=json", ...(relation ? ["-r", this.#relationArg(relation)] : []), binding];
    return this.#run("network-get", argv, () => {
      if (relation) this.#relation(relation, "-r", this.#relationArg(relation));
      if (!this.model.application(this.app).endpoints[binding]) {
        fail(1, `no network config found for binding "${binding}"`);
      }
      const address = this.model.unit(this.unit).address;
      const cidr = `${address.split(".").slice(0, 3).join(".")}.0/24`;
      return {
        "bind-addresses": [
          {
            "mac-address": "",
            "interface-name": "eth0",
            addresses: [{ hostname: "", value: address, cidr, address, "address-type": "ipv4" }],
            macaddress: "",
            interfacename: "eth0",
          },
        ],
        "egress-subnets": [`${address}/32`],
        "ingress-addresses": [address],
      };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Secrets

  #xid(id: string, forGet: boolean): string {
    const xid = secretXid(id);
    if (xid !== undefined) return xid;
    if (!forGet && id.startsWith("secret://")) {
      const host = id.slice("secret://".length).split("/")[0] ?? "";
      if (!isModelUuid(host)) fail(2, `host controller UUID "${host}" not valid`);
    }
    return fail(2, `secret URI "${id}" not valid`);
  }

  #ownerApp(s: SecretState): string {
    return s.owner.kind === "application" ? s.owner.app : appOfUnit(s.owner.unit);
  }

  /** Owner rights: the owning unit, or the leader of the owning app. */
  #canManage(s: SecretState): boolean {
    if (s.owner.kind === "unit") return s.owner.unit === this.unit;
    return s.owner.app === this.app && this.model.isLeader(this.unit);
  }

  #canView(s: SecretState): boolean {
    if (this.#canManage(s)) return true;
    if (s.owner.kind === "application" && s.owner.app === this.app) return true;
    return s.grants.some(
      (g) =>
        ((g.kind === "application" && g.target === this.app) ||
          (g.kind === "unit" && g.target === this.unit)) &&
        this.model.hasRelation(g.relationId),
    );
  }

  #requireManage(s: SecretState): void {
    if (this.#canManage(s)) return;
    if (s.owner.kind === "application" && s.owner.app === this.app) fail(1, "this unit is not the leader");
    fail(1, "permission denied");
  }

  #owned(): SecretState[] {
    return Object.values(this.#working.secrets).filter((s) => this.#canManage(s));
  }

  #checkOwnerLabel(s: SecretState, label: string): void {
    const ownerApp = this.#ownerApp(s);
    const clash = Object.values(this.#working.secrets).find(
      (o) => o.xid !== s.xid && o.label === label && this.#ownerApp(o) === ownerApp,
    );
    if (clash) fail(1, `secret with label "${label}" already exists`);
  }

  #checkContent(content: Readonly<Record<string, string>>): void {
    let total = 0;
    for (const [key, value] of Object.entries(content)) {
      if (typeof value !== "string") {
        throw new SecretContentError(
          `secret content for key "${key}" must be a string, got ${describeShape(value)}`,
          key,
        );
      }
      if (!SECRET_KEY_RE.test(key)) fail(2, `key "${key}" not valid`);
    }
    for (const [key, value] of Object.entries(content)) {
      const size = base64Length(value);
      if (size > MAX_SECRET_BYTES)
        fail(1, `base64 encoded secret content for key "${key}" too large: ${size} bytes`);
      total += size;
    }
    if (total > MAX_SECRET_BYTES) fail(1, `base64 encoded secret content too large: ${total} bytes`);
  }

  #checkMetadata(options: { readonly rotate?: string; readonly expire?: string }): string | undefined {
    if (options.rotate !== undefined && !ROTATE_POLICIES.includes(options.rotate)) {
      fail(2, `rotate policy "${options.rotate}" not valid`);
    }
    return options.expire !== undefined ? parseExpire(options.expire) : undefined;
  }

  #applyMetadata(
    s: SecretState,
    options: SecretAddOptions | SecretSetOptions,
    expiry: string | undefined,
  ): void {
    if (options.label !== undefined) {
      this.#checkOwnerLabel(s, options.label);
      s.label = options.label;
    }
    if (options.description !== undefined) s.description = options.description;
    if (expiry !== undefined) s.expiry = expiry;
    if (options.rotate !== undefined) s.rotation = options.rotate as RotatePolicy;
  }

  #contentArgs(content: Readonly<Record<string, string>> | undefined): string[] {
    return Object.keys(content ?? {}).map((k) => `${k}#file=${REDACTED}`);
  }

  secretAdd(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    const owner = options.owner ?? "application";
    const argv = [...metadataArgs(options), "--owner", owner, ...this.#contentArgs(content)];
    return this.#run("secret-add", argv, () => {
      if (Object.keys(content ?? {}).length === 0) fail(2, "missing secret value or filename");
      const expiry = this.#checkMetadata(options);
      if (owner !== "application" && owner !== "unit") fail(2, `secret owner "${owner}" not valid`);
      this.#checkContent(content);
      if (owner === "application" && !this.model.isLeader(this.unit)) fail(1, "this unit is not the leader");
      const xid = this.model.nextSecretXid();
      const s: SecretState = {
        xid,
        owner: owner === "unit" ? { kind: "unit", unit: this.unit } : { kind: "application", app: this.app },
        revisions: [{ revision: 1, content: { ...content } }],
        latestRevision: 1,
        tracking: {},
        consumerLabels: {},
        grants: [],
        removedRevisions: [],
        obsoleteNotified: [],
      };
      this.#applyMetadata(s, options, expiry);
      this.#working.secrets[xid] = s;
      return this.model.secretUri(xid);
    });
  }

  secretGet(options: SecretGetOptions): Record<string, string> {
    const argv = [
      "--format=json",
      ...(options.id !== undefined ? [options.id] : []),
      ...(options.label !== undefined ? ["--label", options.label] : []),
      ...(options.refresh ? ["--refresh"] : []),
      ...(options.peek ? ["--peek"] : []),
    ];
    return this.#run("secret-get", argv, () => {
      const { id, label } = options;
      const xid = id !== undefined && id !== "" ? this.#xid(id, true) : undefined;
      if (xid === undefined && !label) fail(2, "require either a secret URI or label");
      if (options.peek && options.refresh) fail(2, "specify one of --peek or --refresh but not both");
      let s: SecretState | undefined;
      if (xid !== undefined) {
        s = this.#working.secrets[xid];
        if (!s) fail(1, `secret "${xid}" not found`);
      } else {
        // Label only: owned secrets (incl. pending), then this unit's consumer labels, then (controller
        // side) owner labels of its app's secrets.
        const all = Object.values(this.#working.secrets);
        s =
          all.find((x) => this.#canManage(x) && x.label === label) ??
          all.find((x) => x.consumerLabels[this.unit] === label) ??
          all.find((x) => x.owner.kind === "application" && x.owner.app === this.app && x.label === label);
        if (!s) fail(1, `secret owned by "${this.unit}" with label "${label}" not found`);
      }
      let secret = s!;
      const writable = (): SecretState => (secret = this.#writableSecret(secret.xid));
      if (this.#canManage(secret)) {
        if (xid !== undefined && label && secret.label !== label) {
          this.#checkOwnerLabel(secret, label);
          writable().label = label;
        }
        const committed = this.model.state.secrets[secret.xid];
        // A plain owner read sees the committed content; pending creates, --peek and --refresh see pending.
        const source = !committed || options.peek || options.refresh ? secret : committed;
        return this.#revisionContent(source, source.latestRevision);
      }
      if (!this.#canView(secret)) fail(1, "permission denied");
      if (xid !== undefined && label && secret.consumerLabels[this.unit] !== label) {
        const clash = Object.values(this.#working.secrets).find(
          (o) => o.xid !== secret.xid && o.consumerLabels[this.unit] === label,
        );
        if (clash) fail(1, `secret label "${label}" for consumer "${unitTag(this.unit)}" already exists`);
        writable().consumerLabels[this.unit] = label;
      }
      let revision: number;
      if (options.peek) revision = secret.latestRevision;
      else {
        // --refresh tracks the latest; the first plain read tracks it too, later ones return the tracked one.
        const tracked = secret.tracking[this.unit] ?? secret.latestRevision;
        revision = options.refresh ? secret.latestRevision : tracked;
        if (secret.tracking[this.unit] !== revision) writable().tracking[this.unit] = revision;
      }
      return this.#revisionContent(secret, revision);
    });
  }

  #revisionContent(s: SecretState, revision: number): Record<string, string> {
    const rev = s.revisions.find((r) => r.revision === revision);
    if (!rev) return fail(1, `secret "${s.xid}" revision ${revision} not found`);
    return { ...rev.content };
  }

  secretInfoGet(options: { readonly id: string } | { readonly label: string }): SecretInfo {
    const byId = "id" in options;
    const argv = byId ? ["--format=json", options.id] : ["--format=json", "--label", options.label];
    return this.#run("secret-info-get", argv, () => {
      if ("id" in options && "label" in options) fail(2, "specify either a secret URI or label but not both");
      const want = byId ? this.#xid(options.id, true) : options.label;
      // By id: one lookup, not a scan of every secret (relation-broken asks about each owned one).
      const byXid = byId ? this.#working.secrets[want] : undefined;
      const mine = byXid && this.#canManage(byXid) ? byXid : undefined;
      const s = byId ? mine : this.#owned().find((x) => x.label === want);
      if (!s) return fail(1, `secret "${want}" not found`);
      return this.#info(s);
    });
  }

  #info(s: SecretState): SecretInfo {
    const info: { -readonly [K in keyof SecretInfo]: SecretInfo[K] } = {
      id: s.xid,
      revision: s.latestRevision,
      owner: s.owner.kind,
    };
    if (s.label) info.label = s.label;
    if (s.description) info.description = s.description;
    if (s.rotation) info.rotation = s.rotation;
    if (s.expiry) info.expiry = s.expiry;
    const access: SecretAccess[] = [];
    for (const g of s.grants) {
      const rel =
        this.model.state.relations[String(g.relationId)] ?? this.#working.relations[String(g.relationId)];
      if (!rel) continue;
      access.push({
        target: g.kind === "application" ? `application-${g.target}` : unitTag(g.target),
        scope: relationTag(this.model, rel),
        role: "view",
      });
    }
    if (access.length > 0) info.access = access;
    return info;
  }

  secretSet(id: string, options: SecretSetOptions): void {
    const argv = [id, ...metadataArgs(options), ...this.#contentArgs(options.content)];
    this.#run("secret-set", argv, () => {
      const xid = this.#xid(id, false);
      const expiry = this.#checkMetadata(options);
      const content =
        options.content && Object.keys(options.content).length > 0 ? options.content : undefined;
      if (content) {
        for (const key of Object.keys(content))
          if (!SECRET_KEY_RE.test(key)) fail(2, `key "${key}" not valid`);
      }
      const current = this.#working.secrets[xid];
      if (!current) return fail(1, `secret "${xid}" not found`);
      this.#requireManage(current);
      if (content) this.#checkContent(content);
      const s = this.#writableSecret(xid);
      if (content) this.#setContent(s, content);
      this.#applyMetadata(s, options, expiry);
    });
  }

  /** New content: one new revision per hook at most; none when unchanged (Juju ≥ 3.6). */
  #setContent(s: SecretState, content: Readonly<Record<string, string>>): void {
    const committed = this.model.state.secrets[s.xid];
    if (!committed) {
      s.revisions[s.revisions.length - 1]!.content = { ...content };
      return;
    }
    const committedContent = committed.revisions.find(
      (r) => r.revision === committed.latestRevision,
    )?.content;
    const unchanged =
      this.model.atLeast("3.6") && committedContent !== undefined && sameJson(committedContent, content);
    const pending = s.latestRevision > committed.latestRevision;
    if (pending && unchanged) {
      s.revisions = s.revisions.filter((r) => r.revision <= committed.latestRevision);
      s.latestRevision = committed.latestRevision;
    } else if (pending) {
      s.revisions[s.revisions.length - 1]!.content = { ...content };
    } else if (!unchanged) {
      s.latestRevision += 1;
      s.revisions.push({ revision: s.latestRevision, content: { ...content } });
    }
  }

  secretGrant(id: string, relation: RelationRef, unit?: string): void {
    const argv = ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id];
    this.#run("secret-grant", argv, () => {
      const xid = this.#xid(id, false);
      const rel = this.#relation(relation, "--relation", String(relation.id));
      const remoteApp = this.model.remoteAppOf(rel, this.app);
      if (unit !== undefined) {
        if (!isUnitName(unit)) fail(2, `unit "${unit}" not valid`);
        if (appOfUnit(unit) !== remoteApp) {
          fail(2, `cannot specify unit "${unit}" in relation to application "${remoteApp}"`);
        }
      }
      const s = this.#working.secrets[xid];
      if (!s) return fail(1, `secret "${xid}" not found`);
      if (!this.#canManage(s)) {
        if (s.owner.kind === "application" && s.owner.app === this.app)
          fail(1, "this unit is not the leader");
        fail(1, `secret "${xid}" not found`);
      }
      const kind = unit !== undefined ? "unit" : "application";
      const target = unit ?? remoteApp;
      for (const g of s.grants.filter((x) => x.relationId === rel.id)) {
        if (g.target === target || g.kind === "application") return; // already granted
        if (kind === "application") {
          fail(
            1,
            "any unit level grants need to be revoked before granting access to the corresponding application",
          );
        }
      }
      this.#writableSecret(xid).grants.push({ relationId: rel.id, kind, target });
    });
  }

  secretRevoke(id: string, relation: RelationRef, unit?: string): void {
    const argv = ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id];
    this.revokeSecret(argv, id, { relation, ...(unit !== undefined ? { unit } : {}) });
  }

  /** secret-revoke with any of Juju's target forms (`--relation`, `--app`, `--unit`); used by the fakes. */
  revokeSecret(
    argv: readonly string[],
    id: string,
    target: { relation?: RelationRef; relationFlag?: string; app?: string; unit?: string },
  ): void {
    this.#run("secret-revoke", argv, () => {
      const xid = this.#xid(id, false);
      let app = target.app;
      const unit = target.unit;
      if (app !== undefined && !isAppName(app)) fail(2, `application "${app}" not valid`);
      if (unit !== undefined && !isUnitName(unit)) fail(2, `unit "${unit}" not valid`);
      if (app !== undefined && unit !== undefined) fail(2, "specify only one of application or unit");
      if (target.relation) {
        const rel = this.#relation(
          target.relation,
          target.relationFlag ?? "--relation",
          String(target.relation.id),
        );
        if (app !== undefined) fail(2, "do not specify both relation and app");
        app = this.model.remoteAppOf(rel, this.app);
      }
      if (app === undefined && unit === undefined) fail(2, "missing relation or application or unit");
      const current = this.#working.secrets[xid];
      if (!current) return fail(1, `secret "${xid}" not found`);
      this.#requireManage(current);
      const s = this.#writableSecret(xid);
      s.grants = s.grants.filter((g) =>
        unit !== undefined
          ? !(g.kind === "unit" && g.target === unit)
          : !(g.target === app || (g.kind === "unit" && appOfUnit(g.target) === app)),
      );
    });
  }

  secretRemove(id: string, revision?: number): void {
    const argv = [id, ...(revision !== undefined ? ["--revision", String(revision)] : [])];
    this.#run("secret-remove", argv, () => {
      const xid = this.#xid(id, false);
      const current = this.#working.secrets[xid];
      if (!current) return fail(1, `secret "${xid}" not found`);
      this.#requireManage(current);
      if (revision !== undefined && revision > 0) {
        const s = this.#writableSecret(xid);
        s.revisions = s.revisions.filter((r) => r.revision !== revision);
        if (!s.removedRevisions.includes(revision)) s.removedRevisions.push(revision);
      } else {
        delete this.#working.secrets[xid];
        this.#shared.secrets.delete(xid);
      }
    });
  }

  secretIds(): string[] {
    return this.#run("secret-ids", ["--format=json"], () =>
      this.#owned()
        .map((s) => s.xid)
        .sort(),
    );
  }

  // ------------------------------------------------------------------------------------------
  // Immediate effects: logs, status, workload version

  jujuLog(level: LogLevel, message: string): void {
    this.#run("juju-log", ["--log-level", level, "--", message], () => {
      const rel = this.#options.relation;
      const prefix = rel ? `${rel.endpoint}:${rel.id}: ` : "";
      this.model.state.logs.push({
        seq: this.model.nextSeq(),
        unit: this.unit,
        ...this.#hookField(),
        level,
        message: prefix + message,
      });
    });
  }

  statusSet(status: StatusName, message: string, isApp: boolean): void {
    const argv = [`--application=${isApp ? "True" : "False"}`, status, "--", message];
    this.#run("status-set", argv, () => {
      if (!STATUSES.includes(status)) {
        fail(2, `invalid status "${status}", expected one of [maintenance blocked waiting active]`);
      }
      if (isApp && !this.model.isLeader(this.unit)) fail(1, "this unit is not the leader");
      const target = isApp ? this.model.application(this.app) : this.model.unit(this.unit);
      target.status = { status, message };
      target.statusHistory.push({ seq: this.model.nextSeq(), status, message, ...this.#hookField() });
    });
  }

  statusGet(isApp: boolean): StatusInfo {
    const argv = ["--include-data", "--format=json", `--application=${isApp ? "true" : "false"}`];
    return this.#run("status-get", argv, () => this.#status(isApp));
  }

  #status(isApp: boolean): StatusRecord {
    if (isApp && !this.model.isLeader(this.unit))
      fail(1, "finding application status: this unit is not the leader");
    const s = isApp ? this.model.application(this.app).status : this.model.unit(this.unit).status;
    return { status: s.status, message: s.message };
  }

  /** status-get's full JSON (`--include-data`), as the fakes print it. */
  statusDetails(isApp: boolean): Record<string, unknown> {
    const details = (s: StatusRecord) => ({ message: s.message, status: s.status, "status-data": {} });
    const own = this.#status(isApp);
    if (!isApp) return details(own);
    const units: Record<string, unknown> = {};
    for (const u of this.model.application(this.app).units) units[u] = details(this.model.unit(u).status);
    return { "application-status": { ...details(own), units } };
  }

  applicationVersionSet(version: string): void {
    this.#run("application-version-set", ["--", version], () => {
      const unit = this.model.unit(this.unit);
      unit.workloadVersion = version;
      unit.workloadVersionHistory.push(version);
    });
  }
}

function metadataArgs(options: SecretAddOptions | SecretSetOptions): string[] {
  return [
    ...(options.label !== undefined ? ["--label", options.label] : []),
    ...(options.description !== undefined ? ["--description", options.description] : []),
    ...(options.expire !== undefined ? ["--expire", options.expire] : []),
    ...(options.rotate !== undefined ? ["--rotate", options.rotate] : []),
  ];
}

/** Juju prints a databag from a Go map: keys sorted, whatever order they were written in. */
function sortedBag(bag: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(bag ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function byUnitNumber(a: string, b: string): number {
  const [pa, na] = [appOfUnit(a), Number(a.slice(a.lastIndexOf("/") + 1))];
  const [pb, nb] = [appOfUnit(b), Number(b.slice(b.lastIndexOf("/") + 1))];
  return pa === pb ? na - nb : pa < pb ? -1 : 1;
}
