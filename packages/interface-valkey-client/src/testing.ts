/**
 * Testing helpers for charms that use this package (`@charm-relations/interface-valkey-client/testing`):
 * builders for real `valkey_client` databags, and conformance checks that run a charm's own setup on
 * the in-memory Juju model (`Simulation`) against our reference counterpart and assert the wire format
 * valkey-operator and its Python clients expect.
 *
 * The checks are framework-neutral: `for (const c of valkeyProviderConformance(setup)) it(c.name, c.run);`
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  computeRequestId,
  DEFAULT_REQUESTED_SECRETS,
  formatRequests,
  MTLS_CERT_KEY,
  pyDumps,
  REQUEST_KEY_ORDER,
  RESPONSE_KEY_ORDER,
  serializeRequestObject,
  serializeResponseObject,
  v1DataEntry,
} from "@charm-relations/juju-secrets-core/protocol";
import type { InterfaceTesting } from "@charm-relations/juju-secrets-core/testing";
import {
  type ConformanceCheck,
  ConformanceError,
  check,
  deployTarget,
  charmRunner as inProcess,
  Simulation,
  settleClean,
  v0RequirerAppBag,
  v1RequirerAppBag,
} from "@charm-relations/juju-secrets-core/testing";
import { DEFAULT_VALKEY_ENDPOINT, valkeyClient } from "./definition.js";
import { ValkeyProvider } from "./provider.js";
import { ValkeyRequirer } from "./requirer.js";
import { valkeyClientScenario } from "./scenario.js";
import {
  providerAppV0,
  providerAppV1,
  requirerAppV0,
  requirerAppV1,
  tlsSecret,
  userSecret,
  V0_SENTINEL_KEY,
  valkeyUsername,
} from "./schema.js";

type Bag = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Databag builders (the exact bytes the real charms write)

/** A v1 requirer app bag asking for `resources` (salts random unless given). */
export function v1RequirerBag(resources: readonly string[], salts: readonly string[] = []): Bag {
  return v1RequirerAppBag(
    valkeyClient,
    resources.map((resource) => ({ resource })),
    salts,
  );
}

/** A v0 (`DatabaseRequires`) requirer app bag for one key pattern. */
export function v0RequirerBag(resource: string): Bag {
  return v0RequirerAppBag("database", resource);
}

export interface ResponseSpec {
  readonly resource: string;
  readonly salt: string;
  readonly endpoints: string;
  readonly readOnlyEndpoints?: string;
  readonly sentinelEndpoints?: string;
  readonly secretUser?: string;
  readonly secretTls?: string;
  readonly version?: string;
  readonly mode?: string;
}

/** A v1 provider app bag answering `responses`, with the `data` entry per request id Python clients need. */
export function v1ProviderBag(responses: readonly ResponseSpec[]): Bag {
  const objects = responses.map((r) =>
    serializeResponseObject(
      {
        resource: r.resource,
        "request-id": computeRequestId(r.resource, r.salt),
        salt: r.salt,
        endpoints: r.endpoints,
        "read-only-endpoints": r.readOnlyEndpoints ?? null,
        "secret-user": r.secretUser ?? null,
        "secret-tls": r.secretTls ?? null,
        version: r.version ?? null,
        "sentinel-endpoints": r.sentinelEndpoints ?? null,
        mode: r.mode ?? null,
      },
      {
        extraKeys: [...(valkeyClient.responseExtraKeys ?? [])],
        trailingMtlsCert: valkeyClient.trailingMtlsCert ?? false,
      },
    ),
  );
  const data = new Map(
    responses.map((r) => {
      const id = computeRequestId(r.resource, r.salt);
      return [
        id,
        v1DataEntry({ resource: r.resource, "request-id": id, salt: r.salt }, REQUEST_KEY_ORDER),
      ] as const;
    }),
  );
  return { data: pyDumps(data), requests: formatRequests(objects), version: "v1" };
}

// ---------------------------------------------------------------------------------------------
// Conformance checks

/** The conformance scaffolding, shared with the other interface packages (from the core's testing module). */
export { type ConformanceCheck, ConformanceError };

export interface ConformanceOptions {
  /** The charm's endpoint for `valkey_client` (default `valkey-client`). */
  readonly endpoint?: string;
  /** Config for the charm under test. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Units of the charm under test (default 2). */
  readonly units?: number;
}

const DEFAULTS = { endpoint: DEFAULT_VALKEY_ENDPOINT, interface: "valkey_client" } as const;

function parse<T>(
  schema: { safeParse: (v: unknown) => { success: boolean; data?: T; error?: unknown } },
  bag: unknown,
  what: string,
): T {
  const r = schema.safeParse(bag);
  check(r.success, `${what} does not match the valkey_client schema: ${String(r.error)}`);
  return r.data as T;
}

/** A response's keys in valkey-operator's order: the common ones, valkey's, then `"mtls-cert": null`. */
const RESPONSE_KEYS = [...RESPONSE_KEY_ORDER, ...(valkeyClient.responseExtraKeys ?? []), MTLS_CERT_KEY];

/**
 * Checks for a provider charm (its `setup` must construct a `ValkeyProvider` or speak the same wire
 * format): it must answer v1 clients (two requests) and v0 clients, with valkey-operator's keys,
 * usernames and secret contents, write nothing on a replayed hook, and leave no secret behind.
 */
export function valkeyProviderConformance(
  setup: (charm: Charm) => void | Promise<void>,
  options: ConformanceOptions = {},
): ConformanceCheck[] {
  const endpoint = options.endpoint ?? DEFAULTS.endpoint;
  const world = () => {
    const sim = new Simulation();
    deployTarget(sim, "valkey", "provides", { ...options, runner: inProcess(setup) }, DEFAULTS);
    return sim;
  };
  const client = (sim: Simulation, app: string, resources: string[], contract: "v0" | "v1") =>
    sim.deploy(app, {
      runner: inProcess(
        (charm) => void new ValkeyRequirer(charm, { endpoint: "valkey-client", resources, contract }),
      ),
      units: 1,
      endpoints: { "valkey-client": "requires:valkey_client" },
    });
  const secretContent = (sim: Simulation, uri: string) => sim.model.secretContent(uri) ?? {};

  return [
    {
      name: "answers a v1 client's two requests like valkey-operator",
      run: async () => {
        const sim = world();
        client(sim, "client", ["client:*", "*"], "v1");
        const id = sim.relate(`valkey:${endpoint}`, "client:valkey-client");
        await settleClean(sim, "relate");
        const bag = parse(providerAppV1, sim.model.appBag(id, "valkey"), "the provider app bag");
        const responses = JSON.parse(sim.model.appBag(id, "valkey").requests ?? "[]") as Record<
          string,
          unknown
        >[];
        check(responses.length === 2, `expected 2 responses, got ${responses.length}`);
        const data = bag.data ?? {};
        for (const r of responses) {
          check(
            JSON.stringify(Object.keys(r)) === JSON.stringify(RESPONSE_KEYS),
            `response keys/order: ${Object.keys(r).join(",")}`,
          );
          check(r["mtls-cert"] === null, 'responses must end with "mtls-cert": null');
          const rid = String(r["request-id"]);
          check(
            rid in data,
            `provider data has no entry for request ${rid} (Python v1 clients fail without it)`,
          );
          const user = parse(userSecret, secretContent(sim, String(r["secret-user"])), "the user secret");
          check(user.username === valkeyUsername(id, rid), `username should be ${valkeyUsername(id, rid)}`);
          const tls = secretContent(sim, String(r["secret-tls"]));
          check(tls.tls === "true" || tls.tls === "false", 'tls must be written "true" or "false"');
          check(tls.tls === "true" || tls["tls-ca"] === undefined, "tls-ca must be absent while TLS is off");
          parse(tlsSecret, tls, "the tls secret");
          check(typeof r["sentinel-endpoints"] === "string", "sentinel-endpoints missing");
          check(typeof r.mode === "string", "mode missing");
        }
      },
    },
    {
      name: "answers a v0 client flat, with sentinel_endpoints and username relation-<id>",
      run: async () => {
        const sim = world();
        client(sim, "legacy", ["legacy:*"], "v0");
        const id = sim.relate(`valkey:${endpoint}`, "legacy:valkey-client");
        await settleClean(sim, "relate");
        const raw = sim.model.appBag(id, "valkey");
        const bag = parse(providerAppV0, raw, "the provider app bag");
        check(raw.version !== "v1" && raw.requests === undefined, "a v0 client must get the flat contract");
        check(bag.database === "legacy:*", "the key pattern must be echoed as database");
        check(raw[V0_SENTINEL_KEY] !== undefined, `v0 clients read ${V0_SENTINEL_KEY} (underscore)`);
        check(raw["secret-user"] !== undefined, "credentials must be in secret-user");
        const user = parse(userSecret, secretContent(sim, raw["secret-user"]!), "the user secret");
        check(user.username === valkeyUsername(id), `username should be ${valkeyUsername(id)}`);
      },
    },
    {
      name: "writes nothing when relation-changed is replayed, and removes its secrets with the relation",
      run: async () => {
        const sim = world();
        client(sim, "client", ["client:*"], "v1");
        const id = sim.relate(`valkey:${endpoint}`, "client:valkey-client");
        await settleClean(sim, "relate");
        const leader = sim.model.leaderOf("valkey")!;
        const again = await sim.runHook(leader, "relation-changed", { relationId: id });
        check(again.ok, "replayed relation-changed failed");
        check(again.databags.length === 0, "a replayed relation-changed must write nothing");
        check((again.secrets?.updated.length ?? 0) === 0, "a replayed relation-changed must not set secrets");
        sim.removeRelation(id);
        await settleClean(sim, "remove-relation");
        const left = sim.model
          .secrets()
          .filter((s) => s.owner.kind === "application" && s.owner.app === "valkey");
        check(left.length === 0, `${left.length} secret(s) left after the relation was removed`);
      },
    },
  ];
}

/**
 * Checks for a client charm (its `setup` must construct a `ValkeyRequirer` or speak the same wire
 * format): its request bytes, its per-unit snapshot, and that a replayed hook writes nothing.
 */
export function valkeyRequirerConformance(
  setup: (charm: Charm) => void | Promise<void>,
  options: ConformanceOptions = {},
): ConformanceCheck[] {
  const world = () => {
    const sim = new Simulation();
    const endpoint = deployTarget(
      sim,
      "client",
      "requires",
      { ...options, runner: inProcess(setup) },
      DEFAULTS,
    );
    sim.deploy("valkey", {
      runner: inProcess((charm) => {
        const p = new ValkeyProvider(charm, { endpoint: "valkey-client" });
        p.on("resourceRequested", ({ request }) =>
          p.publish(request, {
            username: request.username,
            password: "conformance-password",
            endpoints: ["10.1.0.10:6379"],
            readOnlyEndpoints: ["10.1.0.10:6379"],
            sentinelEndpoints: ["10.1.0.10:26379"],
            mode: "sentinel",
            version: "9.0.1",
            tls: false,
          }),
        );
      }),
      units: 1,
      endpoints: { "valkey-client": "provides:valkey_client" },
    });
    const id = sim.relate(`client:${endpoint}`, "valkey:valkey-client");
    return { sim, id };
  };
  return [
    {
      name: "sends its request in the exact bytes of the Python clients",
      run: async () => {
        const { sim, id } = world();
        await settleClean(sim, "relate");
        const raw = sim.model.appBag(id, "client");
        if (raw.version === "v1") {
          const bag = parse(requirerAppV1, raw, "the requirer app bag");
          const expected = formatRequests(
            bag.requests.map((r) =>
              serializeRequestObject(
                { resource: r.resource, "request-id": r["request-id"] ?? null, salt: r.salt },
                { trailingMtlsCert: true },
              ),
            ),
          );
          check(
            raw.requests === expected,
            "requests must list every key in order, nulls included, ending with mtls-cert",
          );
          for (const r of bag.requests) {
            check(
              r["request-id"] === computeRequestId(r.resource, r.salt),
              "request-id must be sha256(resource:salt)[:16]",
            );
          }
        } else {
          parse(requirerAppV0, raw, "the requirer app bag");
          check(
            raw["requested-secrets"] === pyDumps([...DEFAULT_REQUESTED_SECRETS]),
            "requested-secrets must be the full default list",
          );
        }
      },
    },
    {
      name: "keeps a snapshot per unit and writes nothing when relation-changed is replayed",
      run: async () => {
        const { sim, id } = world();
        await settleClean(sim, "relate");
        for (const unit of sim.model.application("client").units) {
          check(sim.model.unitBag(id, unit).data !== undefined, `${unit} has no data snapshot`);
          const again = await sim.runHook(unit, "relation-changed", { relationId: id });
          check(again.ok, `replayed relation-changed failed on ${unit}`);
          check(again.databags.length === 0, `a replayed relation-changed must write nothing (${unit})`);
        }
      },
    },
  ];
}
export * from "./scenario.js";

/** What the tools run valkey_client with (`@charm-relations/cli/registry`). */
export const testingDescriptor: InterfaceTesting = { name: "valkey_client", scenario: valkeyClientScenario };
