/**
 * Example client charm for karapace_client: asks for a schema registry subject on its `karapace`
 * endpoint and shows what it got in its unit status. It works against karapace-operator and against the
 * `karapace-provider` example.
 *
 * Status: `waiting` until the credentials and endpoints are readable, then `active` with a message
 * that starts with `ready`; `blocked` when the provider publishes something unreadable. Secrets never
 * appear in the status or the log. The request options come from config, read only in the hook that
 * writes the request.
 */

import { KarapaceRequirer } from "@charm-relations/interface-karapace-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export function setup(charm: Charm): void {
  const model = charm.model;
  const requirer = new KarapaceRequirer(charm, {
    request: () => {
      const c = model.config();
      const roles =
        typeof c["extra-user-roles"] === "string"
          ? c["extra-user-roles"].split(",").filter((r) => r !== "")
          : [];
      return {
        subject: typeof c.subject === "string" && c.subject !== "" ? c.subject : "test-subject",
        extraUserRoles: roles,
      };
    },
  });
  let invalid: string | undefined;

  requirer.on("subjectAllowed", ({ connection }) =>
    model.log("INFO", `subject ${connection.subject} allowed for ${connection.username ?? "?"}`),
  );
  requirer.on("serverChanged", ({ connection }) =>
    model.log("INFO", `endpoints changed: ${connection.endpoints.join(",")}`),
  );
  requirer.on("credentialsRotated", ({ relation, groups }) =>
    model.log("INFO", `credentials rotated on ${relation.endpoint}:${relation.id} (${groups.join(", ")})`),
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
    if (c) e.add("active", `ready: ${c.username}@${c.endpoints[0]}/${c.subject}${c.tls ? ", tls" : ""}`);
    else e.add("waiting", "waiting for subject credentials");
  });
}

void runCharmIfMain(import.meta.url, setup);
