/**
 * Lean charms for each interface: a provider that answers every request in the hook that saw it,
 * republishes endpoints on config-changed and rotates credentials on the `rotate` action; a requirer
 * that only listens. No status, no logging, nothing but the interface library, so every hook-tool call
 * in a hook is the library's own.
 *
 * Used by the scale and memory sections (postgresql_client, valkey_client); the calls section runs
 * every interface of the registry on its scenario charms instead (`registry.ts`). The `engine`
 * variant (the generic core engines configured like the interface) is gone with the declarative
 * definitions: a package that is not built reports itself missing.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Charm } from "../../packages/juju-secrets-core/dist/index.js";
import type { EndpointInput } from "../../packages/juju-secrets-core/dist/testing/index.js";
import { INTERFACE_PACKAGES, type InterfaceName, importBuilt, packageEntry, REPO } from "./paths.js";

type Postgresql = typeof import("../../packages/interface-postgresql-client/dist/index.js");
type Valkey = typeof import("../../packages/interface-valkey-client/dist/index.js");
type EtcdClient = typeof import("../../packages/interface-etcd-client/dist/index.js");
type Connect = typeof import("../../packages/interface-connect-client/dist/index.js");
type Etcd = typeof import("../../packages/interface-etcd/dist/index.js");

export interface InterfaceBench {
  readonly name: InterfaceName;
  readonly impl: "package" | "engine";
  /** Why the engine variant ran instead of the package (set by the caller on fallback). */
  readonly note?: string;
  readonly contract: string;
  readonly providerEndpoints: Readonly<Record<string, EndpointInput>>;
  readonly requirerEndpoints: Readonly<Record<string, EndpointInput>>;
  readonly providerEndpoint: string;
  readonly requirerEndpoint: string;
  readonly providerConfig: Readonly<Record<string, unknown>>;
  /** Config change that moves the endpoints (republished to every relation). */
  readonly moveEndpoints: Readonly<Record<string, unknown>>;
  readonly provider: (charm: Charm) => void;
  readonly requirer: (charm: Charm) => void;
  /** A requirer asking for these resources (v1 interfaces with several requests per relation). */
  readonly requirerFor?: (resources: readonly string[]) => (charm: Charm) => void;
}

export interface InterfaceVariants {
  readonly name: InterfaceName;
  readonly package?: InterfaceBench;
  /** Absent only for the legacy `etcd` interface, which is not data-interfaces. */
  readonly engine?: InterfaceBench;
  /** Why there is no package variant. */
  readonly missing?: string;
}

type Base = Omit<InterfaceBench, "impl" | "note" | "provider" | "requirer" | "requirerFor">;

const newPassword = (): string => randomBytes(12).toString("hex");
const endpointsOf = (charm: Charm): string[] => String(charm.model.config().endpoints ?? "").split(",");
const isRotate = (charm: Charm): boolean =>
  charm.context.kind === "action" && charm.context.actionName === "rotate";

let stateRoot: string | undefined;
/** A private dir for unit-local state files (departing markers), never the repo. */
function stateDir(charm: Charm): string {
  if (stateRoot === undefined) {
    const root = mkdtempSync(join(tmpdir(), "charm-relations-bench-state-"));
    process.once("exit", () => rmSync(root, { recursive: true, force: true }));
    stateRoot = root;
  }
  return join(stateRoot, charm.unit.replace("/", "-"));
}

async function load<T>(name: InterfaceName, ...exports: string[]): Promise<{ module?: T; missing?: string }> {
  const { module, error } = await importBuilt<Record<string, unknown>>(
    packageEntry(INTERFACE_PACKAGES[name]),
  );
  if (!module) return { missing: error ?? "not loadable" };
  const absent = exports.filter((e) => typeof module[e] !== "function");
  return absent.length ? { missing: `no export ${absent.join(", ")}` } : { module: module as T };
}

// -------------------------------------------------------------------------------------------------
// The five interfaces

async function postgresql(): Promise<InterfaceVariants> {
  const base: Base = {
    name: "postgresql_client",
    contract: "v0",
    providerEndpoints: { database: "provides:postgresql_client" },
    requirerEndpoints: { database: "requires:postgresql_client" },
    providerEndpoint: "database",
    requirerEndpoint: "database",
    providerConfig: { endpoints: "10.1.0.10:5432" },
    moveEndpoints: { endpoints: "10.1.0.20:5432,10.1.0.21:5432" },
  };
  const { module: pg, missing } = await load<Postgresql>(
    base.name,
    "PostgresqlProvider",
    "PostgresqlRequirer",
  );
  if (!pg) return { name: base.name, missing: missing! };
  return {
    name: base.name,
    package: {
      ...base,
      impl: "package",
      provider: (charm) => {
        const p = new pg.PostgresqlProvider(charm, { endpoint: "database" });
        p.on("databaseRequested", ({ request }) =>
          p.publish(request, {
            database: request.database,
            endpoints: endpointsOf(charm),
            username: `relation-${request.relation.id}`,
            password: newPassword(),
            version: "16.8.1",
            tls: false,
          }),
        );
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm) });
        });
        charm.on("action", () => {
          if (isRotate(charm)) for (const r of p.requests()) p.publish(r, { password: newPassword() });
        });
      },
      requirer: (charm) => {
        const r = new pg.PostgresqlRequirer(charm, { endpoint: "database", database: "myapp" });
        r.on("databaseCreated", () => {});
      },
    },
  };
}

async function valkey(): Promise<InterfaceVariants> {
  const base: Base = {
    name: "valkey_client",
    contract: "v1 (2 requests)",
    providerEndpoints: { "valkey-client": "provides:valkey_client" },
    requirerEndpoints: { "valkey-client": "requires:valkey_client" },
    providerEndpoint: "valkey-client",
    requirerEndpoint: "valkey-client",
    providerConfig: { endpoints: "10.1.0.10:6379" },
    moveEndpoints: { endpoints: "10.1.0.20:6379,10.1.0.21:6379" },
  };
  const { module: vk, missing } = await load<Valkey>(base.name, "ValkeyProvider", "ValkeyRequirer");
  if (!vk) return { name: base.name, missing: missing! };
  const requirerFor = (resources: readonly string[]) => (charm: Charm) => {
    const r = new vk.ValkeyRequirer(charm, { endpoint: "valkey-client", resources: [...resources] });
    r.on("resourceCreated", () => {});
  };
  return {
    name: base.name,
    package: {
      ...base,
      impl: "package",
      provider: (charm) => {
        const p = new vk.ValkeyProvider(charm, { endpoint: "valkey-client" });
        p.on("resourceRequested", ({ request }) =>
          p.publish(request, {
            endpoints: endpointsOf(charm),
            sentinelEndpoints: ["10.1.0.10:26379"],
            mode: "sentinel",
            version: "9.0.1",
            tls: false,
            username: request.username,
            password: newPassword(),
          }),
        );
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm) });
        });
        charm.on("action", () => {
          if (isRotate(charm))
            for (const r of p.answeredRequests()) p.publish(r, { password: newPassword() });
        });
      },
      requirer: requirerFor(["app:*", "cache:*"]),
      requirerFor,
    },
  };
}

/** The etcd_client test certificates: from the package's testing entry, else from its test fixtures. */
async function etcdClientCerts(): Promise<{ client?: string; ca: string; ca2: string }> {
  type Testing = { TEST_CLIENT_CERT?: string; TEST_SERVER_CA?: string };
  const { module } = await importBuilt<Testing>(packageEntry(INTERFACE_PACKAGES.etcd_client, "testing.js"));
  const ca =
    module?.TEST_SERVER_CA ?? "-----BEGIN CERTIFICATE-----\nYmVuY2gtY2EtMQ==\n-----END CERTIFICATE-----";
  const ca2 = "-----BEGIN CERTIFICATE-----\nYmVuY2gtY2EtMg==\n-----END CERTIFICATE-----";
  if (module?.TEST_CLIENT_CERT) return { client: module.TEST_CLIENT_CERT, ca, ca2 };
  const certs = join(REPO, "packages/interface-etcd-client/test/fixtures/certs.ts");
  const text = existsSync(certs) ? readFileSync(certs, "utf8").replace(/\\n/g, "\n") : "";
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  return pem ? { client: `${pem}\n`, ca, ca2 } : { ca, ca2 };
}

async function etcdClient(): Promise<InterfaceVariants> {
  const base: Base = {
    name: "etcd_client",
    contract: "v1 (mTLS)",
    providerEndpoints: { "etcd-client": "provides:etcd_client" },
    requirerEndpoints: { "etcd-client": "requires:etcd_client" },
    providerEndpoint: "etcd-client",
    requirerEndpoint: "etcd-client",
    providerConfig: { endpoints: "10.1.0.10:2379" },
    moveEndpoints: { endpoints: "10.1.0.20:2379,10.1.0.21:2379" },
  };
  const certs = await etcdClientCerts();
  const { module: ec, missing } = await load<EtcdClient>(
    base.name,
    "EtcdClientProvider",
    "EtcdClientRequirer",
  );
  const client = certs.client;
  if (!ec || !client) return { name: base.name, missing: missing ?? "no test client certificate" };
  return {
    name: base.name,
    package: {
      ...base,
      impl: "package",
      provider: (charm) => {
        const p = new ec.EtcdClientProvider(charm, { endpoint: "etcd-client", stateDir: stateDir(charm) });
        p.on("clientRequested", (e) =>
          p.publish(e, {
            username: e.commonName,
            endpoints: endpointsOf(charm),
            version: "3.6.5",
            tlsCa: certs.ca,
          }),
        );
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm) });
        });
        charm.on("action", () => {
          if (isRotate(charm)) p.publishAll({ tlsCa: certs.ca2 });
        });
      },
      requirer: (charm) => {
        const r = new ec.EtcdClientRequirer(charm, {
          endpoint: "etcd-client",
          prefix: "/app/",
          mtlsCert: client,
          stateDir: stateDir(charm),
        });
        r.on("etcdReady", () => {});
      },
    },
  };
}

async function connect(): Promise<InterfaceVariants> {
  const base: Base = {
    name: "connect_client",
    contract: "v0",
    providerEndpoints: { "connect-client": "provides:connect_client" },
    requirerEndpoints: { "connect-client": "requires:connect_client" },
    providerEndpoint: "connect-client",
    requirerEndpoint: "connect-client",
    providerConfig: { endpoints: "http://10.1.0.10:8083" },
    moveEndpoints: { endpoints: "http://10.1.0.20:8083,http://10.1.0.21:8083" },
  };
  const pluginUrl = "http://10.1.0.99:8080/plugin.tar";
  const { module: cc, missing } = await load<Connect>(base.name, "ConnectProvider", "ConnectRequirer");
  if (!cc) return { name: base.name, missing: missing! };
  return {
    name: base.name,
    package: {
      ...base,
      impl: "package",
      provider: (charm) => {
        const p = new cc.ConnectProvider(charm, { endpoint: "connect-client", stateDir: stateDir(charm) });
        const answer = (r: { username: string }) => ({
          endpoints: endpointsOf(charm),
          username: r.username,
          password: newPassword(),
          tls: false,
        });
        p.on("integrationRequested", ({ request }) => p.publish(request, answer(request)));
        charm.on("configChanged", () => {
          if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm) });
        });
        charm.on("action", () => {
          if (isRotate(charm)) for (const r of p.answeredRequests()) p.publish(r, answer(r));
        });
      },
      requirer: (charm) => {
        const r = new cc.ConnectRequirer(charm, { endpoint: "connect-client", pluginUrl });
        r.on("integrationCreated", () => {});
      },
    },
  };
}

/** The legacy reactive `etcd` interface: unit databags only, no secrets, published by every unit. */
async function etcd(): Promise<InterfaceVariants> {
  const base: Base = {
    name: "etcd",
    contract: "legacy (unit bags)",
    providerEndpoints: { db: "provides:etcd" },
    requirerEndpoints: { etcd: "requires:etcd" },
    providerEndpoint: "db",
    requirerEndpoint: "etcd",
    providerConfig: { endpoints: "https://10.1.0.10:2379" },
    moveEndpoints: { endpoints: "https://10.1.0.20:2379,https://10.1.0.21:2379" },
  };
  const fixtures = join(REPO, "packages/interface-etcd/test/fixtures");
  const { module: et, missing } = await load<Etcd>(base.name, "EtcdProvider", "EtcdRequirer");
  // No engine variant: the legacy protocol is not data-interfaces.
  if (!et) return { name: base.name, missing: missing! };
  if (!existsSync(join(fixtures, "client1.key"))) return { name: base.name, missing: "no test credentials" };
  const pem = (n: string) => readFileSync(join(fixtures, n), "utf8");
  const creds = (n: 1 | 2) => ({
    key: pem(`client${n}.key`),
    cert: pem(`client${n}.pem`),
    ca: pem("ca.pem"),
  });
  return {
    name: base.name,
    package: {
      ...base,
      impl: "package",
      provider: (charm) => {
        const p = new et.EtcdProvider(charm, { endpoint: "db" });
        const publish = (n: 1 | 2 = 1) => {
          p.setConnectionString(endpointsOf(charm), "3.4.22");
          p.setClientCredentials(creds(n));
        };
        p.on("connected", () => publish());
        charm.on("configChanged", () => publish());
        charm.on("action", () => {
          if (isRotate(charm)) publish(2);
        });
      },
      requirer: (charm) => {
        const r = new et.EtcdRequirer(charm, { endpoint: "etcd", stateDir: false });
        r.on("available", () => {});
      },
    },
  };
}

/** Every interface, both variants where they exist. */
export async function loadInterfaces(): Promise<InterfaceVariants[]> {
  return [await postgresql(), await valkey(), await etcdClient(), await connect(), await etcd()];
}

/**
 * Run `use` with the package variant, falling back to the engine variant (with a note) when the
 * package is missing or its run throws; undefined when neither exists.
 */
export async function withVariant<T>(
  variants: InterfaceVariants,
  use: (iface: InterfaceBench) => Promise<T>,
): Promise<{ iface: InterfaceBench; value: T } | { iface?: undefined; error: string }> {
  let note = variants.missing ? `package not used: ${variants.missing}` : undefined;
  if (variants.package) {
    try {
      return { iface: variants.package, value: await use(variants.package) };
    } catch (e) {
      note = `package failed: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  if (!variants.engine) return { error: note ?? "no variant" };
  const iface = { ...variants.engine, ...(note ? { note } : {}) };
  return { iface, value: await use(iface) };
}
