/**
 * `MysqlProvider`: the database side of mysql_client (what mysql-operator, mysql-k8s-operator and
 * mysql-router offer on their `database` endpoint). This class adds the interface's answer type; the
 * engine does the protocol (request events on the leader, secrets per group, cleanup on broken).
 *
 *   const db = new MysqlProvider(charm);
 *   db.on("databaseRequested", ({ request }) => db.publish(request, { username, password, endpoints, … }));
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  answerFields,
  type DatabaseRequest,
  InterfaceProvider,
  type ProviderEvents,
  type ProviderOptions,
  toDatabaseRequest,
} from "@charm-relations/juju-secrets-core/interface";
import { mysqlClient } from "./definition.js";

/** A request as the provider sees it. */
export type MysqlRequest = DatabaseRequest;

/** What a provider publishes; `undefined` leaves a field alone, `null` removes it. */
export interface MysqlAnswer {
  /** The database echo; `publish` fills in the requested name when credentials go out without it. */
  readonly database?: string | null;
  /** `host:port` items (or mysql-router's `file:///…/mysql.sock`). */
  readonly endpoints?: readonly string[] | string | null;
  /** Online read-only members; the VM charm leaves the key out while there are none. */
  readonly readOnlyEndpoints?: readonly string[] | string | null;
  /** Full server version, e.g. `8.0.39-0ubuntu0.22.04.1`. */
  readonly version?: string | null;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly uris?: readonly string[] | string | null;
  readonly readOnlyUris?: readonly string[] | string | null;
  /** Written `True`/`False` (Python's `str(bool)`). */
  readonly tls?: boolean | null;
  readonly tlsCa?: string | null;
  readonly entityName?: string | null;
  readonly entityPassword?: string | null;
  /** Prefix requests: matching databases (written sorted). */
  readonly prefixDatabases?: readonly string[] | null;
}

/** `databaseRequested`, `databaseEntityRequested`, … (all `{ relation, remoteApp, request }`), `gone`, `invalid`. */
export type MysqlProviderEvents = ProviderEvents<typeof mysqlClient, MysqlRequest>;

export type MysqlProviderOptions = ProviderOptions;

export class MysqlProvider extends InterfaceProvider<typeof mysqlClient, MysqlRequest, MysqlAnswer> {
  constructor(charm: Charm, options: MysqlProviderOptions = {}) {
    super(charm, mysqlClient, options, toDatabaseRequest);
  }

  protected fieldsOf(a: MysqlAnswer, request: MysqlRequest | undefined): Record<string, string | undefined> {
    const echo = request && { database: request.database };
    return answerFields({ ...a }, { bool: "True", sorted: ["prefix-databases"], echo });
  }
}

/**
 * The relation user mysql-operator creates: `relation-<id>_<model uuid without dashes>`, cut to 26
 * characters (MySQL 8 allows 32).
 */
export function relationUsername(relationId: number, modelUuid: string): string {
  return `relation-${relationId}_${modelUuid.replace(/-/g, "")}`.slice(0, 26);
}
