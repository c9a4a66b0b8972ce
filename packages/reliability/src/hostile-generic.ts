/** Hostile targets for the generic engines (both sides, both contracts). */
import fc from "fast-check";
import { genericProvider, genericRequirer, KV, PG } from "./generic.js";
import type { BagRoles, HostileTarget } from "./hostile.js";
import { providerBases, requirerBases, settledWorld, unknownResponse } from "./hostile-bases.js";
import { kvLifecycle, pgLifecycle } from "./lifecycle.js";

/** What a v0 requirer app bag holds, as a provider reads it. */
export const V0_REQUEST_ROLES: BagRoles = {
  jsonStringArrays: ["requested-secrets", "provided-secrets"],
  json: { "entity-permissions": "array" },
  booleans: ["external-node-connectivity"],
  enums: { "entity-type": ["USER", "GROUP"] },
  version: { allowed: ["v1"] },
  immutable: ["database", "extra-user-roles", "extra-group-roles", "entity-type"],
  dataIgnored: true,
};

/** What a v1 requirer app bag holds, as a provider reads it. */
export const V1_REQUEST_ROLES: BagRoles = {
  version: { allowed: ["v1"] },
  dataIgnored: true,
  v1: {
    required: ["resource", "salt"],
    strings: ["extra-user-roles", "extra-group-roles"],
    booleans: ["external-node-connectivity"],
    enums: { "entity-type": ["USER", "GROUP", null] },
    strict: {
      "entity-permissions": fc.constantFrom("x", 1, [1], [{ resource_name: 1 }], { a: 1 }),
    },
    checkedId: true,
  },
};

/** What a v0 provider app bag holds, as a requirer reads it. */
export const V0_ANSWER_ROLES: BagRoles = {
  secretUris: ["secret-user", "secret-tls"],
  json: { status: "array" },
  booleans: ["subordinated"],
  dataIgnored: true,
};

/** What a v1 provider app bag holds, as a requirer reads it. */
export const V1_ANSWER_ROLES: BagRoles = {
  json: { status: "array" },
  dataIgnored: true,
  v1: {
    required: [],
    strings: [],
    secretUris: ["secret-user", "secret-tls"],
    checkedId: true,
    unknownResponse,
  },
};

export function genericTargets(): HostileTarget[] {
  const pg = async () => {
    const w = await settledWorld(pgLifecycle());
    return { state: w.state, id: w.relations[0]! };
  };
  const kv = async () => {
    const w = await settledWorld(kvLifecycle());
    return { state: w.state, v1: w.relations[0]!, v0: w.relations[1]! };
  };
  return [
    {
      name: "generic provider v0 (postgresql_client-shaped)",
      subject: "generic engines",
      endpoint: "database",
      setup: genericProvider(PG, "database"),
      roles: { ...V0_REQUEST_ROLES, free: ["database"] },
      bases: async () => {
        const { state, id } = await pg();
        return providerBases(state, { relationId: id, local: "provider", remote: "requirer" });
      },
    },
    {
      name: "generic requirer v0 (postgresql_client-shaped)",
      subject: "generic engines",
      endpoint: "database",
      setup: genericRequirer(PG, "database"),
      roles: { ...V0_ANSWER_ROLES, free: ["endpoints", "read-only-endpoints", "version", "database"] },
      bases: async () => {
        const { state, id } = await pg();
        return requirerBases(state, { relationId: id, local: "requirer", remote: "provider" });
      },
    },
    {
      name: "generic provider v1 (valkey_client-shaped)",
      subject: "generic engines",
      endpoint: "client",
      setup: genericProvider(KV, "client"),
      roles: { ...V1_REQUEST_ROLES, v1: { ...V1_REQUEST_ROLES.v1!, free: ["resource"] } },
      bases: async () => {
        const { state, v1 } = await kv();
        return providerBases(state, { relationId: v1, local: "valkey", remote: "app1" });
      },
    },
    {
      name: "generic requirer v1 (valkey_client-shaped)",
      subject: "generic engines",
      endpoint: "client",
      setup: genericRequirer(KV, "client", { contract: "v1", resources: ["app:*", "*"] }),
      roles: {
        ...V1_ANSWER_ROLES,
        v1: { ...V1_ANSWER_ROLES.v1!, free: ["endpoints", "version", "sentinel-endpoints"] },
      },
      bases: async () => {
        const { state, v1 } = await kv();
        return requirerBases(state, { relationId: v1, local: "app1", remote: "valkey" });
      },
    },
    {
      name: "generic provider v0 (valkey_client-shaped)",
      subject: "generic engines",
      endpoint: "client",
      setup: genericProvider(KV, "client"),
      roles: { ...V0_REQUEST_ROLES, free: ["database"] },
      bases: async () => {
        const { state, v0 } = await kv();
        return providerBases(state, { relationId: v0, local: "valkey", remote: "app0" });
      },
    },
    {
      name: "generic requirer v0 (valkey_client-shaped)",
      subject: "generic engines",
      endpoint: "client",
      setup: genericRequirer(KV, "client", { contract: "v0" }),
      roles: { ...V0_ANSWER_ROLES, free: ["endpoints", "sentinel_endpoints", "version", "mode"] },
      bases: async () => {
        const { state, v0 } = await kv();
        return requirerBases(state, { relationId: v0, local: "app0", remote: "valkey" });
      },
    },
  ];
}
