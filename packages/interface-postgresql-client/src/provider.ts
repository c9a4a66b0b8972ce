/**
 * `PostgresqlProvider`: the database side of postgresql_client (what the PostgreSQL and PgBouncer charms
 * offer on their `database` endpoint), serving v0 requirers and v1 requirers alike. This class adds the
 * interface's request and answer types, its value spellings (`tls: True/False`) and PgBouncer's
 * departing flag in the peer unit bag; the engine does the protocol.
 *
 *   const db = new PostgresqlProvider(charm);
 *   db.on("databaseRequested", ({ request }) => db.publish(request, { username, password, endpoints, … }));
 */

import type { Charm, RelationRef } from "@charm-relations/juju-secrets-core";
import {
  answerFields,
  type EntityPermission,
  InterfaceProvider,
  type ProviderEvents,
  type ProviderOptions,
  type ProviderRequest,
} from "@charm-relations/juju-secrets-core/interface";
import type { BoolSpelling } from "@charm-relations/juju-secrets-core/protocol";
import { postgresqlClient } from "./definition.js";
import { isPrefixRequest, prefixOf } from "./helpers.js";

/** PostgreSQL and PgBouncer write `tls` Python-capitalised (interfaces.md §1.3). */
export const TLS_SPELLING = "True" as const;

/** The request fields a provider may not see change once the database was created (protocol §4.10). */
export const IMMUTABLE_REQUEST_KEYS: readonly string[] = [
  "database",
  "entity-type",
  "extra-user-roles",
  "extra-group-roles",
];

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

/** The events: `databaseRequested`, `databaseEntityRequested`, … (all `{ relation, remoteApp, request }`). */
export type PostgresqlProviderEvents = ProviderEvents<typeof postgresqlClient, PostgresqlRequest>;

export interface PostgresqlProviderOptions extends ProviderOptions {
  /**
   * Peer endpoint where each unit also keeps its departing flag (`<endpoint>_<relation-id>_departing:
   * "true"` in its unit bag, as PgBouncer does). The flag is always kept in the charm directory too.
   */
  readonly peerEndpoint?: string;
  /** Spelling of `tls` (default `True`, as PostgreSQL and PgBouncer write it). */
  readonly tlsSpelling?: BoolSpelling;
}

function toRequest(r: ProviderRequest): PostgresqlRequest {
  const str = (k: string) =>
    typeof r.raw[k] === "string" && r.raw[k] !== "" ? (r.raw[k] as string) : undefined;
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

export class PostgresqlProvider extends InterfaceProvider<
  typeof postgresqlClient,
  PostgresqlRequest,
  PostgresqlAnswer
> {
  readonly #peerEndpoint: string | undefined;
  readonly #tlsSpelling: BoolSpelling;

  constructor(charm: Charm, options: PostgresqlProviderOptions = {}) {
    super(charm, postgresqlClient, options, toRequest);
    this.#peerEndpoint = options.peerEndpoint;
    this.#tlsSpelling = options.tlsSpelling ?? TLS_SPELLING;
    charm.on(
      "relationDeparted",
      (e) => {
        // Like PgBouncer, also in the unit's peer bag (the engine keeps its own marker file).
        if (e.departingUnit === charm.unit)
          peerRelation(charm, this.#peerEndpoint)?.localUnit.set(departingKey(e.relation.ref), "true");
      },
      { endpoint: this.endpoint },
    );
  }

  /** Subordinate providers: this unit's `state: ready` (any unit, its own unit bag). */
  setUnitReady(relation: RelationRef, ready = true): void {
    this.charm.model.relation(relation).localUnit.set("state", ready ? "ready" : undefined);
  }

  /**
   * Whether this unit marked itself departing from the relation (set in relation-departed): the core
   * engine's marker in the charm directory (LP#1979811), or PgBouncer's flag in the peer unit bag.
   */
  override isDeparting(relation: RelationRef): boolean {
    return super.isDeparting(relation) || departingFlag(this.charm, this.#peerEndpoint, relation);
  }

  protected fieldsOf(
    a: PostgresqlAnswer,
    request: PostgresqlRequest | undefined,
  ): Record<string, string | undefined> {
    const { readOnlyUris, tls, tlsCa, subordinated, ...rest } = a;
    const out = answerFields(rest, {
      bool: this.#tlsSpelling,
      sorted: ["prefix-databases"],
      echo: request && { database: request.database },
    });
    if (readOnlyUris !== undefined) {
      // PostgreSQL/PgBouncer publish read-only-uris only when requested as a secret (I-26).
      if (request?.contract === "v1" || request?.requestedSecrets?.includes("read-only-uris")) {
        Object.assign(out, answerFields({ readOnlyUris }));
      } else if (readOnlyUris !== null) {
        this.charm.model.log(
          "WARNING",
          `${this.endpoint}: requirer did not request "read-only-uris" as a secret; not publishing it`,
        );
      }
    }
    Object.assign(
      out,
      answerFields(
        { tls, tlsCa: tlsCa === undefined && tls === false ? "" : tlsCa },
        { bool: this.#tlsSpelling },
      ),
    );
    if (subordinated !== undefined) out.subordinated = subordinated ? "true" : undefined;
    return out;
  }
}

function departingKey(relation: RelationRef): string {
  return `${relation.endpoint}_${relation.id}_departing`;
}

/** The peer relation, while this unit is still in it (a departing unit may have left it already). */
function peerRelation(charm: Charm, peerEndpoint: string | undefined) {
  return peerEndpoint ? charm.model.relations(peerEndpoint)[0] : undefined;
}

/** PgBouncer's departing flag of a relation in this unit's peer bag. */
function departingFlag(charm: Charm, peerEndpoint: string | undefined, relation: RelationRef): boolean {
  return peerRelation(charm, peerEndpoint)?.localUnit.get(departingKey(relation)) === "true";
}
