/**
 * Shared test cases: for every interface, recorded (or constructed) databags that must validate and
 * broken ones with the violations they must produce; realistic dump parameters per fixture.
 */
import { etcdProviderUnitBag } from "@charm-relations/interface-etcd/testing";
import { demoCertificate } from "@charm-relations/juju-secrets-core/testing";
import { fixture } from "./helpers.js";

export const ANSI = /\u001b\[[0-9;]*m/;
/** A value that must never be echoed back: it stands for a password. */
export const SECRETISH = "hunter2-Zq8vXw";

export interface JsonReport {
  ok: boolean;
  input: string;
  source: string;
  interfaces: string[];
  notes: string[];
  checks: {
    interface: string;
    relation?: string;
    side: string;
    bag: string;
    owner?: string;
    contract: string | null;
    ok: boolean;
    violations: { key: string; rule: string; shape?: string }[];
  }[];
  summary: { bags: number; valid: number; invalid: number; violations: number };
}

export const json = (stdout: string): JsonReport => JSON.parse(stdout) as JsonReport;

// ---------------------------------------------------------------------------------------------
// Bare databags: one valid and one invalid per interface (and side)

const pg = fixture("postgresql_client.v0.json").after_relate;
const etcdClient = fixture("etcd_client.v0.json").after_relate;
const valkeyV1 = fixture("valkey_client.v1.json").after_relate;
const valkeyV0 = fixture("valkey_client.v0-requirer.json").after_relate;
const kafka = fixture("kafka_client.v0.json").after_relate;
const mysql = fixture("mysql_client.v0.json").after_relate;
const mongodb = fixture("mongodb_client.v0.json").after_relate;
const connect = fixture("connect_client.v0.json").after_relate;
const opensearch = fixture("opensearch_client.v0.json").after_relate;
const karapace = fixture("karapace_client.v0.json").after_relate;

export interface BagCase {
  readonly name: string;
  readonly iface: string;
  readonly args: readonly string[];
  readonly bag: Record<string, unknown>;
  /** Expected violations (key → rule fragment); empty = valid. */
  readonly violations: Readonly<Record<string, RegExp>>;
}

const legacyCa = demoCertificate({ commonName: "test-ca", usage: "ca" });
const legacyClient = demoCertificate({ commonName: "etcd-client", usage: "client", issuer: legacyCa });
const legacyBag = etcdProviderUnitBag({
  connectionString: ["https://10.5.0.11:2379", "https://10.5.0.12:2379"],
  version: "3.4.22",
  credentials: { key: legacyClient.key, cert: legacyClient.cert, ca: legacyCa.cert },
});

export const BAGS: readonly BagCase[] = [
  {
    name: "requirer app (recorded)",
    iface: "postgresql_client",
    args: [],
    bag: pg.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "postgresql_client",
    args: [],
    bag: pg.provider_app_databag,
    violations: {},
  },
  {
    name: "requirer unit (recorded)",
    iface: "postgresql_client",
    args: ["--bag", "unit"],
    bag: pg.requirer_unit_databags["requirer/0"]!,
    violations: {},
  },
  {
    name: "requirer app with a short prefix and broken JSON",
    iface: "postgresql_client",
    args: ["--side", "requirer"],
    bag: { database: "ab*", "requested-secrets": `["username", "${SECRETISH}"`, "entity-type": "ROBOT" },
    violations: {
      database: /prefix request needs at least 3 characters/,
      "requested-secrets": /not valid JSON/,
      "entity-type": /USER|GROUP/,
    },
  },
  {
    name: "provider app with bad endpoints and a bad secret URI",
    iface: "postgresql_client",
    args: ["--side", "provider"],
    bag: { endpoints: `${SECRETISH}:99999`, "secret-user": `secret:${SECRETISH}`, tls: "maybe" },
    violations: { endpoints: /host:port/, "secret-user": /secret URI/, tls: /boolean spelling/ },
  },
  {
    name: "v0 requirer app (recorded)",
    iface: "etcd_client",
    args: [],
    bag: etcdClient.requirer_app_databag,
    violations: {},
  },
  {
    name: "v0 provider app (recorded)",
    iface: "etcd_client",
    args: [],
    bag: etcdClient.provider_app_databag,
    violations: {},
  },
  {
    name: "v1 requirer app whose request lacks its salt",
    iface: "etcd_client",
    args: ["--side", "requirer"],
    bag: { version: "v1", requests: '[{"resource": "/app/", "request-id": null}]' },
    violations: { "requests[0].salt": /./ },
  },
  {
    name: "v0 provider app with endpoints that are not host:port",
    iface: "etcd_client",
    args: ["--side", "provider", "--contract", "v0"],
    bag: { endpoints: "https://", "secret-user": "secret:0qo3fklh59sgbav5gc67", uris: "etcd.example:2379" },
    violations: { endpoints: /host:port/, uris: /https:\/\/host:port/ },
  },
  {
    name: "provider unit (constructed, real PEMs)",
    iface: "etcd",
    args: ["--side", "provider", "--bag", "unit"],
    bag: legacyBag,
    violations: {},
  },
  {
    name: "provider unit with a bad connection string and a broken key",
    iface: "etcd",
    args: ["--side", "provider", "--bag", "unit"],
    bag: {
      connection_string: "10.5.0.11:2379",
      client_key: `-----BEGIN PRIVATE KEY-----${SECRETISH}`,
      version: "3.4 .22",
    },
    violations: {
      connection_string: /comma list of URLs/,
      client_key: /PEM private key/,
      version: /etcd version/,
    },
  },
  {
    name: "requirer unit that writes something",
    iface: "etcd",
    args: ["--side", "requirer", "--bag", "unit"],
    bag: { "ingress-address": "10.1.0.20", connection_string: "https://10.5.0.11:2379" },
    violations: { connection_string: /unexpected key/ },
  },
  {
    name: "v1 requirer app (recorded)",
    iface: "valkey_client",
    args: [],
    bag: valkeyV1.requirer_app_databag,
    violations: {},
  },
  {
    name: "v1 provider app (recorded)",
    iface: "valkey_client",
    args: [],
    bag: valkeyV1.provider_app_databag,
    violations: {},
  },
  {
    name: "v0 provider app (recorded)",
    iface: "valkey_client",
    args: [],
    bag: valkeyV0.provider_app_databag,
    violations: {},
  },
  {
    name: "v0 requirer app with a key pattern that smuggles an ACL rule",
    iface: "valkey_client",
    args: ["--side", "requirer"],
    bag: { database: "app:* +@all", "requested-secrets": "[]" },
    violations: { database: /whitespace/ },
  },
  {
    name: "requirer app (recorded)",
    iface: "connect_client",
    args: [],
    bag: connect.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "connect_client",
    args: [],
    bag: connect.provider_app_databag,
    violations: {},
  },
  {
    name: "requirer app with an ftp plugin URL",
    iface: "connect_client",
    args: ["--side", "requirer"],
    bag: { "plugin-url": `ftp://${SECRETISH}@10.1.1.200/plugin.tar`, "requested-secrets": "[]" },
    violations: { "plugin-url": /http/ },
  },
  {
    name: "requirer app (recorded)",
    iface: "opensearch_client",
    args: [],
    bag: opensearch.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "opensearch_client",
    args: [],
    bag: opensearch.provider_app_databag,
    violations: {},
  },
  {
    name: "provider app with endpoints carrying a scheme and credentials",
    iface: "opensearch_client",
    args: ["--side", "provider"],
    bag: { index: "myindex", endpoints: `https://admin:${SECRETISH}@10.1.0.10:9200` },
    violations: { endpoints: /host:port/ },
  },
  {
    name: "requirer app (recorded)",
    iface: "karapace_client",
    args: [],
    bag: karapace.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "karapace_client",
    args: [],
    bag: karapace.provider_app_databag,
    violations: {},
  },
  {
    name: "requirer app asking for the wildcard subject",
    iface: "karapace_client",
    args: ["--side", "requirer"],
    bag: { subject: "*", "extra-user-roles": "admin", "requested-secrets": "[]" },
    violations: { subject: /wildcard/ },
  },
  {
    name: "requirer app (recorded)",
    iface: "mysql_client",
    args: [],
    bag: mysql.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "mysql_client",
    args: [],
    bag: mysql.provider_app_databag,
    violations: {},
  },
  {
    name: "provider app with a URL for endpoints",
    iface: "mysql_client",
    args: ["--side", "provider"],
    bag: { endpoints: `mysql://${SECRETISH}@10.1.0.10:3306`, version: "8.0.39" },
    violations: { endpoints: /host:port or file:/ },
  },
  {
    name: "requirer app (recorded)",
    iface: "mongodb_client",
    args: [],
    bag: mongodb.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "mongodb_client",
    args: [],
    bag: mongodb.provider_app_databag,
    violations: {},
  },
  {
    name: "provider app with a connection string for endpoints",
    iface: "mongodb_client",
    args: ["--side", "provider"],
    bag: { endpoints: `mongodb://${SECRETISH}@10.1.0.10`, replset: "rs0" },
    violations: { endpoints: /hosts/ },
  },
  {
    name: "requirer app (recorded)",
    iface: "kafka_client",
    args: [],
    bag: kafka.requirer_app_databag,
    violations: {},
  },
  {
    name: "provider app (recorded)",
    iface: "kafka_client",
    args: [],
    bag: kafka.provider_app_databag,
    violations: {},
  },
  {
    name: "requirer app asking for a topic starting with a wildcard",
    iface: "kafka_client",
    args: ["--side", "requirer"],
    bag: { topic: "*-topic", "extra-user-roles": "consumer", "requested-secrets": "[]" },
    violations: { topic: /'\*'/ },
  },
];

/** Fixture → the endpoint and app names of a realistic dump. */
export const DUMPS = {
  "postgresql_client.v0.json": { endpoint: "database", apps: { provider: "postgresql", requirer: "myapp" } },
  "mysql_client.v0.json": { endpoint: "database", apps: { provider: "mysql", requirer: "myapp" } },
  "mongodb_client.v0.json": { endpoint: "database", apps: { provider: "mongodb", requirer: "myapp" } },
  "etcd_client.v0.json": { endpoint: "etcd-client", apps: { provider: "etcd", requirer: "k8s" } },
  "valkey_client.v1.json": { endpoint: "valkey-client", apps: { provider: "valkey", requirer: "myapp" } },
  "valkey_client.v0-requirer.json": {
    endpoint: "valkey-client",
    apps: { provider: "valkey", requirer: "myapp" },
  },
  "connect_client.v0.json": {
    endpoint: "connect-client",
    apps: { provider: "kafka-connect", requirer: "integrator" },
  },
  "kafka_client.v0.json": {
    endpoint: "kafka-client",
    apps: { provider: "kafka", requirer: "myapp" },
  },
  "opensearch_client.v0.json": {
    endpoint: "opensearch-client",
    apps: { provider: "opensearch", requirer: "myapp" },
  },
  "karapace_client.v0.json": {
    endpoint: "karapace",
    apps: { provider: "karapace", requirer: "myapp" },
  },
} as const;
