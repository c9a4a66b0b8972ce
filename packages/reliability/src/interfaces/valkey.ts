/**
 * valkey_client through `@charm-relations/interface-valkey-client`: a provider charm (one ACL user
 * per request, password stable per `rotate` generation) and client charms on v1 (two key patterns) and
 * v0; their lifecycle, and hostile cases for both sides and both contracts.
 */

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ValkeyProvider, ValkeyRequirer } from "@charm-relations/interface-valkey-client";
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { EventLog, makePassword, type PasswordMode, passwordSeed } from "../generic.js";
import { badHostPorts, type Hostile, type HostileTarget, schemeHostPorts, unknownBool } from "../hostile.js";
import { providerBases, requirerBases, settledWorld, unknownResponse } from "../hostile-bases.js";
import { V0_ANSWER_ROLES, V0_REQUEST_ROLES, V1_ANSWER_ROLES, V1_REQUEST_ROLES } from "../hostile-generic.js";
import type { LifecycleSpec } from "../lifecycle.js";

const EP = "valkey-client";
const SUBJECT = "valkey_client";

export interface CharmOptions {
  readonly passwords?: PasswordMode;
  readonly log?: EventLog;
}

export function valkeyProvider(options: CharmOptions = {}): (charm: Charm) => void {
  const seed = passwordSeed(options.passwords ?? "derived");
  return (charm) => {
    // ValkeyProvider leaves LP#1979811 to the charm: remember, in the unit's charm directory, that this
    // unit is leaving a relation, and keep that relation's secrets in its relation-broken (as
    // valkey-operator does). Without it a departing leader deletes secrets other units still use.
    const marker = (id: number) => join(charm.context.charmDir ?? tmpdir(), `valkey-departing-${id}`);
    charm.on(
      "relationDeparted",
      (e) => {
        if (e.departingUnit !== charm.unit) return;
        mkdirSync(dirname(marker(e.relation.id)), { recursive: true });
        writeFileSync(marker(e.relation.id), charm.unit);
      },
      { endpoint: EP },
    );
    const provider = new ValkeyProvider(charm, {
      endpoint: EP,
      retainSecretsOnBroken: (r) => existsSync(marker(r.id)),
    });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    const shared = {
      endpoints: ["10.1.0.10:6379"],
      readOnlyEndpoints: ["10.1.0.11:6379"],
      sentinelEndpoints: ["10.1.0.10:26379", "10.1.0.11:26379"],
      mode: "sentinel",
      version: "9.0.1",
      tls: false,
    };
    const password = (r: { username: string }) =>
      makePassword(seed, `${r.username}#${String(charm.model.config().rotate ?? "0")}`);
    provider.on("resourceRequested", ({ request }) => {
      log("resourceRequested", request.resource);
      provider.publish(request, { username: request.username, password: password(request), ...shared });
    });
    provider.on("requestRemoved", ({ request }) => log("requestRemoved", request.resource));
    provider.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) provider.on("invalid", ({ error }) => log("requestInvalid", error.message));
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      for (const r of provider.answeredRequests()) {
        provider.publish(r, { username: r.username, password: password(r), ...shared });
      }
    });
    // Like most charms, report the workload status at the end of the hook (after the library ran).
    charm.on("relationBroken", () => charm.model.setStatus("active", ""));
  };
}

/** Key patterns from `resources`, minus the config option `drop`; synced on config-changed. */
export function valkeyRequirer(
  contract: Contract,
  resources: readonly string[],
  options: CharmOptions = {},
): (charm: Charm) => void {
  return (charm) => {
    const drop = charm.model.config().drop;
    const wanted = resources.filter((r) => r !== drop);
    const requirer = new ValkeyRequirer(charm, { endpoint: EP, resources: wanted, contract });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    requirer.on("resourceCreated", ({ connection }) =>
      log("created", `${connection.relation.id} ${connection.resource}`),
    );
    requirer.on("credentialsRotated", ({ connection }) =>
      log("rotated", `${connection.relation.id} ${connection.resource}`),
    );
    requirer.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) requirer.on("invalid", ({ error }) => log("invalid", error.message));
    charm.on("configChanged", () => requirer.syncRequests());
  };
}

export function valkeyLifecycle(options: CharmOptions = {}): LifecycleSpec {
  const o = { passwords: options.passwords ?? "derived", log: options.log ?? new EventLog() };
  return {
    name: "valkey_client v1 + v0",
    apps: [
      {
        name: "valkey",
        units: 2,
        endpoints: { [EP]: "provides:valkey_client" },
        runner: charmRunner(valkeyProvider(o)),
      },
      {
        name: "client",
        units: 2,
        endpoints: { [EP]: "requires:valkey_client" },
        runner: charmRunner(valkeyRequirer("v1", ["app:*", "cache:*"], o)),
      },
      {
        name: "legacy",
        units: 1,
        endpoints: { [EP]: "requires:valkey_client" },
        runner: charmRunner(valkeyRequirer("v0", ["app:*"], o)),
      },
    ],
    steps: [
      { op: "relate", a: `valkey:${EP}`, b: `client:${EP}` },
      { op: "relate", a: `valkey:${EP}`, b: `legacy:${EP}` },
      { op: "configure", app: "valkey", config: { rotate: "1" } },
      { op: "configure", app: "client", config: { drop: "cache:*" } },
      { op: "add-unit", app: "client" },
      { op: "set-leader", unit: "valkey/1" },
      { op: "configure", app: "valkey", config: { rotate: "2" } },
      { op: "set-leader", unit: "client/1" },
      { op: "remove-unit", unit: "client/2" },
      // Leaders leave while the relations live on (LP#1979811): nothing of the relation may go.
      { op: "remove-unit", unit: "valkey/1" },
      { op: "remove-unit", unit: "client/1" },
      { op: "remove-relation", index: 0 },
      { op: "remove-relation", index: 1 },
    ],
  };
}

/** Key patterns the provider must refuse (they would smuggle ACL rules in). */
const badKeyPattern = fc.constantFrom("a:* +@all", "a b", "x\ty", "new\nline", "\u0000", "*\u007f");

/** The user/tls secrets of the valid answer get a `tls` nobody can read. */
function tlsSecretCase(uriOf: (bag: Record<string, string>) => string | undefined): fc.Arbitrary<Hostile> {
  return unknownBool.map((v) => ({
    category: "unknown boolean spelling",
    key: "tls",
    expect: "error" as const,
    note: `secret-tls content tls = ${v}`,
    apply: (bag: Record<string, string>) => bag,
    bagValid: true,
    model: (m, bag) => {
      const uri = uriOf(bag);
      const s = uri ? m.secret(uri) : undefined;
      if (s)
        s.revisions = s.revisions.map((r) =>
          r.revision === s.latestRevision ? { ...r, content: { ...r.content, tls: v } } : r,
        );
    },
  }));
}

export function valkeyTargets(): HostileTarget[] {
  const world = async () => {
    const w = await settledWorld(valkeyLifecycle());
    return { state: w.state, v1: w.relations[0]!, v0: w.relations[1]! };
  };
  const endpointsStrict = {
    endpoints: fc.oneof(badHostPorts, schemeHostPorts),
    "read-only-endpoints": badHostPorts,
  };
  const firstTls = (bag: Record<string, string>) =>
    (JSON.parse(bag.requests ?? "[]") as Record<string, string>[])[0]?.["secret-tls"];
  return [
    {
      name: "valkey_client provider v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: valkeyProvider(),
      roles: {
        ...V1_REQUEST_ROLES,
        v1: {
          ...V1_REQUEST_ROLES.v1!,
          secretUris: ["secret-mtls"],
          strict: { ...V1_REQUEST_ROLES.v1!.strict, resource: badKeyPattern },
          free: ["resource"],
        },
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v1, local: "valkey", remote: "client" });
      },
    },
    {
      name: "valkey_client provider v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: valkeyProvider(),
      roles: { ...V0_REQUEST_ROLES, strict: { database: badKeyPattern }, free: ["database"] },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v0, local: "valkey", remote: "legacy" });
      },
    },
    {
      name: "valkey_client requirer v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: valkeyRequirer("v1", ["app:*", "cache:*"]),
      roles: {
        ...V1_ANSWER_ROLES,
        v1: {
          ...V1_ANSWER_ROLES.v1!,
          unknownResponse,
          strict: { ...endpointsStrict, "sentinel-endpoints": badHostPorts },
          free: ["version", "mode"],
        },
      },
      // A secret read only when its URI is new: the fresh base (an answered one never re-reads it).
      extra: (_valid, base) => (base === "fresh" ? [tlsSecretCase(firstTls)] : []),
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v1, local: "client", remote: "valkey" });
      },
    },
    {
      name: "valkey_client requirer v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: valkeyRequirer("v0", ["app:*"]),
      roles: {
        ...V0_ANSWER_ROLES,
        strict: { ...endpointsStrict, sentinel_endpoints: badHostPorts },
        free: ["version", "mode", "database"],
      },
      extra: (_valid, base) => (base === "fresh" ? [tlsSecretCase((bag) => bag["secret-tls"])] : []),
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v0, local: "legacy", remote: "valkey" });
      },
    },
  ];
}
