/** The recorded Python lifecycle (fixtures/mongodb_client.v0.json) both ways: the shared v0 golden suite. */
import { expect } from "vitest";
import { goldenV0Suite } from "../../juju-secrets-core/test-support/golden-v0.js";
import { type MongodbConnection, MongodbProvider, MongodbRequirer, mongodbUri } from "../src/index.js";

goldenV0Suite<MongodbConnection>({
  fixture: new URL("./fixtures/mongodb_client.v0.json", import.meta.url),
  interfaceName: "mongodb_client",
  endpoint: "database",
  events: { created: "databaseCreated", rotated: "credentialsRotated" },
  requirer(charm, record) {
    const r = new MongodbRequirer(charm, { endpoint: "database", database: "myapp" });
    r.on("databaseCreated", record("databaseCreated"));
    r.on("credentialsRotated", record("credentialsRotated"));
    r.on("endpointsChanged", record("endpointsChanged"));
  },
  observed: (c, sha8) => ({
    database: c.database,
    endpoints: c.endpoints.join(","),
    password_present: c.password !== undefined,
    password_sha8: sha8(c.password!),
    read_only_endpoints: c.readOnlyEndpoints.length ? c.readOnlyEndpoints.join(",") : null,
    relation_id: c.relation.id,
    replset: c.replset,
    tls: c.tls ? "True" : null,
    tls_ca_present: c.tlsCa !== undefined,
    uris_present: c.uri !== undefined,
    uris_redacted: c.uri?.replace(`:${c.password}@`, ":<password>@"),
    username: c.username,
    version: c.version ?? null,
  }),
  // The connection string changes with the password.
  rotated: (c, content) => expect(c.uri).toBe(content.uris),
  provider(charm, password) {
    const p = new MongodbProvider(charm);
    const answer = (request: Parameters<MongodbProvider["publish"]>[0]) =>
      p.publish(request, {
        database: "myapp",
        username: "relation-0",
        password: password.value,
        // mongodb-operator's connection string; on rotation it changes with the password.
        uris: mongodbUri({
          username: "relation-0",
          password: password.value,
          hosts: ["10.1.0.10"],
          database: "myapp",
          replset: "provider",
        }),
        endpoints: "10.1.0.10",
        replset: "provider",
      });
    p.on("databaseRequested", ({ request }) => answer(request));
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) for (const r of p.requests()) answer(r);
    });
  },
  plainKeys: ["data", "database", "endpoints", "replset"],
});
