/** The recorded Python lifecycle (fixtures/mysql_client.v0.json) both ways: the shared v0 golden suite. */
import { goldenV0Suite } from "../../juju-secrets-core/test-support/golden-v0.js";
import { type MysqlConnection, MysqlProvider, MysqlRequirer, relationUsername } from "../src/index.js";

goldenV0Suite<MysqlConnection>({
  fixture: new URL("./fixtures/mysql_client.v0.json", import.meta.url),
  interfaceName: "mysql_client",
  endpoint: "database",
  events: { created: "databaseCreated", rotated: "credentialsRotated" },
  requirer(charm, record) {
    const r = new MysqlRequirer(charm, { endpoint: "database", database: "myapp" });
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
    tls: c.tls ? "True" : null,
    tls_ca_present: c.tlsCa !== undefined,
    uris_present: c.uris.length > 0,
    username: c.username,
    version: c.version,
  }),
  provider(charm, password) {
    const p = new MysqlProvider(charm);
    const answer = (request: Parameters<MysqlProvider["publish"]>[0]) =>
      p.publish(request, {
        database: "myapp",
        username: relationUsername(0, charm.model.modelUuid),
        password: password.value,
        endpoints: "10.1.0.10:3306",
        readOnlyEndpoints: "10.1.0.10:3306",
        version: "8.0.39-0ubuntu0.22.04.1",
      });
    p.on("databaseRequested", ({ request }) => answer(request));
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) for (const r of p.requests()) answer(r);
    });
  },
  plainKeys: ["data", "database", "endpoints", "read-only-endpoints", "version"],
});
