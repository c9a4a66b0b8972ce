/**
 * Example client charm for mysql_client: asks for a database on its `database` endpoint and shows what
 * it got in its unit status. It works against mysql, mysql-k8s and mysql-router, and against the
 * `mysql-provider` example.
 *
 * Status: `waiting` until the credentials are readable, then `active` with a message starting with
 * `ready`; `blocked` while the provider publishes something unreadable. Secrets never appear in the
 * status or the log.
 */

import { MysqlRequirer } from "@charm-relations/interface-mysql-client";
import { type Charm, runCharmIfMain, StatusNotes } from "@charm-relations/juju-secrets-core";

const list = (v: unknown): string[] =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : [];

export function setup(charm: Charm): void {
  const model = charm.model;
  const notes = new StatusNotes(charm, "mysql-requirer");
  // Lazy: config-get runs only in the hook that writes the request.
  const db = new MysqlRequirer(charm, {
    request: () => {
      const c = model.config();
      const roles = list(c["extra-user-roles"]);
      return {
        database: typeof c.database === "string" && c.database !== "" ? c.database : "myapp",
        ...(roles.length ? { extraUserRoles: roles } : {}),
      };
    },
  });

  db.on("databaseCreated", ({ relation, connection }) => {
    notes.delete(`invalid:${relation.id}`);
    model.log("INFO", `database ${connection.database} created for ${connection.username ?? "?"}`);
  });
  db.on("endpointsChanged", ({ relation, connection }) => {
    notes.delete(`invalid:${relation.id}`);
    model.log("INFO", `endpoints changed: ${connection.endpoints.join(",")}`);
  });
  db.on("credentialsRotated", ({ groups }) =>
    model.log("INFO", `credentials rotated (${groups.join(", ")})`),
  );
  db.on("invalid", ({ relation, error }) => notes.set(`invalid:${relation.id}`, "blocked", error.message));
  db.on("gone", ({ relation }) => notes.delete(`invalid:${relation.id}`));

  charm.on("collectStatus", (e) => {
    const c = db.connection();
    if (c) e.add("active", `ready: ${c.username}@${c.endpoints[0]}/${c.database}`);
    else if (model.relations(db.endpoint).length > 0) e.add("waiting", "waiting for database credentials");
    else e.add("waiting", "waiting for a database relation");
  });
}

void runCharmIfMain(import.meta.url, setup);
