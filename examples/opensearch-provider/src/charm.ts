/**
 * Example provider charm for opensearch_client, shaped like opensearch-operator on its
 * `opensearch-client` endpoint minus running OpenSearch: it answers every index request with a user
 * `opensearch-client_<id>` (`kibanaserver` for the `kibana_server` role) and a random password, the
 * index, the CA chain, endpoints and version from its config, all in the hook that saw the request.
 *
 * - config `endpoints`, `version`, `tls-ca`: refreshed on every answered relation when they change;
 * - the `rotate-passwords` action gives every client a new password (a new secret revision);
 * - relation-broken: the relation's secrets are removed (by the library) and the user is "dropped" (logged).
 */

import { randomBytes } from "node:crypto";
import { OpenSearchProvider, type OpenSearchRequest } from "@charm-relations/interface-opensearch-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

const DEFAULT_CA = "-----BEGIN CERTIFICATE-----\nZXhhbXBsZS1vcGVuc2VhcmNoLWNh\n-----END CERTIFICATE-----";

export function setup(charm: Charm): void {
  const model = charm.model;
  const provider = new OpenSearchProvider(charm);

  const shared = () => {
    const c = model.config();
    const text = (k: string, d: string) => (typeof c[k] === "string" && c[k] !== "" ? (c[k] as string) : d);
    return {
      endpoints: text("endpoints", "10.1.0.10:9200")
        .split(",")
        .map((e) => e.trim()),
      version: text("version", "2.17.0"),
      tlsCa: text("tls-ca", DEFAULT_CA),
    };
  };
  const answer = (request: OpenSearchRequest, password?: string) =>
    provider.publish(request, {
      ...shared(),
      username: request.extraUserRoles.includes("kibana_server")
        ? "kibanaserver"
        : `opensearch-client_${request.relation.id}`,
      password: password ?? provider.published(request).password ?? randomBytes(16).toString("hex"),
      index: request.index,
    });

  provider.on("indexRequested", ({ request }) => answer(request));
  provider.on("indexEntityRequested", ({ request }) =>
    provider.publish(request, {
      ...shared(),
      index: request.index,
      entityName: `${request.remoteApp ?? "client"}_${request.relation.id}`,
      entityPassword: request.entityType === "GROUP" ? null : randomBytes(16).toString("hex"),
    }),
  );
  provider.on("gone", ({ relation, departing }) => {
    if (!departing)
      model.log(
        "INFO",
        `${relation.endpoint}:${relation.id} removed: dropping user opensearch-client_${relation.id}`,
      );
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
  charm.on("collectStatus", (e) => e.add("active", "serving index requests"));
}

void runCharmIfMain(import.meta.url, setup);
