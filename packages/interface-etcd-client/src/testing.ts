/**
 * `@charm-relations/interface-etcd-client/testing`: what a charm author needs to test a charm that
 * speaks etcd_client — in-process runners for the Simulation, reference charms for the other side,
 * test certificates, databag builders with the Python libraries' exact bytes, and a conformance suite
 * (`providerConformance`, `requirerConformance`) to run against your own charm.
 */

import type { Contract } from "@charm-relations/juju-secrets-core";
import {
  computeRequestId,
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  parseJsonObjects as objects,
  parseJson,
  pyDumps,
  v0Snapshot,
} from "@charm-relations/juju-secrets-core/protocol";
import type { InterfaceTesting } from "@charm-relations/juju-secrets-core/testing";
import {
  charmRunner,
  deployTarget,
  type HookRecord,
  type HookRunner,
  Simulation,
} from "@charm-relations/juju-secrets-core/testing";
import { parseClientCertificate } from "./certificate.js";
import { DEFAULT_ENDPOINT } from "./definition.js";
import { EtcdClientProvider } from "./provider.js";
import { EtcdClientRequirer } from "./requirer.js";
import { etcdClientScenario } from "./scenario.js";
import { tlsSecret, userSecret } from "./schema.js";

// ---------------------------------------------------------------------------------------------
// Test certificates (EC P-256, generated once with OpenSSL 3, valid ten years; private keys
// discarded). Public material, for tests only.

/** A CA (CN=test-client-ca, CA:TRUE): refused as a client certificate. It signed the two below. */
export const TEST_CA_CERT =
  "-----BEGIN CERTIFICATE-----\nMIIBmDCCAT2gAwIBAgIUF35patY3RQ0YNIwb5NgxqwymAh0wCgYIKoZIzj0EAwIw\nGTEXMBUGA1UEAwwOdGVzdC1jbGllbnQtY2EwHhcNMjYxMTIzMTg1MzM4WhcNMzYx\nMTIwMTg1MzM4WjAZMRcwFQYDVQQDDA50ZXN0LWNsaWVudC1jYTBZMBMGByqGSM49\nAgEGCCqGSM49AwEHA0IABGW8fbHjenwucRS2e+9aZHd4Pp7nO1M/2FX3EVm9eCfQ\nMcsX/f79GtnhauKEUieEHhu9VjMbXzz2QybHfpvzVyWjYzBhMB0GA1UdDgQWBBSB\nm8qpKnrmQ1+Pdk8J0eedtxWjWDAfBgNVHSMEGDAWgBSBm8qpKnrmQ1+Pdk8J0eed\ntxWjWDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQD\nAgNJADBGAiEA70cScjo1CoMrCFvyd/AfvasVb9ITUmhyk8WQVtcNqhMCIQCPGkq0\nGCk73eZ/Yt4LDNlsNrliZ2RHwjRy8Dik9Jdsug==\n-----END CERTIFICATE-----\n";

/** A client certificate, CN=client1.requirer-charm (the etcd user). */
export const TEST_CLIENT_CERT =
  "-----BEGIN CERTIFICATE-----\nMIIBxDCCAWugAwIBAgIUY6OsCMPuCfuHls5AHvBSCZT4qfAwCgYIKoZIzj0EAwIw\nGTEXMBUGA1UEAwwOdGVzdC1jbGllbnQtY2EwHhcNMjYxMTIzMTg1MzM4WhcNMzYx\nMTIwMTg1MzM4WjA1MRIwEAYDVQQKDAlDYW5vbmljYWwxHzAdBgNVBAMMFmNsaWVu\ndDEucmVxdWlyZXItY2hhcm0wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASqLonR\njPst8OE1PAq6CpHTm5q3O5afwk8lbwf43fJbOWET9aRkUojBEQMMsHKMB/3j4F0g\nbQKlr7II7Hh+8HzJo3UwczAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAT\nBgNVHSUEDDAKBggrBgEFBQcDAjAdBgNVHQ4EFgQUe3Gz8W89C80BqmrFMXRi3O8I\nswYwHwYDVR0jBBgwFoAUgZvKqSp65kNfj3ZPCdHnnbcVo1gwCgYIKoZIzj0EAwID\nRwAwRAIgIsT/2id2mT47AN54LQn0/h8sqxcJE9UwfSad/rHmDckCIH3dvHfsXQY4\niiXwV37/kM0W5tyxrthWLLjDaXR21Gma\n-----END CERTIFICATE-----\n";

/** Another client certificate, CN=client2.requirer-charm (a CN change). */
export const TEST_CLIENT_CERT_2 =
  "-----BEGIN CERTIFICATE-----\nMIIBsjCCAVegAwIBAgIUY6OsCMPuCfuHls5AHvBSCZT4qfEwCgYIKoZIzj0EAwIw\nGTEXMBUGA1UEAwwOdGVzdC1jbGllbnQtY2EwHhcNMjYxMTIzMTg1MzM4WhcNMzYx\nMTIwMTg1MzM4WjAhMR8wHQYDVQQDDBZjbGllbnQyLnJlcXVpcmVyLWNoYXJtMFkw\nEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOhbd2ZH8/EMdj1vglELX8MKqdIjRqnBh\nuDuMTALkGBDBd61Qk5QKAqYgbLj/B+UHYLzBYFQmP0gvodHVOZE5fKN1MHMwDAYD\nVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwIw\nHQYDVR0OBBYEFLfN9aIKmprFaBN8MpOoOFVdJNrrMB8GA1UdIwQYMBaAFIGbyqkq\neuZDX492TwnR5523FaNYMAoGCCqGSM49BAMCA0kAMEYCIQDrz2MAAIM0Ip8YWG8t\nSKVQvEnLFatNj7dhCpHp+SCrwAIhAN3oYMRAND2G/wzOdXggWqDGsZM55DDheqEs\nBxrOef1o\n-----END CERTIFICATE-----\n";

/** Stand-in for the etcd server CA in tests (any PEM-shaped text passes the wire schema). */
export const TEST_SERVER_CA =
  "-----BEGIN CERTIFICATE-----\naGFybmVzcy1ldGNkLXNlcnZlci1jYS1nZW5lcmF0aW9uLTE=\n-----END CERTIFICATE-----";

// ---------------------------------------------------------------------------------------------
// Runners

/** A Simulation runner for an in-process charm (re-exported from the core's testing module). */
export { charmRunner };

export interface ReferenceProviderOptions {
  readonly endpoint?: string;
  /** Default: `10.1.0.10:2379`. */
  readonly endpoints?: readonly string[];
  /** Default: `3.6.5`. */
  readonly version?: string;
  /** Default: `TEST_SERVER_CA`. */
  readonly tlsCa?: string;
}

/**
 * An etcd provider that behaves like charmed-etcd on the wire: each client gets a user named after its
 * certificate's CN (re-published when the CN changes), the endpoints, the version and the server CA.
 * Config `tls-ca` rotates the CA and `endpoints` (comma list) moves the cluster, on config-changed.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  return charmRunner((charm) => {
    const provider = new EtcdClientProvider(charm, { endpoint: options.endpoint ?? DEFAULT_ENDPOINT });
    const config = () => charm.model.config();
    const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
    const endpoints = () => str(config().endpoints)?.split(",") ?? options.endpoints ?? ["10.1.0.10:2379"];
    const answer = (client: Parameters<EtcdClientProvider["publish"]>[0], username: string) =>
      provider.publish(client, {
        username,
        endpoints: endpoints(),
        version: str(config().version) ?? options.version ?? "3.6.5",
        tlsCa: str(config()["tls-ca"]) ?? options.tlsCa ?? TEST_SERVER_CA,
      });
    provider.on("clientRequested", (e) => answer(e, e.commonName));
    provider.on("clientCertificateChanged", (e) => {
      if (charm.model.isLeader() && e.commonNameChanged) answer(e, e.commonName);
    });
    provider.on("clientCertificateRejected", (e) => charm.model.log("WARNING", e.error.message));
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      const ca = str(config()["tls-ca"]);
      if (ca) provider.publishAll({ tlsCa: ca });
      if (str(config().endpoints)) provider.publishAll({ endpoints: endpoints() });
    });
  });
}

export interface ReferenceRequirerOptions {
  readonly endpoint?: string;
  /** Default `/requirer/`. */
  readonly prefix?: string;
  /** Default `TEST_CLIENT_CERT`; config `mtls-cert` overrides it (applied on config-changed). */
  readonly mtlsCert?: string;
  readonly contract?: Contract;
}

/** An etcd client that behaves like the Python `EtcdRequires` (v0) or the v1 requirer on the wire. */
export function referenceRequirer(options: ReferenceRequirerOptions = {}): HookRunner {
  return charmRunner((charm) => {
    const configured = charm.model.config()["mtls-cert"];
    const cert =
      typeof configured === "string" && configured !== ""
        ? configured
        : (options.mtlsCert ?? TEST_CLIENT_CERT);
    const requirer = new EtcdClientRequirer(charm, {
      endpoint: options.endpoint ?? DEFAULT_ENDPOINT,
      prefix: options.prefix ?? "/requirer/",
      mtlsCert: cert,
      ...(options.contract ? { contract: options.contract } : {}),
    });
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) requirer.setMtlsCert(cert);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Databags as the Python libraries write them

/** The requirer app bag of the Python v0 `EtcdRequires` (same-model; cross-model: no `secret-mtls`). */
export function pythonRequirerAppV0(options: {
  readonly prefix: string;
  readonly secretMtls?: string;
  readonly crossModel?: boolean;
}): Record<string, string> {
  const bag: Record<string, string> = {
    prefix: options.prefix,
    "requested-secrets": pyDumps([...DEFAULT_REQUESTED_SECRETS]),
  };
  if (!options.crossModel) bag["provided-secrets"] = pyDumps([...DEFAULT_PROVIDED_SECRETS]);
  if (options.secretMtls && !options.crossModel) bag["secret-mtls"] = options.secretMtls;
  return bag;
}

/** The provider app bag of the Python v0 `EtcdProvides` once it answered (with its `data` snapshot). */
export function pythonProviderAppV0(options: {
  readonly requirerApp: Readonly<Record<string, string>>;
  readonly endpoints: readonly string[];
  readonly version: string;
  readonly secretUser: string;
  readonly secretTls: string;
}): Record<string, string> {
  return {
    data: v0Snapshot(options.requirerApp),
    endpoints: options.endpoints.join(","),
    "secret-tls": options.secretTls,
    "secret-user": options.secretUser,
    version: options.version,
  };
}

/** A v1 request object in the charmhub v1 library's key order (nulls serialized). */
export function pythonRequestV1(options: {
  readonly prefix: string;
  readonly salt: string;
  readonly secretMtls?: string;
}): Record<string, unknown> {
  return {
    resource: options.prefix,
    "request-id": computeRequestId(options.prefix, options.salt),
    salt: options.salt,
    "extra-user-roles": null,
    "extra-group-roles": null,
    "external-node-connectivity": false,
    "entity-type": null,
    "entity-permissions": null,
    "secret-mtls": options.secretMtls ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Conformance

export interface ConformanceCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface ConformanceReport {
  readonly ok: boolean;
  readonly checks: readonly ConformanceCheck[];
}

export interface ConformanceOptions {
  /** Your charm (e.g. `charmRunner(setup)` or `processRunner("./dispatch")`). */
  readonly runner: HookRunner;
  /** Its endpoint name (default `etcd-client`). */
  readonly endpoint?: string;
  /** Units of your application (default 2: leader and non-leader). */
  readonly units?: number;
  /** Your charm's config. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Contracts to try (default both). */
  readonly contracts?: readonly Contract[];
}

class Checks {
  readonly list: ConformanceCheck[] = [];
  check(name: string, fn: () => string | true): void {
    try {
      const r = fn();
      this.list.push(r === true ? { name, ok: true } : { name, ok: false, detail: r });
    } catch (e) {
      this.list.push({ name, ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  report(): ConformanceReport {
    return { ok: this.list.every((c) => c.ok), checks: this.list };
  }
}

function failedHooks(hooks: readonly HookRecord[]): string | true {
  const bad = hooks.filter((h) => !h.ok);
  return bad.length === 0
    ? true
    : bad
        .map((h) => `${h.unit} ${h.hook}: ${h.error instanceof Error ? h.error.message : String(h.error)}`)
        .join("; ");
}

const APP = "app-under-test";
const DEFAULTS = { endpoint: DEFAULT_ENDPOINT, interface: "etcd_client" } as const;

/**
 * Run your provider charm against the reference requirer (both contracts): answers with the CN as
 * username, endpoints without scheme and https uris, the CA, a `data` entry per answered v1 request;
 * idempotent relation-changed; a new CN re-published; no provider secret left after removal.
 */
export async function providerConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const checks = new Checks();
  for (const contract of options.contracts ?? (["v1", "v0"] as const)) {
    const sim = new Simulation();
    deployTarget(sim, APP, "provides", options, DEFAULTS);
    sim.deploy("client", {
      runner: referenceRequirer({ contract }),
      units: 2,
      endpoints: { [DEFAULT_ENDPOINT]: "requires:etcd_client" },
    });
    const rel = sim.relate("client", APP);
    await sim.settle();
    const model = sim.model;
    const tag = `[${contract}]`;
    checks.check(`${tag} relating settles without a failed hook`, () => failedHooks(sim.hooks));
    const answer = (): Record<string, string> => {
      const bag = model.appBag(rel, APP);
      if (contract === "v0") return bag;
      const [response] = objects(bag.requests);
      return Object.fromEntries(
        Object.entries(response ?? {}).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
      );
    };
    const username = () => {
      const uri = answer()["secret-user"];
      if (!uri) throw new Error("no secret-user published");
      return userSecret.parse(model.secretContent(uri)).username;
    };
    checks.check(`${tag} answers with the client certificate's CN as the etcd user`, () => {
      const cn = parseClientCertificate(TEST_CLIENT_CERT).commonName;
      return username() === cn || `username ${JSON.stringify(username())}, expected ${cn}`;
    });
    checks.check(`${tag} endpoints are host:port (no scheme), uris are https URLs, tls-ca is a PEM`, () => {
      const a = answer();
      if (!a.endpoints || a.endpoints.split(",").some((e) => !/^[^/\s]+:\d+$/.test(e.trim()))) {
        return `endpoints ${JSON.stringify(a.endpoints)}`;
      }
      userSecret.parse(model.secretContent(a["secret-user"]!));
      tlsSecret.parse(model.secretContent(a["secret-tls"] ?? ""));
      return a.version ? true : "no version";
    });
    if (contract === "v1") {
      checks.check(
        "[v1] `data` has an entry for every answered request id (Python v1 requirers need it)",
        () => {
          const bag = model.appBag(rel, APP);
          const data = parseJson(bag.data ?? "");
          const ids = objects(bag.requests).map((r) => r["request-id"]);
          const have = data.ok && data.value && typeof data.value === "object" ? Object.keys(data.value) : [];
          return (
            ids.every((id) => have.includes(String(id))) || `data keys ${have.join(",")} vs ${ids.join(",")}`
          );
        },
      );
    }
    const mark = sim.hooks.length;
    for (const unit of model.application(APP).units)
      await sim.runHook(unit, "relation-changed", { relationId: rel });
    await sim.settle();
    checks.check(`${tag} another relation-changed writes nothing`, () => {
      const wrote = sim.hooks
        .slice(mark)
        .filter((h) => h.databags.length > 0 || (h.secrets?.updated.length ?? 0) > 0);
      return wrote.length === 0 || wrote.map((h) => `${h.unit} ${h.hook}`).join("; ");
    });
    sim.configure("client", { "mtls-cert": TEST_CLIENT_CERT_2 });
    await sim.settle();
    checks.check(`${tag} a client certificate with a new CN gets a new username`, () => {
      const cn = parseClientCertificate(TEST_CLIENT_CERT_2).commonName;
      const f = failedHooks(sim.hooks);
      return f !== true ? f : username() === cn || `username ${JSON.stringify(username())}, expected ${cn}`;
    });
    sim.removeRelation(rel);
    await sim.settle();
    checks.check(`${tag} removing the relation leaves no secret of yours behind`, () => {
      const left = model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === APP);
      const f = failedHooks(sim.hooks);
      return f !== true ? f : left.length === 0 || `left: ${left.map((s) => s.label ?? s.xid).join(", ")}`;
    });
  }
  return checks.report();
}

/**
 * Run your requirer charm against the reference provider: the request in one hook (v0: prefix with the
 * full `requested-secrets` and `provided-secrets`, v1: a valid request id), a client certificate in a
 * requirer-owned secret whose first certificate is not a CA, a snapshot on every unit once answered,
 * idempotent relation-changed, no requirer secret left after removal.
 */
export async function requirerConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const checks = new Checks();
  const sim = new Simulation();
  deployTarget(sim, APP, "requires", options, DEFAULTS);
  sim.deploy("etcd", {
    runner: referenceProvider(),
    units: 1,
    endpoints: { [DEFAULT_ENDPOINT]: "provides:etcd_client" },
  });
  const rel = sim.relate(APP, "etcd");
  await sim.settle();
  const model = sim.model;
  checks.check("relating settles without a failed hook", () => failedHooks(sim.hooks));
  const bag = model.appBag(rel, APP);
  const v1 = bag.version === "v1";
  checks.check("the request is complete and was written in one hook (same-hook rule)", () => {
    const writes = sim.hooks.filter(
      (h) => h.unit.startsWith(`${APP}/`) && h.databags.some((d) => d.bag === "app"),
    );
    if (writes.length === 0) return "no request written";
    if (v1) {
      const requests = objects(bag.requests);
      if (requests.length === 0) return "empty requests";
      for (const r of requests) {
        if (typeof r.resource !== "string" || typeof r.salt !== "string")
          return "request without resource/salt";
        if (r["request-id"] !== computeRequestId(r.resource, r.salt))
          return "request-id is not sha256(resource:salt)[:16]";
      }
      return true;
    }
    const first = writes[0]!.databags.find((d) => d.bag === "app")!.set;
    if (!first.prefix) return "no prefix in the first write";
    if (first["requested-secrets"] !== pyDumps([...DEFAULT_REQUESTED_SECRETS]))
      return "requested-secrets is not the full default list";
    return true;
  });
  checks.check("the client certificate travels in a requirer-owned secret granted to the relation", () => {
    const uris = v1 ? objects(bag.requests).map((r) => r["secret-mtls"]) : [bag["secret-mtls"]];
    for (const uri of uris) {
      if (typeof uri !== "string") return "no secret-mtls";
      const s = model.secret(uri);
      if (s?.owner.kind !== "application" || s.owner.app !== APP)
        return "secret-mtls is not owned by the app";
      if (!s.grants.some((g) => g.relationId === rel)) return "secret-mtls not granted to the relation";
      parseClientCertificate(model.secretContent(uri)?.["mtls-cert"] ?? "");
    }
    return true;
  });
  checks.check("every unit keeps its own snapshot of the answer", () => {
    const missing = model
      .application(APP)
      .units.filter((u) => !model.unitBag(rel, u).data?.includes("secret-user"));
    return missing.length === 0 || `no snapshot on ${missing.join(", ")}`;
  });
  const mark = sim.hooks.length;
  for (const unit of model.application(APP).units)
    await sim.runHook(unit, "relation-changed", { relationId: rel });
  await sim.settle();
  checks.check("another relation-changed writes nothing", () => {
    const wrote = sim.hooks
      .slice(mark)
      .filter((h) => h.databags.length > 0 || (h.secrets?.updated.length ?? 0) > 0);
    return wrote.length === 0 || wrote.map((h) => `${h.unit} ${h.hook}`).join("; ");
  });
  sim.removeRelation(rel);
  await sim.settle();
  checks.check("removing the relation leaves no secret of yours behind", () => {
    const left = model.secrets().filter((s) => s.owner.kind === "application" && s.owner.app === APP);
    const f = failedHooks(sim.hooks);
    return f !== true ? f : left.length === 0 || `left: ${left.map((s) => s.label ?? s.xid).join(", ")}`;
  });
  return checks.report();
}
export * from "./scenario.js";

/** What the tools run etcd_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = { name: "etcd_client", scenario: etcdClientScenario };
