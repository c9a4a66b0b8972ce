/** The recorded Python lifecycle (fixtures/postgresql_client.v0.json) both ways: the shared v0 golden suite. */
import { goldenV0Suite } from "../../juju-secrets-core/test-support/golden-v0.js";
import {
  connectionUri,
  type PostgresqlConnection,
  PostgresqlProvider,
  PostgresqlRequirer,
} from "../src/index.js";

goldenV0Suite<PostgresqlConnection>({
  fixture: new URL("./fixtures/postgresql_client.v0.json", import.meta.url),
  interfaceName: "postgresql_client",
  endpoint: "database",
  events: { created: "databaseCreated", rotated: "credentialsRotated" },
  requirer(charm, record) {
    const r = new PostgresqlRequirer(charm, { endpoint: "database", database: "myapp" });
    r.on("databaseCreated", record("databaseCreated"));
    r.on("credentialsRotated", record("credentialsRotated"));
    r.on("endpointsChanged", record("endpointsChanged"));
  },
  observed: (c, sha8) => ({
    database: c.database,
    endpoints: c.endpoints.join(","),
    password_present: c.password !== undefined,
    password_sha8: sha8(c.password!),
    read_only_endpoints: c.readOnlyEndpoints.join(","),
    relation_id: c.relation.id,
    tls: c.tls ? "True" : "False",
    tls_ca_present: c.tlsCa !== undefined,
    uris_present: c.uris.length > 0,
    username: c.username,
    version: c.version,
  }),
  provider(charm, password) {
    const p = new PostgresqlProvider(charm);
    const answer = (request: Parameters<PostgresqlProvider["publish"]>[0]) =>
      p.publish(request, {
        database: "myapp",
        username: "relation-0",
        password: password.value,
        uris: connectionUri({
          username: "relation-0",
          password: password.value,
          endpoint: "10.1.0.10:5432",
          database: "myapp",
        }),
        endpoints: "10.1.0.10:5432",
        readOnlyEndpoints: "10.1.0.10:5432",
        version: "16.8.1",
        tls: false,
      });
    p.on("databaseRequested", ({ request }) => answer(request));
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) for (const r of p.requests()) answer(r);
    });
  },
  plainKeys: ["data", "database", "endpoints", "read-only-endpoints", "version"],
});
