/**
 * Example provider charm for postgresql_client, shaped like the PostgreSQL and PgBouncer charms
 * (interfaces.md §1.5) minus running PostgreSQL: it answers every database request with a user
 * `relation-<id>`, a random password per relation, `uris`, the endpoints, version and TLS settings from
 * its config, all in the hook that saw the request.
 *
 * - `password-generation` (config): bump it to rotate every relation's password (`secret-set` in place);
 * - requests with invalid `extra-user-roles` or database names leave the unit Blocked, like the
 *   postgresql charm ("invalid role(s) for extra user roles", "invalid database name");
 * - a custom username sent in `requested-entity-secret` is honoured;
 * - PgBouncer's departing flow: a unit that is being removed never drops its clients' users; when a
 *   relation really goes, the leader "drops" the user (recorded in the peer databag, as there is no
 *   database here) and keeps the database.
 */

import {
  connectionUri,
  databaseNameProblem,
  generatePassword,
  type PostgresqlAnswer,
  PostgresqlProvider,
  type PostgresqlRequest,
  relationUsername,
  validateExtraUserRoles,
} from "@charm-relations/interface-postgresql-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const PEERS = "postgresql-peers";
/** Peer app databag keys (leader). */
export const GENERATION_KEY = "password-generation";
export const DROPPED_USERS_KEY = "dropped-users";

interface Settings {
  readonly endpoints: string;
  readonly readOnlyEndpoints: string;
  readonly version: string;
  readonly tlsCa: string;
  readonly generation: string;
}

export function setup(charm: Charm): void {
  const provider = new PostgresqlProvider(charm, { endpoint: "database", peerEndpoint: PEERS });
  const model = charm.model;
  let blocked: string | undefined;

  const settings = (): Settings => {
    const c = model.config();
    const endpoints = typeof c.endpoints === "string" && c.endpoints !== "" ? c.endpoints : "10.1.0.10:5432";
    const ro = typeof c["read-only-endpoints"] === "string" ? c["read-only-endpoints"] : "";
    return {
      endpoints,
      // The VM charm falls back to the primary when there are no replicas.
      readOnlyEndpoints: ro !== "" ? ro : endpoints,
      version: typeof c.version === "string" && c.version !== "" ? c.version : "16.8.1",
      tlsCa: typeof c["tls-ca"] === "string" ? c["tls-ca"] : "",
      generation: String(c[GENERATION_KEY] ?? 0),
    };
  };

  const peerApp = () => model.relations(PEERS)[0]?.localApp;

  /** Why this request cannot be served (the Blocked message), or undefined. */
  const rejection = (request: PostgresqlRequest): string | undefined => {
    if (databaseNameProblem(request.database)) return "invalid database name";
    const roles = validateExtraUserRoles(request.extraUserRoles);
    return roles.ok ? undefined : roles.message;
  };

  const connection = (s: Settings): PostgresqlAnswer => ({
    endpoints: s.endpoints,
    readOnlyEndpoints: s.readOnlyEndpoints,
    version: s.version,
    tls: s.tlsCa !== "",
    tlsCa: s.tlsCa,
  });

  /** Publish (or refresh) everything for one request, in this hook (leader). */
  const serve = (request: PostgresqlRequest, rotate: boolean): void => {
    const why = rejection(request);
    if (why) {
      blocked = why;
      return;
    }
    const s = settings();
    const published = provider.published(request);
    let username = published.username ?? relationUsername(request.relation.id);
    if (published.username === undefined && request.requestedEntitySecret) {
      // postgresql 16/edge: a custom username sent in the requirer's requested-entity secret.
      const entity = provider.requestedEntity(request);
      if (!entity.ok) {
        blocked = "Missing grant to requested entity secret";
        return;
      }
      username = entity.name;
    }
    const password = !rotate && published.password ? published.password : generatePassword();
    const database = request.isPrefix ? request.prefix : request.database;
    const primary = s.endpoints.split(",")[0]!.trim();
    provider.publish(request, {
      ...connection(s),
      database: request.database,
      username,
      password,
      uris: connectionUri({ username, password, endpoint: primary, database }),
    });
  };

  const serveEntity = (request: PostgresqlRequest): void => {
    const entity = provider.requestedEntity(request);
    const name = entity.ok ? entity.name : `${request.remoteApp ?? "client"}_${request.relation.id}`;
    const published = provider.published(request);
    provider.publish(request, {
      ...connection(settings()),
      database: request.database,
      entityName: name,
      // A GROUP has no password; a USER gets the requested one or a new one.
      entityPassword:
        request.entityType === "GROUP"
          ? null
          : (published["entity-password"] ?? (entity.ok ? entity.password : undefined) ?? generatePassword()),
    });
  };

  provider.on("databaseRequested", ({ request }) => serve(request, false));
  provider.on("databaseEntityRequested", ({ request }) => serveEntity(request));
  provider.on("databaseEntityPermissionsChanged", ({ request }) => {
    model.log("INFO", `${request.relation.endpoint}:${request.relation.id}: entity permissions changed`);
  });
  provider.on("invalid", ({ error }) => {
    blocked = error.message;
  });

  charm.on("configChanged", () => {
    if (!model.isLeader()) return;
    const s = settings();
    const peers = peerApp();
    const rotate = peers !== undefined && (peers.get(GENERATION_KEY) ?? "0") !== s.generation;
    for (const request of provider.requests()) {
      if (request.entityType) provider.publish(request, connection(s));
      else if (provider.published(request).username !== undefined || !rejection(request))
        serve(request, rotate);
    }
    if (peers && rotate) peers.set(GENERATION_KEY, s.generation);
  });

  charm.on(
    "relationDeparted",
    ({ relation, departingUnit }) => {
      // Keep the connection information current for the units that stay.
      if (departingUnit !== charm.unit && model.isLeader() && provider.request(relation.ref)) {
        provider.publish(relation.ref, connection(settings()));
      }
    },
    { endpoint: provider.endpoint },
  );

  provider.on("gone", ({ relation, departing }) => {
    if (departing) {
      model.log(
        "INFO",
        `${relation.endpoint}:${relation.id}: this unit is departing; keeping the client's user`,
      );
      return;
    }
    if (!model.isLeader()) return;
    const user = relationUsername(relation.id);
    model.log("INFO", `dropping user ${user} (the database is kept)`);
    const peers = peerApp();
    if (peers) {
      const dropped = JSON.parse(peers.get(DROPPED_USERS_KEY) ?? "[]") as string[];
      peers.set(DROPPED_USERS_KEY, JSON.stringify([...dropped, user]));
    }
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    const requests = provider.requests();
    const refused = requests.map(rejection).find((r) => r !== undefined);
    if (blocked ?? refused) e.add("blocked", (blocked ?? refused)!);
    else e.add("active", `serving ${requests.length} database request(s)`);
  });
}

void runCharmIfMain(import.meta.url, setup);
