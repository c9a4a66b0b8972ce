/**
 * Example provider charm for mysql_client, shaped like mysql-operator on its `database` endpoint minus
 * running MySQL: each database request gets the user `relation-<id>_<model uuid hex>` (cut to 26
 * characters) with a random password, the database echo, the endpoints and the server version from
 * its config, all in the hook that saw the request.
 *
 * - `rotate-passwords` (action, leader): a new password for every relation (`secret-set` in place);
 * - config changes re-publish endpoints and version to every answered request;
 * - a relation that goes "drops" its user (logged: there is no database here); a unit that is only
 *   being removed keeps it, as the real charm does.
 */

import { randomInt } from "node:crypto";
import { type MysqlAnswer, MysqlProvider, relationUsername } from "@charm-relations/interface-mysql-client";
import { type Charm, runCharmIfMain, StatusNotes } from "@charm-relations/juju-secrets-core";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 24 random letters and digits (CSPRNG), like mysql-operator's `generate_random_password(24)`. */
export const newPassword = (): string =>
  Array.from({ length: 24 }, () => ALNUM[randomInt(ALNUM.length)]).join("");

const str = (v: unknown, fallback: string): string => (typeof v === "string" && v !== "" ? v : fallback);

export function setup(charm: Charm): void {
  const db = new MysqlProvider(charm);
  const model = charm.model;
  const notes = new StatusNotes(charm, "mysql-provider");

  /** What every answered request shares (read from config only in hooks that publish). */
  const shared = (): MysqlAnswer => {
    const c = model.config();
    const ro = str(c["read-only-endpoints"], "");
    return {
      endpoints: str(c.endpoints, "10.1.0.10:3306"),
      // The VM charm leaves the key out while there are no online replicas.
      readOnlyEndpoints: ro === "" ? null : ro,
      version: str(c.version, "8.0.39-0ubuntu0.22.04.1"),
    };
  };

  db.on("databaseRequested", ({ request }) => {
    notes.delete(`invalid:${request.relation.id}`);
    db.publish(request, {
      ...shared(),
      database: request.database,
      username: relationUsername(request.relation.id, model.modelUuid),
      password: db.published(request).password ?? newPassword(),
    });
  });
  db.on("invalid", ({ relation, error }) => notes.set(`invalid:${relation.id}`, "blocked", error.message));

  charm.on("configChanged", () => {
    if (model.isLeader()) db.publishAll(shared());
  });
  charm.on("action", ({ actionName }) => {
    if (actionName !== "rotate-passwords" || !model.isLeader()) return;
    for (const request of db.answeredRequests()) db.publish(request, { password: newPassword() });
    model.log("INFO", "rotated the password of every relation user");
  });

  db.on("gone", ({ relation, departing }) => {
    notes.delete(`invalid:${relation.id}`);
    if (departing || !model.isLeader()) return;
    model.log(
      "INFO",
      `dropping user ${relationUsername(relation.id, model.modelUuid)} (the database is kept)`,
    );
  });

  charm.on("collectStatus", (e) => e.add("active", "serving database requests"));
}

void runCharmIfMain(import.meta.url, setup);
