/**
 * `PostgresqlProvider`: the database side of postgresql_client (what the PostgreSQL and PgBouncer charms
 * offer on their `database` endpoint). It wraps the core `DataProvider` (v0 flat, and v1 requirers too)
 * and adds this interface's request type, publishing API, value spellings (`tls: True/False`) and the
 * PgBouncer departing flow (a unit that is being removed must not delete its clients' users).
 */

import {
  type BoolSpelling,
  type Charm,
  DataProvider,
  Emitter,
  type EntityPermission,
  emitOrBlock,
  formatBool,
  formatCommaList,
  type Handler,
  type ProviderRequest,
  parseBool,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatus,
  RemoteDataError,
  type RemoteDataIssue,
  type RemoteLimits,
  type RequestedEntityRead,
} from "@charm-relations/juju-secrets-core";
import { isPrefixRequest, prefixOf } from "./helpers.js";
import {
  checkBag,
  DEFAULT_ENDPOINT,
  databaseNameSchema,
  POSTGRESQL_CLIENT,
  requirerAppDatabagSchema,
  TLS_SPELLING,
} from "./schema.js";

/** The request fields a provider may not see change once the database was created (protocol §4.10). */
export const IMMUTABLE_REQUEST_KEYS: readonly string[] = [
  "database",
  "entity-type",
  "extra-user-roles",
  "extra-group-roles",
];

/**
 * The requirer changed `extra-user-roles`, `extra-group-roles` or `entity-type` (or the database) after
 * the database was created. Python's provider crashes its hook with `ValueError`; we keep serving the
 * original request and say what to do.
 */
export class RequestChangedError extends RemoteDataError {
  override name = "RequestChangedError";
  readonly keys: readonly string[];
  constructor(issues: readonly RemoteDataIssue[]) {
    super(issues);
    this.keys = [...new Set(issues.map((i) => i.key.replace(/^requests\[[^\]]*\]\./, "")))];
    const first = issues[0]!;
    this.message =
      `${first.relation.endpoint}:${first.relation.id}: the requirer changed ${this.keys.join(", ")} after the ` +
      "database was created; these are fixed at creation: remove and re-add the relation to change them " +
      "(the original request is still served)";
  }
}

/** A request as the provider sees it (one per relation for v0 requirers). */
export interface PostgresqlRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** `v0` flat (PostgreSQL's contract), or a v1 requirer's request. */
  readonly contract: "v0" | "v1";
  /** v1 only. */
  readonly requestId?: string;
  /** As sent: a name, or a prefix request `xyz*`. */
  readonly database: string;
  /** `database` ends in `*`. */
  readonly isPrefix: boolean;
  /** The prefix of a prefix request (`xyz`), else the database name. */
  readonly prefix: string;
  /** As sent (upper or lower case); see `validateExtraUserRoles` for the charms' checks. */
  readonly extraUserRoles: readonly string[];
  readonly extraGroupRoles: readonly string[];
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  readonly externalNodeConnectivity: boolean;
  /** `all` asks for every matching database (postgresql 16/edge logs a warning for anything else). */
  readonly prefixMatching?: string;
  /** Fields the requirer wants in secrets; undefined when it sent none (plain-text fallback). */
  readonly requestedSecrets?: readonly string[];
  /** URI of the requirer's `requested-entity-secret` (custom user name), if any. */
  readonly requestedEntitySecret?: string;
}

/** What a provider publishes; `undefined` leaves a field alone, `null` removes it. */
export interface PostgresqlAnswer {
  /** The database echo; `publish` fills in the requested name when credentials go out without it. */
  readonly database?: string | null;
  readonly endpoints?: readonly string[] | string | null;
  readonly readOnlyEndpoints?: readonly string[] | string | null;
  /** Engine version, e.g. `16.8.1`. */
  readonly version?: string | null;
  /** Prefix requests: matching databases (written sorted). */
  readonly prefixDatabases?: readonly string[] | null;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly uris?: readonly string[] | string | null;
  /** Published only when the requirer listed `read-only-uris` in `requested-secrets` (never in plain text). */
  readonly readOnlyUris?: readonly string[] | string | null;
  /** Written `True`/`False`; `tls: false` without `tlsCa` writes `tls-ca: ""` as the real charms do. */
  readonly tls?: boolean | null;
  readonly tlsCa?: string | null;
  readonly entityName?: string | null;
  readonly entityPassword?: string | null;
  /** Subordinate providers (PgBouncer on machines): `subordinated: "true"`. */
  readonly subordinated?: boolean | null;
}

/** What this app has published on a relation, read back (leader). */
export interface PostgresqlPublished {
  readonly database?: string;
  readonly endpoints: readonly string[];
  readonly readOnlyEndpoints: readonly string[];
  readonly version?: string;
  readonly username?: string;
  readonly password?: string;
  readonly uris: readonly string[];
  readonly tls?: boolean;
  readonly tlsCa?: string;
  readonly entityName?: string;
  readonly entityPassword?: string;
}

export interface RequestEvent {
  readonly request: PostgresqlRequest;
}

export interface PostgresqlProviderEvents {
  /** A requirer asked for a database (leader). Create user and database, then `publish` in the same hook. */
  databaseRequested: RequestEvent;
  /** A requirer asked for a custom user or group (`entity-type`) (leader). */
  databaseEntityRequested: RequestEvent;
  /** The requirer changed `entity-permissions` of its entity (leader). */
  entityPermissionsChanged: RequestEvent;
  /**
   * A malformed request, or one whose roles/entity type changed after creation (`RequestChangedError`).
   * Nothing was emitted or written for it; the previous answer stays. Without a handler the unit goes
   * Blocked with the error's message.
   */
  requestInvalid: RelationInvalidEvent;
  /** v1 requirers: a request was withdrawn; its response and secrets are gone. */
  requestRemoved: { readonly relation: RelationRef; readonly requestId: string; readonly database: string };
  /**
   * relation-departed (every unit): re-publish connection information. `departing` is true when this
   * unit is the one leaving; the flag is remembered for relation-broken.
   */
  relationDeparted: {
    readonly relation: RelationRef;
    readonly remoteApp: string;
    readonly departingUnit?: string;
    readonly departing: boolean;
  };
  /**
   * relation-broken (every unit). `removeUser` is true on the leader unless this unit is departing:
   * then delete the relation's user (never the database). When departing, the relation lives on for the
   * other units and its secrets were kept.
   */
  gone: {
    readonly relation: RelationRef;
    readonly remoteApp: string | null;
    readonly departing: boolean;
    readonly removeUser: boolean;
  };
}

export interface PostgresqlProviderOptions {
  /**
   * Peer endpoint where each unit also keeps its departing flag (`<endpoint>_<relation-id>_departing:
   * "true"` in its unit bag, as PgBouncer does). The flag is always kept in the charm directory too.
   */
  readonly peerEndpoint?: string;
  /** Spelling of `tls` (default `True`, as PostgreSQL and PgBouncer write it). */
  readonly tlsSpelling?: BoolSpelling;
  /**
   * Limits on what the requirers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

function toRequest(r: ProviderRequest): PostgresqlRequest {
  const raw = r.raw;
  const str = (k: string) => (typeof raw[k] === "string" && raw[k] !== "" ? (raw[k] as string) : undefined);
  const prefixMatching = str("prefix-matching");
  const requestedEntitySecret = str("requested-entity-secret");
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    contract: r.contract,
    ...(r.requestId !== undefined ? { requestId: r.requestId } : {}),
    database: r.resource,
    isPrefix: isPrefixRequest(r.resource),
    prefix: prefixOf(r.resource),
    extraUserRoles: r.extraUserRoles,
    extraGroupRoles: r.extraGroupRoles,
    ...(r.entityType ? { entityType: r.entityType } : {}),
    ...(r.entityPermissions ? { entityPermissions: r.entityPermissions } : {}),
    externalNodeConnectivity: r.externalNodeConnectivity,
    ...(prefixMatching !== undefined ? { prefixMatching } : {}),
    ...(r.requestedSecrets !== undefined ? { requestedSecrets: r.requestedSecrets } : {}),
    ...(requestedEntitySecret !== undefined ? { requestedEntitySecret } : {}),
  };
}

const list = (v: readonly string[] | string, sort = false): string =>
  typeof v === "string" ? v : formatCommaList(v, { sort });

export class PostgresqlProvider {
  readonly events = new Emitter<PostgresqlProviderEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly #engine: DataProvider;
  readonly #peerEndpoint: string | undefined;
  readonly #tlsSpelling: BoolSpelling;

  constructor(charm: Charm, endpoint: string = DEFAULT_ENDPOINT, options: PostgresqlProviderOptions = {}) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.#peerEndpoint = options.peerEndpoint;
    this.#tlsSpelling = options.tlsSpelling ?? TLS_SPELLING;
    this.#engine = new DataProvider(charm, this.endpoint, POSTGRESQL_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      // The engine keeps a departing unit's secrets itself; PgBouncer's peer flag counts too.
      retainSecretsOnBroken: (relation) => this.#peerFlag(relation),
      validateRequest: (request) => this.#validate(request),
    });
    const ev = this.#engine.events;
    ev.on("requested", ({ request }) =>
      this.events.emit("databaseRequested", { request: toRequest(request) }),
    );
    ev.on("entityRequested", ({ request }) =>
      this.events.emit("databaseEntityRequested", { request: toRequest(request) }),
    );
    ev.on("entityPermissionsChanged", ({ request }) =>
      this.events.emit("entityPermissionsChanged", { request: toRequest(request) }),
    );
    ev.on("requestRemoved", ({ relation, requestId, resource }) =>
      this.events.emit("requestRemoved", { relation, requestId, database: resource }),
    );
    ev.on("requestInvalid", async ({ relation, error }) => {
      const changed = error.issues.filter((i) => i.rule === "cannot change after the request was made");
      const err = changed.length ? new RequestChangedError(changed) : error;
      await emitOrBlock(this.events, "requestInvalid", { relation, error: err }, charm.model);
    });
    ev.on("gone", async ({ relation, remoteApp }) => {
      const departing = this.isDeparting(relation);
      await this.events.emit("gone", {
        relation,
        remoteApp,
        departing,
        removeUser: !departing && charm.model.isLeader(),
      });
    });
    charm.on(
      "relationDeparted",
      async (e) => {
        const departing = e.departingUnit === charm.unit;
        // Like PgBouncer, also in the unit's peer bag (the engine keeps its own marker file).
        if (departing) this.#peerRelation()?.localUnit.set(this.#departingKey(e.relation.ref), "true");
        await this.events.emit("relationDeparted", {
          relation: e.relation.ref,
          remoteApp: e.remoteApp,
          ...(e.departingUnit !== undefined ? { departingUnit: e.departingUnit } : {}),
          departing,
        });
      },
      { endpoint: this.endpoint },
    );
  }

  /** Observe one of this interface's events; returns a function that removes the handler. */
  on<K extends keyof PostgresqlProviderEvents>(
    name: K,
    handler: Handler<PostgresqlProviderEvents[K]>,
  ): () => void {
    return this.events.on(name, handler);
  }

  /** Every valid request on every relation of the endpoint (any unit: it reads only remote bags). */
  requests(): PostgresqlRequest[] {
    return this.#engine.requests().map(toRequest);
  }

  /** The request on one relation (v0), or with a given id (v1). */
  request(relation: RelationRef, requestId?: string): PostgresqlRequest | undefined {
    return this.requests().find(
      (r) => r.relation.id === relation.id && (requestId === undefined || r.requestId === requestId),
    );
  }

  /**
   * Publish (leader) for a request or a relation: each field goes to its secret (when the requirer
   * listed it in `requested-secrets`) or to a plain key, all in this hook's single write. Unchanged
   * values cost nothing, so it is safe to call from every hook. Before the requirer's request arrived
   * only endpoints may be published (`PrematureWriteError`).
   */
  publish(target: PostgresqlRequest | RelationRef, answer: PostgresqlAnswer): void {
    const relation = "relation" in target ? target.relation : target;
    const request = "relation" in target ? target : this.request(relation);
    const fields = this.#fields(answer, request);
    this.#engine.publish(relation, fields, request?.requestId ? { requestId: request.requestId } : {});
  }

  /** Publish the same fields (endpoints, version, TLS, …) to every request on every relation (leader). */
  publishAll(answer: PostgresqlAnswer): void {
    for (const request of this.requests()) this.publish(request, answer);
  }

  /** Read back what this app published for a request or relation (leader): e.g. to keep a password. */
  published(target: PostgresqlRequest | RelationRef): PostgresqlPublished {
    const relation = "relation" in target ? target.relation : target;
    const requestId = "relation" in target ? target.requestId : undefined;
    const f = this.#engine.published(relation, requestId ? { requestId } : {});
    const split = (k: string) => (f[k] ? f[k].split(",").filter((x) => x !== "") : []);
    return {
      ...(f.database !== undefined ? { database: f.database } : {}),
      endpoints: split("endpoints"),
      readOnlyEndpoints: split("read-only-endpoints"),
      ...(f.version !== undefined ? { version: f.version } : {}),
      ...(f.username !== undefined ? { username: f.username } : {}),
      ...(f.password !== undefined ? { password: f.password } : {}),
      uris: split("uris"),
      ...(f.tls !== undefined ? { tls: parseBool(f.tls) === true } : {}),
      ...(f["tls-ca"] ? { tlsCa: f["tls-ca"] } : {}),
      ...(f["entity-name"] !== undefined ? { entityName: f["entity-name"] } : {}),
      ...(f["entity-password"] !== undefined ? { entityPassword: f["entity-password"] } : {}),
    };
  }

  /**
   * The custom user the requirer asked for in `requested-entity-secret` (postgresql 16/edge). Not
   * readable means "Missing grant to requested entity secret" (or already removed after creation).
   */
  requestedEntity(request: PostgresqlRequest): RequestedEntityRead {
    const raw = this.#engine
      .requests()
      .find((r) => r.relation.id === request.relation.id && r.requestId === request.requestId);
    if (!raw) return { ok: false, reason: "absent" };
    return this.#engine.requestedEntity(raw);
  }

  /** Subordinate providers: this unit's `state: ready` (any unit, its own unit bag). */
  setUnitReady(relation: RelationRef, ready = true): void {
    this.charm.model.relation(relation).localUnit.set("state", ready ? "ready" : undefined);
  }

  raiseStatus(relation: RelationRef, status: RelationStatus): void {
    this.#engine.raiseStatus(relation, status);
  }

  resolveStatus(relation: RelationRef, code: number): void {
    this.#engine.resolveStatus(relation, code);
  }

  clearStatuses(relation: RelationRef): void {
    this.#engine.clearStatuses(relation);
  }

  /**
   * Whether this unit marked itself departing from the relation (set in relation-departed): the core
   * engine's marker in the charm directory (LP#1979811), or PgBouncer's flag in the peer unit bag.
   */
  isDeparting(relation: RelationRef): boolean {
    return this.#engine.isDeparting(relation) || this.#peerFlag(relation);
  }

  // ------------------------------------------------------------------------------------------

  #departingKey(relation: RelationRef): string {
    return `${relation.endpoint}_${relation.id}_departing`;
  }

  /** The peer relation, while this unit is still in it (a departing unit may have left it already). */
  #peerRelation() {
    if (!this.#peerEndpoint) return undefined;
    return this.charm.model.relations(this.#peerEndpoint)[0];
  }

  #peerFlag(relation: RelationRef): boolean {
    return this.#peerRelation()?.localUnit.get(this.#departingKey(relation)) === "true";
  }

  /** The interface's rules on a request (the engine already checked JSON shapes and entity-type). */
  #validate(request: ProviderRequest): RemoteDataError | undefined {
    if (request.contract === "v0")
      return checkBag(requirerAppDatabagSchema, request.raw, request.relation, "requirer");
    const db = databaseNameSchema.safeParse(request.resource);
    if (db.success) return undefined;
    return new RemoteDataError([
      {
        relation: request.relation,
        side: "requirer",
        bag: "app",
        key: `requests[${request.requestId}].resource`,
        rule: db.error.issues[0]?.message ?? "invalid database name",
      },
    ]);
  }

  /** Canonical field names and wire spellings for the engine. */
  #fields(a: PostgresqlAnswer, request: PostgresqlRequest | undefined): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    const set = (key: string, value: string | null | undefined) => {
      if (value !== undefined) out[key] = value === null ? undefined : value;
    };
    const opt = <T>(v: T | null | undefined, f: (x: T) => string) =>
      v === undefined ? undefined : v === null ? null : f(v);
    set("database", a.database);
    set(
      "endpoints",
      opt(a.endpoints, (v) => list(v)),
    );
    set(
      "read-only-endpoints",
      opt(a.readOnlyEndpoints, (v) => list(v)),
    );
    set("version", a.version);
    set(
      "prefix-databases",
      opt(a.prefixDatabases, (v) => list(v, true)),
    );
    set("username", a.username);
    set("password", a.password);
    set(
      "uris",
      opt(a.uris, (v) => list(v)),
    );
    if (a.readOnlyUris !== undefined) {
      // PostgreSQL/PgBouncer publish read-only-uris only when requested as a secret (I-26).
      if (request?.contract === "v1" || request?.requestedSecrets?.includes("read-only-uris")) {
        set(
          "read-only-uris",
          opt(a.readOnlyUris, (v) => list(v)),
        );
      } else if (a.readOnlyUris !== null) {
        this.charm.model.log(
          "WARNING",
          `${this.endpoint}: requirer did not request "read-only-uris" as a secret; not publishing it`,
        );
      }
    }
    set(
      "tls",
      opt(a.tls, (v) => formatBool(v, this.#tlsSpelling)),
    );
    set("tls-ca", a.tlsCa === undefined && a.tls === false ? "" : a.tlsCa);
    set("entity-name", a.entityName);
    set("entity-password", a.entityPassword);
    set(
      "subordinated",
      opt(a.subordinated, (v) => (v ? "true" : "")),
    );
    // The Python requirer reads the echo; publish it with the credentials if the charm did not.
    if (out.database === undefined && a.database === undefined && request && (a.username || a.entityName)) {
      out.database = request.database;
    }
    return out;
  }
}
