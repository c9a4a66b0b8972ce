/**
 * karapace_client: a karapace-operator-like provider (endpoints, user `relation-<id>`, `tls: disabled`,
 * the subject echo) and a client asking for `orders-value` with the `user` role. Rotation: the
 * provider's leader sets a new password (config `password-seed`); the client follows it
 * (`credentialsRotated`), which the Python requirer does not.
 */

import { type Scenario, seededScenario } from "@charm-relations/juju-secrets-core/testing";
import { KarapaceProvider, KarapaceRequirer } from "./index.js";

export const karapaceClientScenario: Scenario = seededScenario({
  contracts: ["v0"],
  endpoint: "karapace",
  provider: {
    app: "karapace",
    create: (charm, endpoint) => new KarapaceProvider(charm, { endpoint }),
    listen: (provider, ctx, answer) =>
      provider.on("subjectRequested", ({ request }) => {
        ctx.record("subjectRequested", {
          relation: request.relation.id,
          subject: request.subject,
          roles: request.extraUserRoles,
        });
        answer(request);
      }),
    answer: (provider, request, password) => {
      const username = `relation-${request.relation.id}`;
      provider.publish(request, {
        endpoints: ["10.1.0.10:8081", "10.1.0.11:8081"],
        username,
        password: password("karapace", username),
        tls: false,
        subject: request.subject,
      });
    },
  },
  requirer: {
    app: "app",
    create: (charm, endpoint) =>
      new KarapaceRequirer(charm, { endpoint, subject: "orders-value", extraUserRoles: ["user"] }),
    listen: (requirer, ctx) => {
      requirer.on("subjectAllowed", ({ connection: c }) =>
        ctx.record("subjectAllowed", {
          subject: c.subject,
          username: c.username ?? "",
          endpoints: c.endpoints,
        }),
      );
      requirer.on("serverChanged", ({ connection: c }) =>
        ctx.record("serverChanged", { endpoints: c.endpoints }),
      );
    },
  },
  rotation: "karapace's leader sets a new password (config password-seed=2): secret-user gets a new revision",
});
