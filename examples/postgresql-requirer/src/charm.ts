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
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

const list = (v: unknown): string[] =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : [];

export function setup(charm: Charm): void {
  const model = charm.model;
  // Lazy: config is read (config-get) only in a hook that writes the request.
  const requirer = new PostgresqlRequirer(charm, {
    request: () => {
      const config = model.config();
      const database =
        typeof config.database === "string" && config.database !== "" ? config.database : "myapp";
      const roles = list(config["extra-user-roles"]);
      return { database, ...(roles.length ? { extraUserRoles: roles } : {}) };
    },
  });
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

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    if (invalid) return e.add("blocked", invalid);
    const c = requirer.connection();
    if (c)
      return e.add("active", `ready: ${c.username}@${c.endpoints[0]}/${c.database}${c.tls ? ", tls" : ""}`);
    const related = model.relations(requirer.endpoint).length > 0;
    e.add("waiting", related ? "waiting for database credentials" : "waiting for a database relation");
  });
}

void runCharmIfMain(import.meta.url, setup);
