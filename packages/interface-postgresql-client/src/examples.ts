/**
 * Real postgresql_client databags and secret contents, as the Python `data_interfaces` v0 library put
 * them on the wire (recorded on Juju 3.6.14, interfaces.md §1.4), plus the constructed plain-text
 * fallback. They are the `examples` of the published JSON Schema and are checked against the schemas
 * in this package's tests. The upstream schema rejects them: it wants plain `username`/`password` and
 * knows no `secret-*` keys.
 */

const SECRET_TLS = "secret://8c7e20bb-710f-4f64-b51d-4acb46656498/0qo3fkluf9fn2f182spf";
const SECRET_USER = "secret://8c7e20bb-710f-4f64-b51d-4acb46656498/0qo3fklh59sgbav5gc67";
const REQUESTED_SECRETS =
  '["username", "password", "tls", "tls-ca", "uris", "read-only-uris", "entity-name", "entity-password"]';

/** Recorded: `DatabaseRequires(database_name="myapp")` after relation-created. */
export const EXAMPLE_REQUIRER_APP_DATABAG: Readonly<Record<string, string>> = {
  database: "myapp",
  "provided-secrets": '["mtls-cert"]',
  "requested-secrets": REQUESTED_SECRETS,
};

/** Recorded: the provider leader's answer (secrets mode, TLS off). */
export const EXAMPLE_PROVIDER_APP_DATABAG: Readonly<Record<string, string>> = {
  data: `{"database": "myapp", "provided-secrets": "[\\"mtls-cert\\"]", "requested-secrets": "[\\"username\\", \\"password\\", \\"tls\\", \\"tls-ca\\", \\"uris\\", \\"read-only-uris\\", \\"entity-name\\", \\"entity-password\\"]"}`,
  database: "myapp",
  endpoints: "10.1.0.10:5432",
  "read-only-endpoints": "10.1.0.10:5432",
  "secret-tls": SECRET_TLS,
  "secret-user": SECRET_USER,
  version: "16.8.1",
};

/** Recorded: the requirer leader's unit bag (its snapshot, plus Python's copies of the lists). */
export const EXAMPLE_REQUIRER_UNIT_DATABAG: Readonly<Record<string, string>> = {
  data: `{"database": "myapp", "endpoints": "10.1.0.10:5432", "read-only-endpoints": "10.1.0.10:5432", "secret-tls": "${SECRET_TLS}", "secret-user": "${SECRET_USER}", "version": "16.8.1"}`,
  "provided-secrets": '["mtls-cert"]',
  "requested-secrets": REQUESTED_SECRETS,
};

/** Constructed: the plain-text fallback for a requirer that sent no `requested-secrets`. */
export const EXAMPLE_PLAIN_PROVIDER_APP_DATABAG: Readonly<Record<string, string>> = {
  data: '{"database": "myapp"}',
  database: "myapp",
  endpoints: "10.1.0.10:5432",
  password: "03e46721fbb4139b883356f13d49aaa1",
  "read-only-endpoints": "10.1.0.10:5432",
  tls: "False",
  uris: "postgresql://relation-0:03e46721fbb4139b883356f13d49aaa1@10.1.0.10:5432/myapp",
  username: "relation-0",
  version: "16.8.1",
};

/** Recorded secret contents (revision 1; passwords are test values). */
export const EXAMPLE_USER_SECRET: Readonly<Record<string, string>> = {
  password: "03e46721fbb4139b883356f13d49aaa1",
  uris: "postgresql://relation-0:03e46721fbb4139b883356f13d49aaa1@10.1.0.10:5432/myapp",
  username: "relation-0",
};
export const EXAMPLE_TLS_SECRET: Readonly<Record<string, string>> = { tls: "False", "tls-ca": "" };

/** Constructed from protocol §4.10: an entity request and its answer. */
export const EXAMPLE_ENTITY_REQUIRER_APP_DATABAG: Readonly<Record<string, string>> = {
  database: "myapp",
  "entity-type": "GROUP",
  "extra-group-roles": "charmed_read",
  "entity-permissions": '[{"resource_name": "items", "resource_type": "TABLE", "privileges": ["SELECT"]}]',
  "requested-secrets": REQUESTED_SECRETS,
};
export const EXAMPLE_ENTITY_SECRET: Readonly<Record<string, string>> = {
  "entity-name": "myapp_readers",
  "entity-password": "f0b4e5bd2c1e968aa7804154925bed9d",
};
