/**
 * karapace_client: a karapace-operator-like provider (endpoints, user `relation-<id>`, `tls: disabled`,
 * the subject echo) and a client asking for `orders-value` with the `user` role. Rotation: the
 * provider's leader sets a new password (config `password-seed`); the client follows it
 * (`credentialsRotated`), which the Python requirer does not.
 */

import { derivedPassword, type Scenario } from "@charm-relations/juju-secrets-core/testing";
import { KarapaceProvider, type KarapaceRequest, KarapaceRequirer } from "./index.js";

const ENDPOINT = "karapace";

export const karapaceClientScenario: Scenario = {
  contracts: ["v0"],
  defaultContract: "v0",
  build: () => ({
    provider: {
      app: "karapace",
      endpoint: ENDPOINT,
      units: 2,
      config: { "password-seed": "1" },
      setup(charm, ctx) {
        const provider = new KarapaceProvider(charm, { endpoint: ENDPOINT });
        const answer = (request: KarapaceRequest) => {
          const username = `relation-${request.relation.id}`;
          provider.publish(request, {
            endpoints: ["10.1.0.10:8081", "10.1.0.11:8081"],
            username,
            password: derivedPassword(charm.model.config()["password-seed"], "karapace", username),
            tls: false,
            subject: request.subject,
          });
        };
        provider.on("subjectRequested", ({ request }) => {
          ctx.record("subjectRequested", {
            relation: request.relation.id,
            subject: request.subject,
            roles: request.extraUserRoles,
          });
          answer(request);
        });
        provider.on("gone", ({ relation, departing }) =>
          ctx.record("gone", { relation: relation.id, departing }),
        );
        provider.on("invalid", ({ error }) => ctx.record("invalid", { error: error.message }));
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) for (const request of provider.answeredRequests()) answer(request);
        });
      },
    },
    requirer: {
      app: "app",
      endpoint: ENDPOINT,
      units: 2,
      setup(charm, ctx) {
        const requirer = new KarapaceRequirer(charm, {
          endpoint: ENDPOINT,
          subject: "orders-value",
          extraUserRoles: ["user"],
        });
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
        requirer.on("credentialsRotated", ({ groups }) => ctx.record("credentialsRotated", { groups }));
        requirer.on("gone", ({ relation }) => ctx.record("gone", { relation: relation.id }));
        requirer.on("invalid", ({ error }) => ctx.record("invalid", { error: error.message }));
      },
    },
    rotate: {
      description:
        "karapace's leader sets a new password (config password-seed=2): secret-user gets a new revision",
      apply: (sim) => sim.configure("karapace", { "password-seed": "2" }),
    },
  }),
};
