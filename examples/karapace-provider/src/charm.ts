/**
 * Example provider charm for karapace_client, shaped like karapace-operator on its `karapace` endpoint
 * minus running Karapace: it answers every subject request with the endpoints, a user `relation-<id>`
 * and a random password, `tls` and the subject echo from its config, all in the hook that saw the
 * request (karapace-operator's order).
 *
 * - config `endpoints`, `tls`: refreshed on every answered relation when they change (as
 *   karapace-operator's config-changed handler does);
 * - the `rotate-passwords` action gives every client a new password (a new secret revision);
 * - relation-broken: the relation's secrets are removed (by the library) and the user is "dropped" (logged).
 */

import { randomBytes } from "node:crypto";
import { KarapaceProvider, type KarapaceRequest } from "@charm-relations/interface-karapace-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export function setup(charm: Charm): void {
  const model = charm.model;
  const provider = new KarapaceProvider(charm);

  const shared = () => {
    const c = model.config();
    const endpoints = typeof c.endpoints === "string" && c.endpoints !== "" ? c.endpoints : "10.1.0.10:8081";
    return { endpoints: endpoints.split(",").map((e) => e.trim()), tls: c.tls === true };
  };
  const answer = (request: KarapaceRequest, password?: string) =>
    provider.publish(request, {
      ...shared(),
      username: `relation-${request.relation.id}`,
      password: password ?? provider.published(request).password ?? randomBytes(16).toString("hex"),
      subject: request.subject,
    });

  provider.on("subjectRequested", ({ request }) => answer(request));
  provider.on("subjectEntityRequested", ({ request }) =>
    provider.publish(request, {
      ...shared(),
      subject: request.subject,
      entityName: `${request.remoteApp ?? "client"}_${request.relation.id}`,
      entityPassword: request.entityType === "GROUP" ? null : randomBytes(16).toString("hex"),
    }),
  );
  provider.on("gone", ({ relation, departing }) => {
    if (!departing)
      model.log("INFO", `${relation.endpoint}:${relation.id} removed: dropping user relation-${relation.id}`);
  });
  charm.on("configChanged", () => {
    if (model.isLeader()) provider.publishAll(shared());
  });
  charm.on(
    "action",
    () => {
      model.requireLeader("rotate-passwords");
      for (const r of provider.answeredRequests())
        if (!r.entityType) answer(r, randomBytes(16).toString("hex"));
    },
    { action: "rotate-passwords" },
  );
  // A constant status: set once, then skipped (collect-status compares); counting the requests would
  // cost a relation-ids in every hook.
  charm.on("collectStatus", (e) => e.add("active", "serving subject requests"));
}

void runCharmIfMain(import.meta.url, setup);
