/**
 * `MongodbProvider`: the database side of mongodb_client (what mongodb-operator offers on its
 * `database` endpoint). This class adds the interface's answer type and the connection-string rule;
 * the engine does the protocol (request events on the leader, secrets per group, cleanup on broken).
 *
 *   const db = new MongodbProvider(charm);
 *   db.on("databaseRequested", ({ request }) => db.publish(request, { username, password, uris, … }));
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
import { mongodbClient } from "./definition.js";

/** A request as the provider sees it. */
export type MongodbRequest = DatabaseRequest;

/** What a provider publishes; `undefined` leaves a field alone, `null` removes it. */
export interface MongodbAnswer {
  /** The database echo; `publish` fills in the requested name when credentials go out without it. */
  readonly database?: string | null;
  /** Replica-set member hosts (mongodb-operator: IPs without port). */
  readonly endpoints?: readonly string[] | string | null;
  readonly readOnlyEndpoints?: readonly string[] | string | null;
  /** The replica-set name (mongodb-operator: its application name). */
  readonly replset?: string | null;
  /** One connection string (see `mongodbUri`); it goes in `secret-user` with the credentials. */
  readonly uris?: string | null;
  readonly version?: string | null;
  readonly username?: string | null;
  readonly password?: string | null;
  /** Written `True`/`False` (Python's `str(bool)`). */
  readonly tls?: boolean | null;
  readonly tlsCa?: string | null;
  readonly entityName?: string | null;
  readonly entityPassword?: string | null;
}

/** `databaseRequested`, `databaseEntityRequested`, … (all `{ relation, remoteApp, request }`), `gone`, `invalid`. */
export type MongodbProviderEvents = ProviderEvents<typeof mongodbClient, MongodbRequest>;

export type MongodbProviderOptions = ProviderOptions;

export class MongodbProvider extends InterfaceProvider<typeof mongodbClient, MongodbRequest, MongodbAnswer> {
  constructor(charm: Charm, options: MongodbProviderOptions = {}) {
    super(charm, mongodbClient, options, toDatabaseRequest);
  }

  protected fieldsOf(
    a: MongodbAnswer,
    request: MongodbRequest | undefined,
  ): Record<string, string | undefined> {
    return answerFields({ ...a }, { bool: "True", echo: request && { database: request.database } });
  }
}

/** The relation user mongodb-operator creates. */
export function relationUsername(relationId: number): string {
  return `relation-${relationId}`;
}

/** Python's `quote_plus`: everything but `[A-Za-z0-9_.~-]` percent-encoded, a space as `+`. */
function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * mongodb-operator's connection string: `mongodb://<user>:<password>@<host>:<port>,…/<database>`
 * `?replicaSet=<replset>&authSource=admin` (user, password, database and replset `quote_plus`-encoded;
 * no `replicaSet` for mongos).
 */
export function mongodbUri(parts: {
  readonly username: string;
  readonly password: string;
  readonly hosts: readonly string[];
  readonly database: string;
  readonly replset?: string;
  readonly port?: number;
}): string {
  const port = parts.port ?? 27017;
  const hosts = parts.hosts.map((h) => (/:\d+$/.test(h) ? h : `${h}:${port}`)).join(",");
  const query = parts.replset
    ? `replicaSet=${quotePlus(parts.replset)}&authSource=admin`
    : "authSource=admin";
  return `mongodb://${quotePlus(parts.username)}:${quotePlus(parts.password)}@${hosts}/${quotePlus(parts.database)}?${query}`;
}
