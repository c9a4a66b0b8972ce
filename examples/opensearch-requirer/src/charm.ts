/**
 * Example client charm for opensearch_client: asks for an index on its `opensearch-client` endpoint and
 * shows what it got in its unit status. It works against opensearch-operator and against the
 * `opensearch-provider` example.
 *
 * Status: `waiting` until the credentials and endpoints are readable, then `active` with a message
 * that starts with `ready`; `blocked` when the provider publishes something unreadable. Secrets never
 * appear in the status or the log. The request options come from config, read only in the hook that
 * writes the request.
 */

import { OpenSearchRequirer } from "@charm-relations/interface-opensearch-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export function setup(charm: Charm): void {
  const model = charm.model;
  const requirer = new OpenSearchRequirer(charm, {
    request: () => {
      const c = model.config();
      const roles =
        typeof c["extra-user-roles"] === "string"
          ? c["extra-user-roles"].split(",").filter((r) => r !== "")
          : [];
      return {
        index: typeof c.index === "string" && c.index !== "" ? c.index : "myindex",
        extraUserRoles: roles,
      };
    },
  });
  let invalid: string | undefined;

  requirer.on("indexCreated", ({ connection }) =>
    model.log("INFO", `index ${connection.index} created for ${connection.username ?? "?"}`),
  );
  requirer.on("endpointsChanged", ({ connection }) =>
    model.log("INFO", `endpoints changed: ${connection.endpoints.join(",")}`),
  );
  requirer.on("authenticationUpdated", ({ relation }) =>
    model.log("INFO", `authentication updated on ${relation.endpoint}:${relation.id}`),
  );
  requirer.on("gone", ({ relation }) =>
    model.log("INFO", `relation ${relation.endpoint}:${relation.id} removed`),
  );
  requirer.on("invalid", ({ error }) => {
    invalid = error.message;
  });

  charm.on("collectStatus", (e) => {
    if (invalid) return e.add("blocked", invalid);
    const c = requirer.connection();
    if (c) e.add("active", `ready: ${c.username}@${c.endpoints[0]}/${c.index}`);
    else e.add("waiting", "waiting for index credentials");
  });
}

void runCharmIfMain(import.meta.url, setup);
