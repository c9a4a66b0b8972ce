/**
 * Example client charm for postgresql_client: asks for a database on its `database` endpoint and shows
 * what it got in its unit status. It works against the PostgreSQL and PgBouncer charms, and against the
 * `postgresql-provider` example.
 *
 * Status: `waiting` until credentials and endpoints are readable, then `active` with a message that
 * starts with `ready`; `blocked` when the provider publishes something unreadable. Secrets never
 * appear in the status or the log.
 */

import { PostgresqlRequirer } from "@charm-relations/interface-postgresql-client";
import { type Charm, type CharmEventName, runCharmIfMain } from "@charm-relations/juju-secrets-core";

const STATUS_ON: readonly CharmEventName[] = [
  "install",
  "start",
  "configChanged",
  "updateStatus",
  "leaderElected",
  "relationCreated",
  "relationJoined",
  "relationChanged",
  "relationDeparted",
  "relationBroken",
  "secretChanged",
];

const list = (v: unknown): string[] =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : [];

export function setup(charm: Charm): void {
  const model = charm.model;
  const config = model.config();
  const database = typeof config.database === "string" && config.database !== "" ? config.database : "myapp";
  const roles = list(config["extra-user-roles"]);
  const requirer = new PostgresqlRequirer(charm, { endpoint: "database", database,
    ...(roles.length ? { extraUserRoles: roles } : {}) });
  let invalid: string | undefined;

  requirer.on("databaseCreated", ({ connection }) => {
    model.log("INFO", `database ${connection.database} created for ${connection.username ?? "?"}`);
  });
  requirer.on("endpointsChanged", ({ connection }) =>
    model.log("INFO", `endpoints changed: ${connection.endpoints.join(",")}`),
  );
  requirer.on("readOnlyEndpointsChanged", ({ connection }) =>
    model.log("INFO", `read-only endpoints changed: ${connection.readOnlyEndpoints.join(",")}`),
  );
  requirer.on("credentialsRotated", ({ groups }) =>
    model.log("INFO", `credentials rotated (${groups.join(", ")})`),
  );
  requirer.on("statusRaised", ({ status }) =>
    model.log("WARNING", `provider status ${status.code}: ${status.message}`),
  );
  requirer.on("gone", ({ relation }) =>
    model.log("INFO", `relation ${relation.endpoint}:${relation.id} removed`),
  );
  requirer.on("invalid", ({ error }) => {
    // Transient junk (e.g. a NodePort not yet allocated) is fixed by the provider's next write.
    invalid = error.message;
  });

  const status = (): void => {
    const c = requirer.connection();
    const related = model.relations(requirer.endpoint).length > 0;
    if (invalid) model.setStatus("blocked", invalid);
    else if (c)
      model.setStatus(
        "active",
        `ready: ${c.username}@${c.endpoints[0]}/${c.database}${c.tls ? ", tls" : ""}`,
      );
    else
      model.setStatus(
        "waiting",
        related ? "waiting for database credentials" : "waiting for a database relation",
      );
  };
  for (const name of STATUS_ON) charm.on(name, status);
}

void runCharmIfMain(import.meta.url, setup);
