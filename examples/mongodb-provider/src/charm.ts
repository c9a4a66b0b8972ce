/**
 * Example provider charm for mongodb_client, shaped like mongodb-operator on its `database` endpoint
 * minus running MongoDB: each database request gets the user `relation-<id>` with a random password and
 * its `mongodb://` connection string (in the user secret), the database echo, the member hosts from
 * its config and the replica-set name (its application name), all in the hook that saw the request.
 *
 * - `rotate-passwords` (action, leader): a new password and connection string for every relation, one
 *   new revision of each user secret;
 * - config changes re-publish the hosts (and the connection strings that name them);
 * - a relation that goes "drops" its user (logged); a unit that is only being removed keeps it.
 */

import { randomInt } from "node:crypto";
import {
  MongodbProvider,
  type MongodbRequest,
  mongodbUri,
  relationUsername,
} from "@charm-relations/interface-mongodb-client";
import { type Charm, runCharmIfMain, StatusNotes } from "@charm-relations/juju-secrets-core";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 32 random letters and digits (CSPRNG), like mongodb-operator's `generate_password()`. */
export const newPassword = (): string =>
  Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join("");

export function setup(charm: Charm): void {
  const db = new MongodbProvider(charm);
  const model = charm.model;
  const notes = new StatusNotes(charm, "mongodb-provider");

  /** Publish (or refresh) everything for one request (leader); config is read only here. */
  const serve = (request: MongodbRequest, password?: string): void => {
    const c = model.config();
    const endpoints = typeof c.endpoints === "string" && c.endpoints !== "" ? c.endpoints : "10.1.0.10";
    const hosts = endpoints.split(",").map((h) => h.trim());
    const username = relationUsername(request.relation.id);
    const pw = password ?? db.published(request).password ?? newPassword();
    const replset = model.appName;
    db.publish(request, {
      username,
      password: pw,
      database: request.database,
      endpoints: hosts,
      replset,
      uris: mongodbUri({ username, password: pw, hosts, database: request.database, replset }),
    });
  };

  db.on("databaseRequested", ({ request }) => {
    notes.delete(`invalid:${request.relation.id}`);
    serve(request);
  });
  db.on("invalid", ({ relation, error }) => notes.set(`invalid:${relation.id}`, "blocked", error.message));

  charm.on("configChanged", () => {
    if (model.isLeader()) for (const request of db.answeredRequests()) serve(request);
  });
  charm.on("action", ({ actionName }) => {
    if (actionName !== "rotate-passwords" || !model.isLeader()) return;
    for (const request of db.answeredRequests()) serve(request, newPassword());
    model.log("INFO", "rotated the password of every relation user");
  });

  db.on("gone", ({ relation, departing }) => {
    notes.delete(`invalid:${relation.id}`);
    if (departing || !model.isLeader()) return;
    model.log("INFO", `dropping user ${relationUsername(relation.id)} (the database is kept)`);
  });

  charm.on("collectStatus", (e) => e.add("active", "serving database requests"));
}

void runCharmIfMain(import.meta.url, setup);
