/**
 * `@charm-relations/interface-connect-client/testing`: what a charm author needs to test a charm that
 * speaks connect_client: a runner for in-process charms, databag builders with the real wire bytes,
 * reference counterpart charms, and the conformance suites (`providerConformance`,
 * `requirerConformance`) to run against your own provider or requirer charm.
 *
 * Nothing here imports a test framework: the suites return named checks you register with yours
 * (`for (const c of providerConformance(…)) it(c.name, c.run)`).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import {
  DEFAULT_PROVIDED_SECRETS,
  DEFAULT_REQUESTED_SECRETS,
  formatBool,
  pyDumps,
  v0Snapshot,
} from "@charm-relations/juju-secrets-core/protocol";
import type { InterfaceTesting } from "@charm-relations/juju-secrets-core/testing";
import {
  type ConformanceCheck,
  ConformanceError,
  type ConformanceTarget as CoreConformanceTarget,
  charmRunner,
  check,
  checkNoPrematureWrites,
  checkRemovalLeavesNoSecrets,
  checkReplayWritesNothing,
  type HookRunner,
  firstIssue as issue,
  relateTarget,
  type Simulation,
  secretsOfRelation as secretsFor,
  settleClean,
} from "@charm-relations/juju-secrets-core/testing";
import { type ConnectIntegration, connectClient, DEFAULT_CONNECT_ENDPOINT } from "./definition.js";
import { ConnectProvider } from "./provider.js";
import { ConnectRequirer } from "./requirer.js";
import { connectClientScenario } from "./scenario.js";
import {
  connectUsername,
  NOT_REQUIRED,
  pluginUrlProblem,
  providerAppV0,
  requirerAppV0,
  tlsSecret,
  userSecret,
} from "./schema.js";

/** A `HookRunner` for an in-process charm (re-exported from the core's testing module). */
/** The conformance scaffolding, shared with the other interface packages (from the core's testing module). */
export { type ConformanceCheck, ConformanceError, charmRunner };

// ---------------------------------------------------------------------------------------------
// Databag builders (the bytes the Python library and kafka-connect-operator write)

/** The requirer app bag `KafkaConnectRequires` writes in relation-created. */
export function requirerAppDatabag(
  options: {
    /** Default: the recorded `http://10.1.1.200:8080/route/to/plugin`. */
    pluginUrl?: string;
    /** `false` builds a pre-secrets requirer (no `requested-secrets`: the plain-text fallback). */
    requestedSecrets?: readonly string[] | false;
    /** `false` (or `[]`) for a cross-model requirer. */
    providedSecrets?: readonly string[] | false;
  } = {},
): Record<string, string> {
  const bag: Record<string, string> = {
    "plugin-url": options.pluginUrl ?? "http://10.1.1.200:8080/route/to/plugin",
  };
  const provided =
    options.providedSecrets === false ? [] : (options.providedSecrets ?? DEFAULT_PROVIDED_SECRETS);
  if (provided.length) bag["provided-secrets"] = pyDumps(provided);
  if (options.requestedSecrets !== false) {
    bag["requested-secrets"] = pyDumps(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS);
  }
  return bag;
}

/** `secret-user` content as kafka-connect-operator writes it. */
export function userSecretContent(
  options: { relationId?: number; password?: string } = {},
): Record<string, string> {
  return {
    password: options.password ?? "03e46721fbb4139b883356f13d49aaa1",
    username: connectUsername(options.relationId ?? 0),
  };
}

/** `secret-tls` content: `enabled` + PEM, or `disabled` + `disabled`. */
export function tlsSecretContent(options: { ca?: string } = {}): Record<string, string> {
  return options.ca === undefined
    ? { tls: formatBool(false, "enabled"), "tls-ca": "disabled" }
    : { tls: formatBool(true, "enabled"), "tls-ca": options.ca };
}

/** The provider app bag kafka-connect-operator writes once the plugin is in place (secrets mode). */
export function providerAppDatabag(options: {
  requirerBag: Readonly<Record<string, string>>;
  secretUser: string;
  secretTls: string;
  endpoints?: readonly string[];
}): Record<string, string> {
  return {
    data: v0Snapshot(options.requirerBag),
    endpoints: (options.endpoints ?? ["http://10.1.0.10:8083"]).join(","),
    "secret-tls": options.secretTls,
    "secret-user": options.secretUser,
  };
}

/** The same answer in the plain-text fallback (a requirer that sent no `requested-secrets`). */
export function plainProviderAppDatabag(
  requirerBag: Readonly<Record<string, string>>,
  options: { relationId?: number; password?: string; endpoints?: readonly string[]; ca?: string } = {},
): Record<string, string> {
  return {
    data: v0Snapshot(requirerBag),
    endpoints: (options.endpoints ?? ["http://10.1.0.10:8083"]).join(","),
    ...userSecretContent(options),
    ...tlsSecretContent(options.ca !== undefined ? { ca: options.ca } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Plugin tarballs and a local server for them

/**
 * A connector plugin tarball as `tar czf` would write it (ustar headers, 512-byte blocks, 10 KiB
 * records), gzip-compressed unless `gzip: false`. Default content: one fake JAR.
 */
export function pluginTarball(
  files: Readonly<Record<string, string | Buffer>> = {
    "plugin/connector.jar": "PK\u0003\u0004 fake connector",
  },
  options: { gzip?: boolean } = {},
): Buffer {
  const blocks: Buffer[] = [];
  const mtime = Math.floor(Date.UTC(2025, 0, 1) / 1000);
  for (const [name, raw] of Object.entries(files)) {
    if (Buffer.byteLength(name) > 100)
      throw new RangeError(`pluginTarball: name longer than 100 bytes: ${name}`);
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const h = Buffer.alloc(512);
    h.write(name, 0, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write(`${mtime.toString(8).padStart(11, "0")}\0`, 136);
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  const padded = Buffer.concat([tar, Buffer.alloc((10240 - (tar.length % 10240)) % 10240)]);
  return options.gzip === false ? padded : gzipSync(padded);
}

export interface PluginServer {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** Serve `body` (200) at `path`; `undefined` makes the path answer 404 again. */
  set(path: string, body: Buffer | undefined): void;
  /** Paths requested so far, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** A tiny HTTP server on 127.0.0.1 serving plugin tarballs, like a kafkacl integrator's plugin server. */
export async function servePlugins(initial: Readonly<Record<string, Buffer>> = {}): Promise<PluginServer> {
  const bodies = new Map(Object.entries(initial));
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = bodies.get(req.url ?? "");
    if (body === undefined) res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    else res.writeHead(200, { "content-type": "application/gzip", "content-length": body.length }).end(body);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (path, body) => void (body === undefined ? bodies.delete(path) : bodies.set(path, body)),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reference counterparts (built on this package)

export interface ReferenceProviderOptions {
  /** Default `["http://10.1.0.10:8083"]` (`https://…` when `tlsCa` is set). */
  readonly endpoints?: readonly string[];
  /** PEM: TLS on. */
  readonly tlsCa?: string;
  readonly password?: () => string;
  readonly endpoint?: string;
}

/**
 * A provider that answers like kafka-connect-operator, minus the plugin: `relation-<id>`, a password,
 * the endpoints and `secret-tls`, all in the requested hook.
 */
export function referenceProvider(options: ReferenceProviderOptions = {}): HookRunner {
  let n = 0;
  const password = options.password ?? (() => `reference-password-${++n}`);
  const tls = options.tlsCa !== undefined;
  const endpoints = options.endpoints ?? [tls ? "https://10.1.0.10:8083" : "http://10.1.0.10:8083"];
  return charmRunner((charm) => {
    const provider = new ConnectProvider(charm, { endpoint: options.endpoint ?? DEFAULT_CONNECT_ENDPOINT });
    provider.on("integrationRequested", ({ request }) => {
      const pw = provider.published(request).password ?? password();
      provider.publish(request, {
        endpoints,
        username: request.username,
        password: pw,
        tls,
        ...(options.tlsCa !== undefined ? { tlsCa: options.tlsCa } : {}),
      });
    });
  });
}

/** A requirer on this package; `seen` collects, per unit, every integration it was told about. */
export function referenceRequirer(
  options: { pluginUrl?: string; endpoint?: string } = {},
  seen: Map<string, ConnectIntegration[]> = new Map(),
): HookRunner {
  return charmRunner((charm) => {
    const requirer = new ConnectRequirer(charm, {
      endpoint: options.endpoint ?? DEFAULT_CONNECT_ENDPOINT,
      pluginUrl: options.pluginUrl ?? NOT_REQUIRED,
    });
    const record = ({ connection: integration }: { connection: ConnectIntegration }) => {
      seen.set(charm.unit, [...(seen.get(charm.unit) ?? []), integration]);
    };
    requirer.on("integrationCreated", record);
    requirer.on("endpointsChanged", record);
    requirer.on("credentialsRotated", record);
  });
}

// ---------------------------------------------------------------------------------------------
// Conformance suites

export interface ConformanceTarget extends CoreConformanceTarget {
  /** Your charm's connect_client endpoint (default `connect-client`). */
  readonly endpoint?: string;
  /**
   * Provider suites: the plugin URL the reference requirer sends (default `NOT-REQUIRED`). Point it at
   * a tarball your test serves to exercise your download path.
   */
  readonly pluginUrl?: string;
}

const DEFAULTS = { endpoint: DEFAULT_CONNECT_ENDPOINT, interface: connectClient.name } as const;

/** Checks for a provider charm, answered against this package's requirer with kafka-connect-operator's wire rules. */
export function providerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const setup = (requirer: HookRunner) => relateTarget(target, "provides", requirer, DEFAULTS);
  // Read when a check runs, not when the suite is built (a test server may start later).
  const pluginUrl = () => target.pluginUrl ?? NOT_REQUIRED;

  return [
    {
      name: "answers with endpoints, secret-user and secret-tls in one hook, in kafka-connect-operator's spelling",
      run: async () => {
        const seen = new Map<string, ConnectIntegration[]>();
        const { sim, id } = await setup(referenceRequirer({ pluginUrl: pluginUrl() }, seen));
        const bag = sim.model.appBag(id, "provider");
        const parsed = providerAppV0.safeParse(bag);
        check(parsed.success, `provider app databag is malformed: ${issue(parsed)}`);
        for (const k of ["endpoints", "secret-user", "secret-tls"])
          check(bag[k] !== undefined, `provider did not publish "${k}"`);
        for (const k of ["username", "password", "tls", "tls-ca"]) {
          check(bag[k] === undefined, `"${k}" was requested as a secret but written in plain text`);
        }
        check(
          bag.data === v0Snapshot(sim.model.appBag(id, "requirer")),
          "data must be the sorted snapshot of the requirer app bag",
        );
        const user = sim.model.secretContent(bag["secret-user"]!);
        check(user && userSecret.safeParse(user).success, "secret-user must hold username and password");
        check(
          user?.username === connectUsername(id),
          `the user should be ${connectUsername(id)} (kafka-connect-operator's name)`,
        );
        const tls = sim.model.secretContent(bag["secret-tls"]!);
        check(tls && tlsSecret.safeParse(tls).success, "secret-tls content is malformed");
        check(tls?.tls === "enabled" || tls?.tls === "disabled", 'tls must be spelled "enabled"/"disabled"');
        if (tls?.tls === "disabled")
          check(tls["tls-ca"] === "disabled", 'tls-ca must be "disabled" while TLS is off');
        const endpoints = bag.endpoints!.split(",");
        check(
          endpoints.every((e) => e.startsWith(tls?.tls === "enabled" ? "https://" : "http://")),
          "endpoints must use https:// exactly while TLS is enabled",
        );
        for (const k of ["secret-user", "secret-tls"]) {
          check(
            sim.model.secret(bag[k]!)!.grants.some((g) => g.relationId === id && g.target === "requirer"),
            `${k} must be granted to the relation`,
          );
        }
        // Python requirers fire integration_created the moment secret-user appears (interfaces.md §5).
        const writes = providerAppWrites(sim, id);
        const userAt = writes.find((w) => "secret-user" in w.set)?.seq;
        check(userAt !== undefined, "no hook published secret-user");
        for (const k of ["endpoints", "secret-tls"]) {
          const at = writes.find((w) => k in w.set)?.seq;
          check(at !== undefined && at <= userAt!, `"${k}" must be published no later than secret-user`);
        }
        for (const unit of ["requirer/0", "requirer/1"]) {
          check((seen.get(unit) ?? []).length > 0, `${unit} never saw the integration`);
        }
      },
    },
    {
      name: "writes nothing but endpoints before the request arrives",
      run: async () => {
        const silent: HookRunner = async () => {};
        const { sim, id } = await setup(silent);
        checkNoPrematureWrites(sim, id, ["endpoints"]);
      },
    },
    {
      name: "is idempotent: a repeated relation-changed writes nothing",
      run: async () => {
        const { sim, id } = await setup(referenceRequirer({ pluginUrl: pluginUrl() }));
        await checkReplayWritesNothing(sim, "provider", id, { secrets: true });
      },
    },
    {
      name: "cleans up its secrets when the relation is removed",
      run: async () => {
        const { sim, id } = await setup(referenceRequirer({ pluginUrl: pluginUrl() }));
        check(secretsFor(sim, "provider", id).length > 0, "provider published no secret for the relation");
        await checkRemovalLeavesNoSecrets(sim, "provider", id);
      },
    },
  ];
}

/** The provider's app-bag writes on a relation, in hook order. */
function providerAppWrites(sim: Simulation, id: number): { seq: number; set: Record<string, string> }[] {
  return sim.hooks.flatMap((h) =>
    h.databags
      .filter((d) => d.relationId === id && d.bag === "app" && d.owner === "provider")
      .map((d) => ({ seq: h.seq, set: d.set })),
  );
}

/**
 * Checks for a requirer charm: it asks correctly (same-hook rule, full `requested-secrets`, leader only,
 * a valid plugin URL), keeps a per-unit snapshot, and survives rotation and removal.
 */
export function requirerConformance(target: ConformanceTarget): ConformanceCheck[] {
  const setup = (provider: HookRunner = referenceProvider()) =>
    relateTarget(target, "requires", provider, DEFAULTS);

  return [
    {
      name: "asks in relation-created, from the leader, with plugin-url and the full secret lists in the same hook",
      run: async () => {
        const { sim, id } = await setup();
        const leader = sim.model.leaderOf("requirer")!;
        const created = sim.hooks.find(
          (h) => h.unit === leader && h.kind === "relation-created" && h.context.relation?.id === id,
        );
        check(created?.ok, "the leader's relation-created failed or did not run");
        const app = created!.databags.find((d) => d.bag === "app" && d.relationId === id)?.set ?? {};
        check(app["plugin-url"] !== undefined, "plugin-url must be written in relation-created");
        check(
          app["requested-secrets"] === pyDumps(DEFAULT_REQUESTED_SECRETS),
          "requested-secrets must be the full default list, in the same hook",
        );
        check(
          app["provided-secrets"] === pyDumps(DEFAULT_PROVIDED_SECRETS),
          "provided-secrets must be sent in the same hook",
        );
        const problem = pluginUrlProblem(app["plugin-url"]!);
        check(!problem, `plugin-url is not an http(s) URL or NOT-REQUIRED: ${problem}`);
        const parsed = requirerAppV0.safeParse(sim.model.appBag(id, "requirer"));
        check(parsed.success, `requirer app databag is malformed: ${issue(parsed)}`);
        for (const h of sim.hooks.filter((x) => x.unit.startsWith("requirer/") && x.unit !== leader)) {
          check(!h.databags.some((d) => d.bag === "app"), `${h.unit} (not leader) wrote the app databag`);
        }
      },
    },
    {
      name: "every unit keeps its own snapshot of the provider app bag",
      run: async () => {
        const { sim, id } = await setup();
        const provider = sim.model.appBag(id, "provider");
        for (const unit of sim.model.application("requirer").units) {
          check(
            sim.model.unitBag(id, unit).data === v0Snapshot(provider),
            `${unit} unit databag "data" is not the snapshot of the provider app bag`,
          );
        }
      },
    },
    {
      name: "is idempotent: a repeated relation-changed writes nothing",
      run: async () => {
        const { sim, id } = await setup();
        await checkReplayWritesNothing(sim, "requirer", id);
      },
    },
    {
      name: "survives a password rotation and the removal of the relation",
      run: async () => {
        const { sim, id } = await setup();
        const uri = sim.model.appBag(id, "provider")["secret-user"];
        check(uri, "the reference provider did not answer");
        const s = sim.model.secret(uri!)!;
        const current = sim.model.secretContent(uri!)!;
        s.revisions.push({
          revision: s.latestRevision + 1,
          content: { ...current, password: "rotated-password" },
        });
        s.latestRevision += 1;
        for (const unit of sim.model.application("requirer").units) {
          const h = await sim.runHook(unit, "secret-changed", { secretId: uri! });
          check(h.ok, `${unit} secret-changed failed after a rotation`);
        }
        sim.removeRelation(id);
        await settleClean(sim, "remove-relation");
      },
    },
  ];
}
export * from "./scenario.js";

/** What the tools run connect_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = {
  name: "connect_client",
  scenario: connectClientScenario,
};
