/**
 * `EtcdRequirer`: the consumer side of the legacy interface (interface-etcd's `EtcdClient`, ops port
 * `EtcdReactiveRequires`). The requirer writes nothing; it reads the provider unit databags and
 * derives three states, recomputed from scratch in every hook:
 *
 * - `connected`: a relation of the endpoint has at least one remote unit;
 * - `available`: some remote unit publishes a valid, non-empty `connection_string`;
 * - `tlsAvailable`: that same unit also publishes `client_cert`, `client_key` and `client_ca`.
 *
 * Values come from the first unit (relations by id, units in numeric order) with a connection
 * string. Unlike the reactive layer, which drops every flag on any relation-departed, a departure is
 * handled by recomputing from the units that remain; only this unit's own departure (or the
 * relation's breaking) makes the relation count as gone.
 */

import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import type {
  Charm,
  Handler,
  Relation,
  RelationEvent,
  RelationRef,
  RemoteDataError,
} from "@charm-relations/juju-secrets-core";
import { StatusNotes } from "@charm-relations/juju-secrets-core";
import { Emitter } from "@charm-relations/juju-secrets-core/interface";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { etcdLegacy } from "./definition.js";
import { EtcdCredentialsUnavailableError, EtcdInputError } from "./errors.js";
import { readRegularFile, saveCredentialSet, writeFileAtomically } from "./files.js";
import {
  ETCD_KEYS,
  type EtcdClientCredentials,
  type EtcdProviderUnitData,
  etcdMajorVersion,
  parseConnectionString,
  providerUnit,
} from "./schema.js";

export interface EtcdRequirerOptions {
  /** The `requires` endpoint of the `etcd` interface (default `etcd`, kubernetes-control-plane's). */
  readonly endpoint?: string;
  /**
   * Folder for the small state file that lets `connectionChanged`, `credentialsChanged` and
   * `unavailable` fire on real changes only (it holds the connection string, the version and a
   * SHA-256 digest of the credentials — never a PEM). Default: `<charm dir>/.charm-relations`.
   * `false` keeps nothing: then every relation hook with data counts as a change.
   */
  readonly stateDir?: string | false;
}

/** What the requirer derived from the provider unit databags (no private key in here). */
export interface EtcdState {
  readonly connected: boolean;
  readonly available: boolean;
  readonly tlsAvailable: boolean;
  /** The raw `connection_string` (`https://10.5.0.11:2379,…`), as the provider wrote it. */
  readonly connectionString: string | undefined;
  /** The URLs of `connectionString`. */
  readonly endpoints: readonly string[];
  /** The etcd version; `""` when the provider published none, which means etcd 2.x. */
  readonly version: string;
  /** 2 for an empty version, else the leading number of `version`; undefined if unparsable. */
  readonly majorVersion: number | undefined;
  /** The unit the values were read from. */
  readonly unit: string | undefined;
  /** That unit's relation. */
  readonly relation: RelationRef | undefined;
}

/** Where to reach etcd: the values of one provider unit (no private key in here). */
export interface EtcdConnection {
  /** The relation the values were read from. */
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** The provider unit the values were read from. */
  readonly unit: string;
  /** The raw `connection_string` (`https://10.5.0.11:2379,…`), as the provider wrote it. */
  readonly connectionString: string;
  /** The URLs of `connectionString`. */
  readonly endpoints: readonly string[];
  /** `""` means etcd 2.x (see `majorVersion`). */
  readonly version: string;
  readonly majorVersion: number | undefined;
  /** The unit also publishes the shared client key, certificate and CA (`clientCredentials`). */
  readonly tls: boolean;
}

/** Every event names the relation of its hook and the application on the other side. */
export interface EtcdRequirerEventBase {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
}

export interface EtcdAvailableEvent extends EtcdRequirerEventBase {
  readonly connection: EtcdConnection;
}

export interface EtcdTlsAvailableEvent extends EtcdAvailableEvent {
  /** Contains the private key: never log it. */
  readonly credentials: EtcdClientCredentials;
}

export interface EtcdConnectionChangedEvent extends EtcdAvailableEvent {
  /** The values before this change; undefined the first time (or without a state folder). */
  readonly previous: { readonly connectionString: string; readonly version: string } | undefined;
}

export type EtcdUnavailableReason =
  /** relation-departed for this very unit: it is leaving the relation. */
  | "this-unit-departing"
  | "relation-broken"
  /** No remote unit is left on any relation of the endpoint. */
  | "no-provider-units"
  /** Units remain but none publishes a (valid) connection string. */
  | "no-connection-string";

export interface EtcdUnavailableEvent extends EtcdRequirerEventBase {
  readonly reason: EtcdUnavailableReason;
}

export interface EtcdInvalidEvent extends EtcdRequirerEventBase {
  /** The provider unit whose databag holds the bad value. */
  readonly unit: string;
  /** Names relation, side, key and rule; never the value. The bad keys are ignored. */
  readonly error: RemoteDataError;
}

export interface EtcdRequirerEvents {
  /** Every relation hook while `connected` holds (reactive `{endpoint}.connected`). */
  connected: EtcdRequirerEventBase;
  /** Every relation hook while `available` holds (reactive `{endpoint}.available`). */
  available: EtcdAvailableEvent;
  /** Every relation hook while `tlsAvailable` holds (reactive `{endpoint}.tls.available`). */
  tlsAvailable: EtcdTlsAvailableEvent;
  /** The connection string or version differs from the last one reported (first time included): re-render. */
  connectionChanged: EtcdConnectionChangedEvent;
  /** The client key, certificate or CA differ from the last ones reported (first time included): re-save. */
  credentialsChanged: EtcdTlsAvailableEvent;
  /** `available` went away: this unit is departing, the relation broke, or no unit publishes any more. */
  unavailable: EtcdUnavailableEvent;
  /** A provider unit databag holds a malformed value (without a listener: blocked status). */
  invalid: EtcdInvalidEvent;
}

/** Paths for `saveClientCredentials`; an omitted or empty path skips that file. */
export interface EtcdCredentialPaths {
  readonly key?: string | undefined;
  readonly cert?: string | undefined;
  readonly ca?: string | undefined;
}

export interface EtcdSavedCredentials {
  /** Whether any file content changed (restart the workload only then). */
  readonly changed: boolean;
  /** The absolute paths written or confirmed up to date. */
  readonly paths: { readonly key?: string; readonly cert?: string; readonly ca?: string };
}

interface Candidate {
  readonly relation: Relation;
  readonly unit: string;
  readonly data: EtcdProviderUnitData;
}

interface View {
  readonly state: EtcdState;
  /** Units with a valid connection string: relations by id, units in numeric order. */
  readonly candidates: readonly Candidate[];
  readonly credentials: EtcdClientCredentials | undefined;
  readonly invalid: readonly {
    readonly relation: RelationRef;
    readonly unit: string;
    readonly error: RemoteDataError;
  }[];
  /** Units whose values differ from the chosen unit's, with the differing keys. */
  readonly disagreements: readonly { readonly unit: string; readonly keys: readonly string[] }[];
  readonly departingSelf: boolean;
}

interface StoredState {
  readonly available: boolean;
  readonly connectionString: string;
  readonly etcdVersion: string;
  /** SHA-256 over the three PEMs, or `""`. */
  readonly credentials: string;
}

/** The state file holds a few short strings; anything bigger is not ours. */
const STATE_FILE_MAX_BYTES = 64 * 1024;

const RELATION_HOOKS = [
  "relationCreated",
  "relationJoined",
  "relationChanged",
  "relationDeparted",
  "relationBroken",
] as const;

export class EtcdRequirer {
  readonly events = new Emitter<EtcdRequirerEvents>();
  readonly endpoint: string;
  readonly #charm: Charm;
  readonly #stateFile: string | undefined;
  readonly #notes: StatusNotes;
  #view: View | undefined;

  constructor(charm: Charm, options: EtcdRequirerOptions = {}) {
    const endpoint = options.endpoint ?? etcdLegacy.defaultEndpoint.requirer;
    this.#charm = charm;
    this.endpoint = endpoint;
    const stateDir =
      options.stateDir === false
        ? undefined
        : (options.stateDir ??
          (charm.context.charmDir !== undefined
            ? join(charm.context.charmDir, ".charm-relations")
            : undefined));
    // One file per unit and endpoint: harnesses may share a charm dir between units.
    this.#stateFile =
      stateDir !== undefined
        ? join(stateDir, `etcd-requirer.${safeName(endpoint)}.${safeName(charm.unit)}.json`)
        : undefined;
    this.#notes = new StatusNotes(charm, `etcd:${endpoint}`);
    for (const hook of RELATION_HOOKS) charm.on(hook, (e) => this.#onRelationEvent(e), { endpoint });
  }

  on<K extends keyof EtcdRequirerEvents>(name: K, handler: Handler<EtcdRequirerEvents[K]>): () => void {
    return this.events.on(name, handler);
  }

  /** Everything derived in this hook (computed once per hook, on first use). */
  get state(): EtcdState {
    return this.#compute().state;
  }
  get connected(): boolean {
    return this.state.connected;
  }
  get available(): boolean {
    return this.state.available;
  }
  get tlsAvailable(): boolean {
    return this.state.tlsAvailable;
  }
  get connectionString(): string | undefined {
    return this.state.connectionString;
  }
  get endpoints(): readonly string[] {
    return this.state.endpoints;
  }
  /** `""` means etcd 2.x (see `majorVersion`). */
  get version(): string {
    return this.state.version;
  }
  get majorVersion(): number | undefined {
    return this.state.majorVersion;
  }
  /** The connection (on one relation, when given): what `available` reports, or undefined. */
  connection(relation?: RelationRef | number): EtcdConnection | undefined {
    const id = typeof relation === "number" ? relation : relation?.id;
    return this.connections().find((c) => id === undefined || c.relation.id === id);
  }

  /** The connection of every relation with a unit that publishes one (the first such unit of each). */
  connections(): EtcdConnection[] {
    const out: EtcdConnection[] = [];
    for (const c of this.#compute().candidates) {
      if (out.some((o) => o.relation.id === c.relation.id)) continue;
      out.push(connectionOf(c));
    }
    return out;
  }

  /** A provider unit publishes a connection string. */
  isReady(): boolean {
    return this.available;
  }

  /** The shared client key, certificate and CA when `tlsAvailable`. Contains a private key: never log it. */
  get clientCredentials(): EtcdClientCredentials | undefined {
    return this.#compute().credentials;
  }

  /**
   * Write the client credentials to files (mode 0600, parent folders created), like the reactive
   * `save_client_credentials(key, cert, ca)`, replacing the set as one: each path becomes a symlink
   * into `.etcd-client-credentials/` next to the key, switched by a single rename (see `files.ts`), so
   * a failure or a crash never leaves a new key next to an old certificate. Something other than a
   * regular file at a path (a FIFO, a device, a socket, a folder) is refused before anything is written.
   */
  saveClientCredentials(paths: EtcdCredentialPaths): EtcdSavedCredentials;
  saveClientCredentials(keyPath?: string, certPath?: string, caPath?: string): EtcdSavedCredentials;
  saveClientCredentials(
    pathsOrKey?: EtcdCredentialPaths | string,
    certPath?: string,
    caPath?: string,
  ): EtcdSavedCredentials {
    const paths: EtcdCredentialPaths =
      typeof pathsOrKey === "object" && pathsOrKey !== null
        ? pathsOrKey
        : { key: pathsOrKey, cert: certPath, ca: caPath };
    const wanted: ["key" | "cert" | "ca", string][] = [];
    for (const name of ["key", "cert", "ca"] as const) {
      const p: unknown = paths[name];
      if (p === undefined || p === "") continue;
      if (typeof p !== "string")
        throw new EtcdInputError(`paths.${name}`, `expected a file path, got ${typeof p}`);
      wanted.push([name, resolve(p)]);
    }
    if (wanted.length === 0) throw new EtcdInputError("paths", "give at least one of key, cert, ca");
    if (new Set(wanted.map(([, p]) => p)).size !== wanted.length) {
      throw new EtcdInputError("paths", "key, cert and ca must be different files");
    }
    const credentials = this.clientCredentials;
    if (!credentials) throw new EtcdCredentialsUnavailableError(this.endpoint);
    const files = wanted.map(([role, path]) => ({ role, path, content: credentials[role] }));
    const changed = saveCredentialSet(files);
    return { changed, paths: Object.fromEntries(wanted) };
  }

  // -------------------------------------------------------------------------------------------

  #compute(): View {
    if (this.#view) return this.#view;
    const charm = this.#charm;
    const ctx = charm.context;
    const eventRelation = ctx.relation?.endpoint === this.endpoint ? ctx.relation : undefined;
    const departingSelf =
      eventRelation !== undefined && ctx.kind === "relation-departed" && ctx.departingUnit === charm.unit;
    const relations = charm.model
      .relations(this.endpoint)
      .filter((r) => r.active && !(departingSelf && r.id === eventRelation?.id))
      .sort((a, b) => a.id - b.id);

    let connected = false;
    const candidates: Candidate[] = [];
    const invalid: View["invalid"][number][] = [];
    for (const relation of relations) {
      // relation-list already omits a departing unit; filter anyway for older agents.
      const units = relation.units.filter(
        (u) => !(relation.id === eventRelation?.id && u === ctx.departingUnit),
      );
      if (units.length > 0) connected = true;
      for (const unit of [...units].sort(compareUnits)) {
        const { data, error } = parseLeniently(relation.remoteUnitData(unit), relation.ref);
        if (error) invalid.push({ relation: relation.ref, unit, error });
        if (
          data.connection_string !== undefined &&
          parseConnectionString(data.connection_string).length > 0
        ) {
          candidates.push({ relation, unit, data });
        }
      }
    }

    const chosen = candidates[0];
    const data = chosen?.data;
    const credentials =
      data?.client_key && data.client_cert && data.client_ca
        ? { key: data.client_key, cert: data.client_cert, ca: data.client_ca }
        : undefined;
    const version = data?.version ?? "";
    const state: EtcdState = {
      connected,
      available: chosen !== undefined,
      tlsAvailable: credentials !== undefined,
      connectionString: data?.connection_string,
      endpoints: data?.connection_string !== undefined ? parseConnectionString(data.connection_string) : [],
      version,
      majorVersion: etcdMajorVersion(version),
      unit: chosen?.unit,
      relation: chosen?.relation.ref,
    };
    const disagreements = candidates.slice(1).flatMap((c) => {
      const keys = Object.values(ETCD_KEYS).filter((k) => (c.data[k] ?? "") !== (data?.[k] ?? ""));
      return keys.length > 0 ? [{ unit: c.unit, keys }] : [];
    });
    this.#view = { state, candidates, credentials, invalid, disagreements, departingSelf };
    return this.#view;
  }

  async #onRelationEvent(event: RelationEvent): Promise<void> {
    const view = this.#compute();
    const { state, credentials } = view;
    const base: EtcdRequirerEventBase = { relation: event.relation.ref, remoteApp: event.remoteApp };
    const model = this.#charm.model;

    // Without a listener, a `blocked` note that every hook's collect-status adds (the charm's own
    // evaluators cannot hide it) until a relation hook sees no malformed unit bag.
    const listening = this.events.listenerCount("invalid") > 0;
    for (const bad of view.invalid) {
      if (listening) await this.events.emit("invalid", { ...base, unit: bad.unit, error: bad.error });
    }
    const [first] = view.invalid;
    if (first && !listening) this.#notes.set("invalid", "blocked", `${first.unit}: ${first.error.message}`);
    else this.#notes.delete("invalid");
    if (view.disagreements.length > 0) {
      // Key names only: the values include a private key.
      const detail = view.disagreements.map((d) => `${d.unit} (${d.keys.join(", ")})`).join("; ");
      model.log(
        "WARNING",
        `etcd units on ${this.endpoint} disagree; using ${state.unit}; differing: ${detail}`,
      );
    }

    const previous = this.#loadState();
    const digest = credentials ? credentialsDigest(credentials) : "";
    if (state.connected) await this.events.emit("connected", base);
    const chosen = view.candidates[0];
    if (state.available && chosen) {
      const available: EtcdAvailableEvent = { ...base, connection: connectionOf(chosen) };
      await this.events.emit("available", available);
      if (credentials) await this.events.emit("tlsAvailable", { ...available, credentials });
      if (
        previous === undefined ||
        !previous.available ||
        previous.connectionString !== state.connectionString ||
        previous.etcdVersion !== state.version
      ) {
        await this.events.emit("connectionChanged", {
          ...available,
          previous:
            previous?.available === true
              ? { connectionString: previous.connectionString, version: previous.etcdVersion }
              : undefined,
        });
      }
      if (credentials && previous?.credentials !== digest) {
        await this.events.emit("credentialsChanged", { ...available, credentials });
      }
    } else {
      const broken = event.kind === "relation-broken";
      const wasAvailable = previous ? previous.available : event.kind === "relation-departed" || broken;
      if (view.departingSelf || broken || wasAvailable) {
        const reason: EtcdUnavailableReason = view.departingSelf
          ? "this-unit-departing"
          : broken
            ? "relation-broken"
            : state.connected
              ? "no-connection-string"
              : "no-provider-units";
        await this.events.emit("unavailable", { ...base, reason });
      }
    }

    const next: StoredState = {
      available: state.available,
      connectionString: state.connectionString ?? "",
      etcdVersion: state.version,
      credentials: digest,
    };
    if (!sameState(previous, next)) model.afterFlush(() => this.#saveState(next));
  }

  #loadState(): StoredState | undefined {
    if (this.#stateFile === undefined) return undefined;
    let text: string | undefined;
    try {
      text = readRegularFile(this.#stateFile, STATE_FILE_MAX_BYTES);
    } catch {
      text = ""; // not a regular file, or unreadable: warned about below
    }
    if (text === undefined) return undefined; // first hook on this unit
    try {
      const s = JSON.parse(text) as Partial<StoredState>;
      if (
        typeof s.available === "boolean" &&
        typeof s.connectionString === "string" &&
        typeof s.etcdVersion === "string" &&
        typeof s.credentials === "string"
      ) {
        return s as StoredState;
      }
    } catch {
      // fall through: a damaged file only means the next events count as changes
    }
    this.#charm.model.log("WARNING", `etcd: ignoring unreadable state file ${this.#stateFile}`);
    return undefined;
  }

  /** Runs only after the hook's handlers succeeded (Juju commits the hook), so no change is lost. */
  #saveState(next: StoredState): void {
    if (this.#stateFile === undefined) return;
    try {
      writeFileAtomically(this.#stateFile, `${JSON.stringify(next)}\n`);
    } catch (error) {
      // Losing the state only repeats change events in a later hook: never fail the hook for it.
      this.#charm.model.log(
        "WARNING",
        error instanceof Error ? error.message : `etcd: cannot save ${this.#stateFile}`,
      );
    }
  }
}

/** Parse a provider unit bag; keys that fail validation are reported and then treated as absent. */
function parseLeniently(
  bag: Readonly<Record<string, string>>,
  relation: RelationRef,
): { data: EtcdProviderUnitData; error?: RemoteDataError } {
  const context = { relation, side: "provider", bag: "unit" } as const;
  const first = parseBag(providerUnit, bag, context);
  if (first.ok) return { data: first.value };
  const bad = new Set(first.error.issues.map((i) => i.key.split(/[.[]/)[0]));
  const rest = Object.fromEntries(Object.entries(bag).filter(([k]) => !bad.has(k)));
  const second = parseBag(providerUnit, rest, context);
  return { data: second.ok ? second.value : {}, error: first.error };
}

function connectionOf(c: Candidate): EtcdConnection {
  const data = c.data;
  const connectionString = data.connection_string ?? "";
  const version = data.version ?? "";
  return {
    relation: c.relation.ref,
    remoteApp: c.relation.remoteApp,
    unit: c.unit,
    connectionString,
    endpoints: parseConnectionString(connectionString),
    version,
    majorVersion: etcdMajorVersion(version),
    tls: Boolean(data.client_key && data.client_cert && data.client_ca),
  };
}

/** `app/2` before `app/10`; apps by name. */
function compareUnits(a: string, b: string): number {
  const [appA = "", nA = ""] = a.split("/");
  const [appB = "", nB = ""] = b.split("/");
  return appA === appB ? Number(nA) - Number(nB) : appA < appB ? -1 : 1;
}

function credentialsDigest(c: EtcdClientCredentials): string {
  const h = createHash("sha256");
  for (const part of [c.key, c.cert, c.ca]) h.update(`${Buffer.byteLength(part)}:`).update(part);
  return h.digest("hex");
}

function sameState(a: StoredState | undefined, b: StoredState): boolean {
  return (
    a !== undefined &&
    a.available === b.available &&
    a.connectionString === b.connectionString &&
    a.etcdVersion === b.etcdVersion &&
    a.credentials === b.credentials
  );
}

/** `kcp/0` → `kcp-0` (Juju's own spelling in tags); anything unusual in a file name → `_`. */
function safeName(name: string): string {
  return name.replace("/", "-").replace(/[^A-Za-z0-9_-]/g, "_");
}
