/**
 * `PostgresqlRequirer`: the client side of postgresql_client (a charm that needs a database from the
 * PostgreSQL or PgBouncer charms). It wraps the core `DataRequirer` (v0 flat contract) and turns its
 * generic events into this interface's: `databaseCreated`, `endpointsChanged`, `credentialsRotated`, …
 *
 * Every requirer unit gets the events (each keeps its own snapshot); only the leader writes the
 * request. Credentials are resolved from the provider's secrets, or from the plain-text fallback.
 */

import {
  type Charm,
  CharmRelationsError,
  DataRequirer,
  Emitter,
  type EntityPermission,
  emitOrBlock,
  forwardEvents,
  type Handler,
  isNoneCa,
  parseBool,
  parseCommaList,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatusEvent,
  type RemoteLimits,
  type RequestSpec,
  type ResolvedResponse,
  SECRET_GROUPS,
} from "@charm-relations/juju-secrets-core";
import {
  checkBag,
  checkResolvedFields,
  DEFAULT_ENDPOINT,
  databaseNameSchema,
  entityPermissionSchema,
  POSTGRESQL_CLIENT,
  providerAppDatabagSchema,
} from "./schema.js";

/** A requirer option that cannot be sent (names the option, never a secret value). */
export class PostgresqlOptionError extends CharmRelationsError {
  override name = "PostgresqlOptionError";
  readonly option: string;
  constructor(option: string, rule: string) {
    super(`postgresql_client requirer option "${option}": ${rule}`);
    this.option = option;
  }
}

export interface PostgresqlRequirerOptions {
  /** Database name, or a prefix request `xyz*` (at least 3 characters before the `*`). */
  readonly database: string;
  /** e.g. `["CREATEDB", "CREATEROLE"]`, `["SUPERUSER"]`; not with `entityType: "GROUP"`. */
  readonly extraUserRoles?: readonly string[];
  /** e.g. `["charmed_read"]`; only with `entityType: "GROUP"`. */
  readonly extraGroupRoles?: readonly string[];
  /** Ask for a custom user or group instead of (or besides) the relation user. */
  readonly entityType?: "USER" | "GROUP";
  /** Privileges of the entity, e.g. `[{ resource_name: "items", resource_type: "TABLE", privileges: ["SELECT"] }]`. */
  readonly entityPermissions?: readonly EntityPermission[];
  /**
   * A custom name (and optionally password) for the user the provider creates, sent in a requirer-owned
   * secret (`requested-entity-secret`) that is removed once the provider answered.
   */
  readonly requestedEntity?: { readonly name: string; readonly password?: string };
  /** Ask for endpoints reachable from outside the cluster (PgBouncer on K8s: NodePort). */
  readonly externalNodeConnectivity?: boolean;
  /** `all`: every database matching a prefix request (postgresql 16/edge). */
  readonly prefixMatching?: string;
  /** Further provider fields to receive in secrets (appended to the default `requested-secrets`). */
  readonly additionalSecretFields?: readonly string[];
  /**
   * Limits on what the providers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** What a requirer unit knows about its database on one relation, with secrets resolved. */
export interface PostgresqlConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** The provider's `database` echo, or what we asked for while there is none. */
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
  /** `postgresql://<username>:<password>@<host:port>/<database>` (one per entry). */
  readonly uris: readonly string[];
  /** Only when the provider publishes it (it must have been requested as a secret). */
  readonly readOnlyUris: readonly string[];
  /** Read-write `host:port` endpoints. */
  readonly endpoints: readonly string[];
  /** Read-only replicas (PgBouncer: the same as `endpoints`; use `<db>_readonly`). */
  readonly readOnlyEndpoints: readonly string[];
  /** Engine version, e.g. `16.8.1`. */
  readonly version?: string;
  /** For prefix requests: the matching databases, sorted. */
  readonly prefixDatabases: readonly string[];
  readonly tls: boolean;
  /** PEM CA chain; undefined when TLS is off (`""` on the wire). */
  readonly tlsCa?: string;
  /** Entity requests: the created user or group. */
  readonly entityName?: string;
  readonly entityPassword?: string;
  /** `plain`: the provider wrote credentials as plain keys (a requirer that sent no `requested-secrets`). */
  readonly mode: "secrets" | "plain";
  /** Credentials readable and endpoints present (entity requests: the entity name). */
  readonly ready: boolean;
  /** Secret groups published but not readable yet (not granted yet). */
  readonly pendingSecrets: readonly string[];
}

export interface DatabaseEvent {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly connection: PostgresqlConnection;
}

export interface PostgresqlRequirerEvents {
  /** First time the database is usable: credentials readable and endpoints present (every unit). */
  databaseCreated: DatabaseEvent;
  /** Entity requests: the custom user/group was created (`secret-entity` readable). */
  databaseEntityCreated: DatabaseEvent & { readonly entityName: string; readonly entityPassword?: string };
  /** `endpoints` added or changed after creation. */
  endpointsChanged: DatabaseEvent & { readonly endpoints: readonly string[] };
  /** `read-only-endpoints` added or changed after creation. */
  readOnlyEndpointsChanged: DatabaseEvent & { readonly readOnlyEndpoints: readonly string[] };
  /** `prefix-databases` added or changed (prefix requests). */
  prefixDatabasesChanged: DatabaseEvent & { readonly prefixDatabases: readonly string[] };
  /** Any plain field changed after creation (canonical key names), including the three above. */
  changed: DatabaseEvent & { readonly keys: readonly string[] };
  /** A provider secret got a new revision (password rotation, TLS switch) or a new URI. */
  credentialsRotated: DatabaseEvent & { readonly groups: readonly string[] };
  statusRaised: RelationStatusEvent;
  statusResolved: RelationStatusEvent;
  /** relation-broken: stop using the database (`departing`: only this unit leaves, the relation lives on). */
  gone: RelationGoneEvent;
  /** The provider's data could not be understood; nothing was written for that relation in this hook. */
  invalid: RelationInvalidEvent;
}

function validateOptions(o: PostgresqlRequirerOptions): void {
  const db = databaseNameSchema.safeParse(o.database);
  if (!db.success) throw new PostgresqlOptionError("database", db.error.issues[0]?.message ?? "invalid");
  for (const key of ["extraUserRoles", "extraGroupRoles"] as const) {
    for (const role of o[key] ?? []) {
      if (typeof role !== "string" || role.trim() === "" || role.includes(",")) {
        throw new PostgresqlOptionError(key, "each role must be a non-empty string without ','");
      }
    }
  }
  if (o.entityType !== undefined && o.entityType !== "USER" && o.entityType !== "GROUP") {
    throw new PostgresqlOptionError("entityType", 'expected "USER" or "GROUP"');
  }
  if (o.extraUserRoles?.length && o.entityType === "GROUP") {
    throw new PostgresqlOptionError(
      "extraUserRoles",
      'not allowed with entityType "GROUP" (use extraGroupRoles)',
    );
  }
  if (o.extraGroupRoles?.length && o.entityType !== "GROUP") {
    throw new PostgresqlOptionError("extraGroupRoles", 'only allowed with entityType "GROUP"');
  }
  if (o.entityPermissions !== undefined) {
    if (o.entityType === undefined)
      throw new PostgresqlOptionError("entityPermissions", "needs an entityType");
    const perms = entityPermissionSchema.array().safeParse(o.entityPermissions);
    if (!perms.success) {
      throw new PostgresqlOptionError(
        "entityPermissions",
        "expected [{ resource_name, resource_type, privileges[] }]",
      );
    }
  }
  if (o.requestedEntity !== undefined) {
    const { name, password } = o.requestedEntity;
    if (typeof name !== "string" || name.trim() === "") {
      throw new PostgresqlOptionError("requestedEntity.name", "must be a non-empty string");
    }
    if (password !== undefined && (typeof password !== "string" || password === "")) {
      throw new PostgresqlOptionError("requestedEntity.password", "must be a non-empty string when given");
    }
  }
  if (o.prefixMatching !== undefined && (typeof o.prefixMatching !== "string" || o.prefixMatching === "")) {
    throw new PostgresqlOptionError(
      "prefixMatching",
      "must be a non-empty string (postgresql honours `all`)",
    );
  }
}

/** The core request spec for these options. */
function requestSpec(o: PostgresqlRequirerOptions): RequestSpec {
  return {
    resource: o.database,
    ...(o.extraUserRoles?.length ? { extraUserRoles: o.extraUserRoles } : {}),
    ...(o.extraGroupRoles?.length ? { extraGroupRoles: o.extraGroupRoles } : {}),
    ...(o.entityType ? { entityType: o.entityType } : {}),
    ...(o.entityPermissions ? { entityPermissions: o.entityPermissions } : {}),
    ...(o.requestedEntity ? { requestedEntity: o.requestedEntity } : {}),
    ...(o.externalNodeConnectivity ? { externalNodeConnectivity: true } : {}),
    ...(o.prefixMatching ? { extra: { "prefix-matching": o.prefixMatching } } : {}),
  };
}

export class PostgresqlRequirer {
  readonly events = new Emitter<PostgresqlRequirerEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly options: PostgresqlRequirerOptions;
  readonly #engine: DataRequirer;
  /** The raw bag of the answer being validated (validateBag runs right before validateResponse). */
  #bagInFlight: Readonly<Record<string, string>> = {};

  constructor(charm: Charm, endpoint: string = DEFAULT_ENDPOINT, options: PostgresqlRequirerOptions) {
    validateOptions(options);
    this.charm = charm;
    this.endpoint = endpoint;
    this.options = options;
    this.#engine = new DataRequirer(charm, endpoint, POSTGRESQL_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      contract: "v0",
      requests: [requestSpec(options)],
      ...(options.additionalSecretFields ? { additionalSecretFields: options.additionalSecretFields } : {}),
      validateBag: (bag, relation) => {
        this.#bagInFlight = bag;
        return checkBag(providerAppDatabagSchema, bag, relation, "provider");
      },
      validateResponse: (response) =>
        checkResolvedFields(response.fields, this.#fromSecret(), response.relation),
    });
    const ev = this.#engine.events;
    ev.on("created", async ({ response }) => {
      const connection = this.#connection(response);
      const base = { relation: response.relation, remoteApp: response.remoteApp, connection };
      if (options.entityType) {
        await this.events.emit("databaseEntityCreated", {
          ...base,
          entityName: connection.entityName ?? "",
          ...(connection.entityPassword !== undefined ? { entityPassword: connection.entityPassword } : {}),
        });
      } else {
        await this.events.emit("databaseCreated", base);
      }
    });
    ev.on("changed", async ({ response, keys }) => {
      const connection = this.#connection(response);
      const base = { relation: response.relation, remoteApp: response.remoteApp, connection };
      if (keys.includes("endpoints")) {
        await this.events.emit("endpointsChanged", { ...base, endpoints: connection.endpoints });
      }
      if (keys.includes("read-only-endpoints")) {
        await this.events.emit("readOnlyEndpointsChanged", {
          ...base,
          readOnlyEndpoints: connection.readOnlyEndpoints,
        });
      }
      if (keys.includes("prefix-databases")) {
        await this.events.emit("prefixDatabasesChanged", {
          ...base,
          prefixDatabases: connection.prefixDatabases,
        });
      }
      await this.events.emit("changed", { ...base, keys });
    });
    ev.on("credentialsRotated", async ({ response, groups }) => {
      const connection = this.#connection(response);
      await this.events.emit("credentialsRotated", {
        relation: response.relation,
        remoteApp: response.remoteApp,
        connection,
        groups,
      });
    });
    forwardEvents(ev, this.events, ["statusRaised", "statusResolved", "gone"]);
    ev.on("invalid", (e) => emitOrBlock(this.events, "invalid", e, charm.model));
  }

  /** Observe one of this interface's events; returns a function that removes the handler. */
  on<K extends keyof PostgresqlRequirerEvents>(
    name: K,
    handler: Handler<PostgresqlRequirerEvents[K]>,
  ): () => void {
    return this.events.on(name, handler);
  }

  /** The `requested-secrets` list this requirer sends. */
  get requestedSecrets(): string[] {
    return this.#engine.requestedSecrets;
  }

  /**
   * The database on every relation of the endpoint, as this unit sees it now (any hook, any unit).
   * Answers the provider has not finished (or that fail validation) are included with `ready: false`.
   */
  connections(): PostgresqlConnection[] {
    return this.#engine.responses().map((r) => this.#connection(r));
  }

  /** The first ready connection (optionally on one relation), or undefined. */
  connection(relation?: RelationRef): PostgresqlConnection | undefined {
    return this.connections().find((c) => c.ready && (!relation || c.relation.id === relation.id));
  }

  /** True when there is a relation and the database is ready on every relation of the endpoint. */
  isReady(): boolean {
    const rels = this.charm.model.relations(this.endpoint);
    if (rels.length === 0) return false;
    const ready = new Set(
      this.connections()
        .filter((c) => c.ready)
        .map((c) => c.relation.id),
    );
    return rels.every((r) => ready.has(r.id));
  }

  /** Fields of the answer being validated that came from a secret. */
  #fromSecret(): Set<string> {
    const bag = this.#bagInFlight;
    const groups = (["user", "tls", "entity"] as const).filter((g) => bag[`secret-${g}`] !== undefined);
    return new Set(groups.flatMap((g) => SECRET_GROUPS[g]));
  }

  #connection(r: ResolvedResponse): PostgresqlConnection {
    const f = r.fields;
    const list = (k: string) => parseCommaList(f[k]);
    const valid = checkResolvedFields(f, new Set(), r.relation) === undefined;
    const tlsCa = f["tls-ca"];
    // Plain mode: the provider wrote the login as plain keys (no `secret-user` at all).
    const plain = f.username !== undefined && !this.#userSecretPublished(r);
    return {
      relation: r.relation,
      remoteApp: r.remoteApp,
      database: f.database ?? this.options.database,
      ...(f.username !== undefined ? { username: f.username } : {}),
      ...(f.password !== undefined ? { password: f.password } : {}),
      uris: list("uris"),
      readOnlyUris: list("read-only-uris"),
      endpoints: list("endpoints"),
      readOnlyEndpoints: list("read-only-endpoints"),
      ...(f.version !== undefined ? { version: f.version } : {}),
      prefixDatabases: list("prefix-databases"),
      tls: parseBool(f.tls) === true,
      ...(!isNoneCa(tlsCa) && tlsCa !== undefined ? { tlsCa } : {}),
      ...(f["entity-name"] !== undefined ? { entityName: f["entity-name"] } : {}),
      ...(f["entity-password"] ? { entityPassword: f["entity-password"] } : {}),
      mode: plain ? "plain" : "secrets",
      ready: r.ready && valid,
      pendingSecrets: r.pendingSecrets,
    };
  }

  /** Whether the provider published `secret-user` (read from the remote bag, cached for the hook). */
  #userSecretPublished(r: ResolvedResponse): boolean {
    return this.charm.model.relation(r.relation).remoteAppData()["secret-user"] !== undefined;
  }
}
