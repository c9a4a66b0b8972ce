/**
 * The recorded Python lifecycle (fixtures/opensearch_client.v0.json) both ways: the shared v0 golden
 * suite. The rotation gives `authenticationUpdated`, as `OpenSearchRequires` does on secret-changed.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { goldenV0Suite } from "../../juju-secrets-core/test-support/golden-v0.js";
import type { Fixture } from "../../juju-secrets-core/test-support/harness.js";
import { type OpenSearchConnection, OpenSearchProvider, OpenSearchRequirer } from "../src/index.js";

const EP = "opensearch-client";
const FIXTURE = new URL("./fixtures/opensearch_client.v0.json", import.meta.url);
const recorded = (JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture).after_relate;
/** The CA chain the recorded provider sent (its tls secret). */
const tlsCa = Object.values(recorded.secrets).find((s) => s.owner_label.endsWith(".tls.secret"))!
  .content_by_revision["1"]!["tls-ca"]!;

goldenV0Suite<OpenSearchConnection>({
  fixture: FIXTURE,
  interfaceName: "opensearch_client",
  endpoint: EP,
  events: { created: "indexCreated", rotated: "authenticationUpdated" },
  requirer(charm, record) {
    const r = new OpenSearchRequirer(charm, { index: "myindex", extraUserRoles: ["admin"] });
    for (const event of ["indexCreated", "authenticationUpdated", "endpointsChanged"] as const)
      r.on(event, record(event));
  },
  observed: (c, sha8) => ({
    database: null,
    endpoints: c.endpoints.join(","),
    index: c.index,
    password_present: c.password !== undefined,
    password_sha8: sha8(c.password!),
    read_only_endpoints: null,
    relation_id: c.relation.id,
    tls: null,
    tls_ca_present: c.tlsCa !== undefined,
    uris_present: false,
    username: c.username,
    version: c.version,
  }),
  created: (c) => expect(c.tlsCa).toBe(tlsCa),
  provider(charm, password) {
    const p = new OpenSearchProvider(charm);
    // opensearch-operator's order on index_requested: version, credentials, index, tls-ca, endpoints.
    p.on("indexRequested", ({ request }) =>
      p.publish(request, {
        version: "2.17.0",
        username: `opensearch-client_${request.relation.id}`,
        password: password.value,
        index: request.index,
        tlsCa,
        endpoints: ["10.1.0.10:9200"],
      }),
    );
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) p.publishAll({ password: password.value });
    });
  },
  plainKeys: ["data", "index", "endpoints", "version"],
});
