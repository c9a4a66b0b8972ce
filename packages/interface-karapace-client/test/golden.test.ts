/**
 * The recorded Python lifecycle (fixtures/karapace_client.v0.json) both ways: the shared v0 golden
 * suite. Ours follows the rotation (`credentialsRotated`) where `KarapaceRequires` ignored secret-changed.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { goldenV0Suite } from "../../juju-secrets-core/test-support/golden-v0.js";
import type { Fixture } from "../../juju-secrets-core/test-support/harness.js";
import { type KarapaceConnection, KarapaceProvider, KarapaceRequirer } from "../src/index.js";

// The recording used `karapace-client`; karapace-operator names its endpoint `karapace` (the default).
const EP = "karapace-client";
const FIXTURE = new URL("./fixtures/karapace_client.v0.json", import.meta.url);

goldenV0Suite<KarapaceConnection>({
  fixture: FIXTURE,
  interfaceName: "karapace_client",
  endpoint: EP,
  events: { created: "subjectAllowed", rotated: "credentialsRotated" },
  requirer(charm, record) {
    const r = new KarapaceRequirer(charm, {
      endpoint: EP,
      subject: "test-subject",
      extraUserRoles: ["user"],
    });
    for (const event of ["subjectAllowed", "credentialsRotated", "serverChanged"] as const)
      r.on(event, record(event));
  },
  observed: (c, sha8) => ({
    database: null,
    endpoints: c.endpoints.join(","),
    password_present: c.password !== undefined,
    password_sha8: sha8(c.password!),
    read_only_endpoints: null,
    relation_id: c.relation.id,
    subject: c.subject,
    tls: c.tls ? "enabled" : "disabled",
    tls_ca_present: c.tlsCa !== undefined,
    uris_present: false,
    username: c.username,
    version: null,
  }),
  provider(charm, password) {
    const p = new KarapaceProvider(charm, { endpoint: EP });
    // karapace-operator's order on subject_requested: endpoints, credentials, tls, subject.
    p.on("subjectRequested", ({ request }) =>
      p.publish(request, {
        endpoints: ["10.1.0.10:8081"],
        username: `relation-${request.relation.id}`,
        password: password.value,
        tls: false,
        subject: request.subject,
      }),
    );
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) p.publishAll({ password: password.value });
    });
  },
  plainKeys: ["data", "subject", "endpoints"],
});

it("the recording: the Python requirer ignored the rotation (its password sha8 is unchanged)", () => {
  const f = JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture;
  const before = f.after_relate.requirer_observed["requirer/0"]!;
  expect(f.before_remove_relation.requirer_observed["requirer/0"]!.password_sha8).toBe(before.password_sha8);
});
