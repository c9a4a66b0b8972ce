/**
 * Lean charms for each interface: a provider that answers every request in the hook that saw it,
 * republishes endpoints on config-changed and rotates credentials on the `rotate` action; a requirer
 * that only listens. No status, no logging, nothing but the interface library, so every hook-tool call
 * in a hook is the library's own.
 *
 * Each uses the interface package's exported provider/requirer classes when that package is built and
 * loads; otherwise the generic core engines configured like the interface (the state before the package
 * landed), and the bench says which one ran.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Charm, InterfaceDefinition } from "../../packages/juju-secrets-core/dist/index.js";
import type { EndpointInput } from "../../packages/juju-secrets-core/dist/testing/index.js";
import { type InterfaceName, importBuilt, INTERFACE_PACKAGES, packageEntry, REPO } from "./paths.js";

type Core = typeof import("../../packages/juju-secrets-core/dist/index.js");
type Postgresql = typeof import("../../packages/interface-postgresql-client/dist/index.js");
type Valkey = typeof import("../../packages/interface-valkey-client/dist/index.js");
type EtcdClient = typeof import("../../packages/interface-etcd-client/dist/index.js");
type Connect = typeof import("../../packages/interface-connect-client/dist/index.js");
type Etcd = typeof import("../../packages/interface-etcd/dist/index.js");

export interface InterfaceBench {
  readonly name: InterfaceName;
  /** `package` (the interface package's classes) or `engine` (generic engines, package not loadable). */
  readonly impl: "package" | "engine";
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

const ENDPOINTS_1 = "10.1.0.10:5432";
const ENDPOINTS_2 = "10.1.0.20:5432,10.1.0.21:5432";
const newPassword = (): string => randomBytes(12).toString("hex");
const endpointsOf = (charm: Charm): string[] => String(charm.model.config().endpoints ?? ENDPOINTS_1).split(",");
const isRotate = (charm: Charm): boolean => charm.context.kind === "action" && charm.context.actionName === "rotate";

let stateRoot: string | undefined;
/** A private dir for unit-local state files (departing markers), never the repo. */
function stateDir(charm: Charm): string {
  stateRoot ??= mkdtempSync(join(tmpdir(), "charm-relations-bench-state-"));
  return join(stateRoot, charm.unit.replace("/", "-"));
}

// -------------------------------------------------------------------------------------------------
// Generic engines configured like each interface (fallback)

function engineBench(
  core: Core,
  base: Omit<InterfaceBench, "impl" | "provider" | "requirer">,
  definition: InterfaceDefinition,
  answer: (charm: Charm, request: { relation: { id: number }; requestId?: string }) => Record<string, string>,
  requirerOptions: { contract: "v0" | "v1"; resources: string[]; mtlsCert?: string },
  note: string,
): InterfaceBench {
  return {
    ...base,
    impl: "engine",
    note,
    provider: (charm) => {
      const p = new core.DataProvider(charm, base.providerEndpoint, definition);
      p.events.on("requested", ({ request }) =>
        p.publish(request.relation, answer(charm, request), request.requestId ? { requestId: request.requestId } : {}),
      );
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm).join(",") });
      });
      charm.on("action", () => {
        if (!isRotate(charm)) return;
        for (const r of p.requests())
          p.publish(r.relation, { password: newPassword() }, r.requestId ? { requestId: r.requestId } : {});
      });
    },
    requirer: (charm) => {
      new core.DataRequirer(charm, base.requirerEndpoint, definition, {
        contract: requirerOptions.contract,
        requests: requirerOptions.resources.map((resource) => ({
          resource,
          ...(requirerOptions.mtlsCert ? { mtlsCert: requirerOptions.mtlsCert } : {}),
        })),
      });
    },
    ...(requirerOptions.contract === "v1"
      ? {
          requirerFor: (resources: readonly string[]) => (charm: Charm) => {
            new core.DataRequirer(charm, base.requirerEndpoint, definition, {
              contract: "v1",
              requests: resources.map((resource) => ({ resource })),
            });
          },
        }
      : {}),
  };
}

// -------------------------------------------------------------------------------------------------
// The five interfaces

async function postgresql(core: Core): Promise<InterfaceBench> {
  const base = {
    name: "postgresql_client" as const,
    contract: "v0",
    providerEndpoints: { database: "provides:postgresql_client" as const },
    requirerEndpoints: { database: "requires:postgresql_client" as const },
    providerEndpoint: "database",
    requirerEndpoint: "database",
    providerConfig: { endpoints: ENDPOINTS_1 },
    moveEndpoints: { endpoints: ENDPOINTS_2 },
  };
  const { module: pg, error } = await importBuilt<Postgresql>(packageEntry(INTERFACE_PACKAGES.postgresql_client));
  if (!pg?.PostgresqlProvider || !pg.PostgresqlRequirer) {
    return engineBench(
      core,
      base,
      { name: "postgresql_client", resourceKey: "database", readyFields: ["username", "password", "endpoints"] },
      (charm, r) => ({
        database: "myapp",
        endpoints: endpointsOf(charm).join(","),
        username: `relation-${r.relation.id}`,
        password: newPassword(),
        version: "16.8.1",
      }),
      { contract: "v0", resources: ["myapp"] },
      error ?? "package exports missing",
    );
  }
  return {
    ...base,
    impl: "package",
    provider: (charm) => {
      const p = new pg.PostgresqlProvider(charm);
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
      const r = new pg.PostgresqlRequirer(charm, { database: "myapp" });
      r.on("databaseCreated", () => {});
    },
  };
}

async function valkey(core: Core): Promise<InterfaceBench> {
  const base = {
    name: "valkey_client" as const,
    contract: "v1 (2 requests)",
    providerEndpoints: { "valkey-client": "provides:valkey_client" as const },
    requirerEndpoints: { "valkey-client": "requires:valkey_client" as const },
    providerEndpoint: "valkey-client",
    requirerEndpoint: "valkey-client",
    providerConfig: { endpoints: "10.1.0.10:6379" },
    moveEndpoints: { endpoints: "10.1.0.20:6379,10.1.0.21:6379" },
  };
  const { module: vk, error } = await importBuilt<Valkey>(packageEntry(INTERFACE_PACKAGES.valkey_client));
  if (!vk?.ValkeyProvider || !vk.ValkeyRequirer) {
    return engineBench(
      core,
      base,
      {
        name: "valkey_client",
        resourceKey: "database",
        readyFields: ["username", "password", "endpoints"],
        responseExtraKeys: ["sentinel-endpoints", "mode"],
        v0Keys: { "sentinel-endpoints": "sentinel_endpoints" },
        trailingMtlsCert: true,
      },
      (charm, r) => ({
        endpoints: endpointsOf(charm).join(","),
        "sentinel-endpoints": "10.1.0.10:26379",
        mode: "sentinel",
        username: `relation-${r.relation.id}-${r.requestId ?? ""}`,
        password: newPassword(),
        version: "9.0.1",
      }),
      { contract: "v1", resources: ["app:*", "cache:*"] },
      error ?? "package exports missing",
    );
  }
  return {
    ...base,
    impl: "package",
    provider: (charm) => {
      const p = new vk.ValkeyProvider(charm, "valkey-client");
      const shared = () => ({
        endpoints: endpointsOf(charm),
        sentinelEndpoints: ["10.1.0.10:26379"],
        mode: "sentinel",
        version: "9.0.1",
        tls: false,
      });
      p.on("resourceRequested", ({ request }) =>
        p.publish(request, { ...shared(), username: request.username, password: newPassword() }),
      );
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm) });
      });
      charm.on("action", () => {
        if (isRotate(charm)) for (const r of p.answeredRequests()) p.publish(r, { password: newPassword() });
      });
    },
    requirer: (charm) => {
      const r = new vk.ValkeyRequirer(charm, "valkey-client", { resources: ["app:*", "cache:*"] });
      r.on("resourceCreated", () => {});
    },
    requirerFor: (resources) => (charm) => {
      const r = new vk.ValkeyRequirer(charm, "valkey-client", { resources: [...resources] });
      r.on("resourceCreated", () => {});
    },
  };
}

/** The etcd_client test certificates: from the package's testing entry, else from its test fixtures. */
async function etcdClientCerts(): Promise<{ client?: string; ca: string; ca2: string }> {
  type Testing = { TEST_CLIENT_CERT?: string; TEST_SERVER_CA?: string };
  const { module } = await importBuilt<Testing>(packageEntry(INTERFACE_PACKAGES.etcd_client, "testing.js"));
  const ca = module?.TEST_SERVER_CA ?? "-----BEGIN CERTIFICATE-----\nYmVuY2gtY2EtMQ==\n-----END CERTIFICATE-----";
  const ca2 = "-----BEGIN CERTIFICATE-----\nYmVuY2gtY2EtMg==\n-----END CERTIFICATE-----";
  if (module?.TEST_CLIENT_CERT) return { client: module.TEST_CLIENT_CERT, ca, ca2 };
  const certs = join(REPO, "packages/interface-etcd-client/test/fixtures/certs.ts");
  const text = existsSync(certs) ? readFileSync(certs, "utf8") : "";
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text.replace(/\\n/g, "\n"))?.[0];
  return pem ? { client: `${pem}\n`, ca, ca2 } : { ca, ca2 };
}

async function etcdClient(core: Core): Promise<InterfaceBench> {
  const base = {
    name: "etcd_client" as const,
    contract: "v1 (mTLS)",
    providerEndpoints: { "etcd-client": "provides:etcd_client" as const },
    requirerEndpoints: { "etcd-client": "requires:etcd_client" as const },
    providerEndpoint: "etcd-client",
    requirerEndpoint: "etcd-client",
    providerConfig: { endpoints: "10.1.0.10:2379" },
    moveEndpoints: { endpoints: "10.1.0.20:2379,10.1.0.21:2379" },
  };
  const certs = await etcdClientCerts();
  const { module: ec, error } = await importBuilt<EtcdClient>(packageEntry(INTERFACE_PACKAGES.etcd_client));
  if (!ec?.EtcdClientProvider || !ec.EtcdClientRequirer || !certs.client) {
    return engineBench(
      core,
      base,
      {
        name: "etcd_client",
        resourceKey: "prefix",
        readyFields: ["username", "uris", "endpoints", "tls-ca", "version"],
        mtls: true,
        crossModelEncryption: true,
      },
      (charm) => ({
        endpoints: endpointsOf(charm).join(","),
        uris: endpointsOf(charm)
          .map((e) => `https://${e}`)
          .join(","),
        username: "client1.requirer-charm",
        "tls-ca": certs.ca,
        version: "3.6.5",
      }),
      { contract: "v1", resources: ["/app/"], ...(certs.client ? { mtlsCert: certs.client } : {}) },
      error ?? (certs.client ? "package exports missing" : "no test certificate"),
    );
  }
  const client = certs.client;
  return {
    ...base,
    impl: "package",
    provider: (charm) => {
      const p = new ec.EtcdClientProvider(charm, "etcd-client", { stateDir: stateDir(charm) });
      p.on("clientRequested", (e) =>
        p.publishClient(e, { username: e.commonName, endpoints: endpointsOf(charm), version: "3.6.5", tlsCa: certs.ca }),
      );
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) p.publishEndpoints({ endpoints: endpointsOf(charm) });
      });
      charm.on("action", () => {
        if (isRotate(charm)) p.publishTlsCa(certs.ca2);
      });
    },
    requirer: (charm) => {
      const r = new ec.EtcdClientRequirer(charm, "etcd-client", {
        prefix: "/app/",
        mtlsCert: client,
        stateDir: stateDir(charm),
      });
      r.on("etcdReady", () => {});
    },
  };
}

async function connect(core: Core): Promise<InterfaceBench> {
  const base = {
    name: "connect_client" as const,
    contract: "v0",
    providerEndpoints: { "connect-client": "provides:connect_client" as const },
    requirerEndpoints: { "connect-client": "requires:connect_client" as const },
    providerEndpoint: "connect-client",
    requirerEndpoint: "connect-client",
    providerConfig: { endpoints: "http://10.1.0.10:8083" },
    moveEndpoints: { endpoints: "http://10.1.0.20:8083,http://10.1.0.21:8083" },
  };
  const { module: cc, error } = await importBuilt<Connect>(packageEntry(INTERFACE_PACKAGES.connect_client));
  if (!cc?.ConnectProvider || !cc.ConnectRequirer) {
    return engineBench(
      core,
      base,
      { name: "connect_client", resourceKey: "plugin-url", readyFields: ["username", "password", "endpoints"] },
      (charm, r) => ({
        endpoints: endpointsOf(charm).join(","),
        username: `relation-${r.relation.id}`,
        password: newPassword(),
        tls: "disabled",
        "tls-ca": "disabled",
      }),
      { contract: "v0", resources: ["http://10.1.0.99:8080/plugin.tar"] },
      error ?? "package exports missing",
    );
  }
  return {
    ...base,
    impl: "package",
    provider: (charm) => {
      const p = new cc.ConnectProvider(charm, "connect-client", { stateDir: stateDir(charm) });
      p.on("integrationRequested", ({ request }) =>
        p.publish(request, { endpoints: endpointsOf(charm), username: request.username, password: newPassword(), tls: false }),
      );
      charm.on("configChanged", () => {
        if (charm.model.isLeader()) p.publishAll({ endpoints: endpointsOf(charm) });
      });
      charm.on("action", () => {
        if (!isRotate(charm)) return;
        for (const r of p.answeredRequests())
          p.publish(r, { endpoints: endpointsOf(charm), username: r.username, password: newPassword(), tls: false });
      });
    },
    requirer: (charm) => {
      const r = new cc.ConnectRequirer(charm, "connect-client", { pluginUrl: "http://10.1.0.99:8080/plugin.tar" });
      r.on("integrationCreated", () => {});
    },
  };
}

/** The legacy reactive `etcd` interface: unit databags only, no secrets, published by every unit. */
async function etcd(): Promise<InterfaceBench | undefined> {
  const base = {
    name: "etcd" as const,
    contract: "legacy (unit bags)",
    providerEndpoints: { db: "provides:etcd" as const },
    requirerEndpoints: { etcd: "requires:etcd" as const },
    providerEndpoint: "db",
    requirerEndpoint: "etcd",
    providerConfig: { endpoints: "https://10.1.0.10:2379" },
    moveEndpoints: { endpoints: "https://10.1.0.20:2379,https://10.1.0.21:2379" },
  };
  const { module: et } = await importBuilt<Etcd>(packageEntry(INTERFACE_PACKAGES.etcd));
  const fixtures = join(REPO, "packages/interface-etcd/test/fixtures");
  const pem = (n: string) => readFileSync(join(fixtures, n), "utf8");
  // No engine equivalent: the legacy protocol is not data-interfaces. Skipped until the package loads.
  if (!et?.EtcdProvider || !et.EtcdRequirer || !existsSync(join(fixtures, "client1.key"))) return undefined;
  const creds = (n: 1 | 2) => ({ key: pem(`client${n}.key`), cert: pem(`client${n}.pem`), ca: pem("ca.pem") });
  return {
    ...base,
    impl: "package",
    provider: (charm) => {
      const p = new et.EtcdProvider(charm, "db");
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
      const r = new et.EtcdRequirer(charm, "etcd", { stateDir: false });
      r.on("available", () => {});
    },
  };
}

/** Every interface, package classes where they load. */
export async function loadInterfaces(core: Core): Promise<InterfaceBench[]> {
  const out = [await postgresql(core), await valkey(core), await etcdClient(core), await connect(core)];
  const legacy = await etcd();
  if (legacy) out.push(legacy);
  return out;
}
