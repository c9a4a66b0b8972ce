/**
 * The registry: one entry per relation interface this repository implements, filled in from what each
 * interface package exports — its zod schemas per side and contract (what `validate` checks), its
 * JSON Schemas (what `schema` prints), and a `simulate` scenario built on its provider and requirer
 * classes. Nothing here re-implements a wire format: where a package lacks something, the gap is
 * listed in the entry's `notes`.
 */

import { createRequire } from "node:module";
import {
  connectJsonSchemas,
  providerAppV0 as connectProviderApp,
  providerUnit as connectProviderUnit,
  requirerAppV0 as connectRequirerApp,
  requirerUnit as connectRequirerUnit,
} from "@charm-relations/interface-connect-client";
import {
  appBag,
  etcdJsonSchemas,
  providerUnit,
  requirerUnit,
} from "@charm-relations/interface-etcd";
import {
  etcdClientJsonSchemas,
  providerAppV0 as etcdClientProviderAppV0,
  providerAppV1 as etcdClientProviderAppV1,
  requirerAppV0 as etcdClientRequirerAppV0,
  requirerAppV1 as etcdClientRequirerAppV1,
  requirerUnit as etcdClientRequirerUnit,
} from "@charm-relations/interface-etcd-client";
import {
  providerAppV0 as pgProviderApp,
  providerUnit as pgProviderUnit,
  requirerAppV0 as pgRequirerApp,
  requirerUnit as pgRequirerUnit,
  jsonSchema as postgresqlJsonSchema,
} from "@charm-relations/interface-postgresql-client";
import {
  valkeyJsonSchemas,
  providerAppV0 as valkeyProviderAppV0,
  providerAppV1 as valkeyProviderAppV1,
  providerUnit as valkeyProviderUnit,
  requirerAppV0 as valkeyRequirerAppV0,
  requirerAppV1 as valkeyRequirerAppV1,
  requirerUnit as valkeyRequirerUnit,
} from "@charm-relations/interface-valkey-client";
import type { Contract } from "@charm-relations/juju-secrets-core";
import type { BagKind, Side } from "@charm-relations/juju-secrets-core/interface";
import { toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";
import { connectClientScenario } from "./scenarios/connect-client.js";
import { etcdScenario } from "./scenarios/etcd.js";
import { etcdClientScenario } from "./scenarios/etcd-client.js";
import { postgresqlClientScenario } from "./scenarios/postgresql-client.js";
import type { Scenario } from "./scenarios/types.js";
import { valkeyClientScenario } from "./scenarios/valkey-client.js";
import { type SimulateOptions, type SimulationReport, simulate } from "./simulate.js";

export type JsonSchema = Record<string, unknown>;

export const INTERFACE_NAMES = [
  "postgresql_client",
  "etcd_client",
  "etcd",
  "valkey_client",
  "connect_client",
] as const;
export type InterfaceName = (typeof INTERFACE_NAMES)[number];

export const SIDES: readonly Side[] = ["provider", "requirer"];

/** The zod schemas of one side's databags under one contract. */
export interface BagSchemas {
  readonly app: z.ZodType;
  readonly unit: z.ZodType;
}

export interface InterfaceEntry {
  readonly name: InterfaceName;
  readonly package: string;
  readonly version: string;
  readonly summary: string;
  /** Contracts `validate` and `schema` know (schemas exist for them). */
  readonly contracts: readonly Contract[];
  /** What our requirer speaks unless told otherwise. */
  readonly defaultContract: Contract;
  /** How the contract is told apart on the wire, for the `list` output. */
  readonly contractNote: string;
  /** Endpoint names the real charms use (first: our default), to find relations in a `juju show-unit` dump. */
  readonly endpoints: { readonly provider: readonly string[]; readonly requirer: readonly string[] };
  /** The bag a bare databag is checked as without `--bag` (legacy etcd has no application databag). */
  readonly defaultBag: BagKind;
  /** The key carrying the request in v0 (`database`, `prefix`, `plugin-url`); none for legacy etcd. */
  readonly resourceKey: string | null;
  /** Real charms on each side. */
  readonly charms: { readonly provider: string; readonly requirer: string };
  readonly schemas: Readonly<Record<Side, Readonly<Partial<Record<Contract, BagSchemas>>>>>;
  /** JSON Schemas (draft 2020-12) of one side's app and unit databags under one contract. */
  jsonSchema(side: Side, contract: Contract): { readonly app: JsonSchema; readonly unit: JsonSchema };
  readonly scenario: Scenario;
  /** Run the lifecycle scenario on the in-memory model. */
  simulate(options?: SimulateOptions): Promise<SimulationReport>;
  /** Gaps in what the package exports, worked around here. */
  readonly notes: readonly string[];
}

const require = createRequire(import.meta.url);

/** The package's version, from its own package.json (resolved like any import). */
function versionOf(pkg: string): string {
  try {
    return String((require(`${pkg}/package.json`) as { version?: unknown }).version ?? "unknown");
  } catch {
    return "unknown";
  }
}

/** An open object: for bags a package declares no schema for (nothing is written there). */
const anyBag = z.looseObject({});

/** Pick the branch of a JSON Schema `anyOf` union whose `version` is (or is not) the `v1` constant. */
function unionBranch(schema: JsonSchema, v1: boolean): JsonSchema | undefined {
  const branches = schema.anyOf;
  if (!Array.isArray(branches)) return undefined;
  const isV1 = (b: unknown) =>
    ((b as { properties?: Record<string, { const?: unknown }> }).properties?.version?.const ?? undefined) ===
    "v1";
  const branch = branches.find((b) => isV1(b) === v1) as JsonSchema | undefined;
  return branch ? { $schema: schema.$schema, ...branch } : undefined;
}

type EntrySpec = Omit<InterfaceEntry, "version" | "simulate">;

function entry(spec: EntrySpec): InterfaceEntry {
  const e: InterfaceEntry = {
    ...spec,
    version: versionOf(spec.package),
    simulate: (options) => simulate(e, options),
  };
  return e;
}

const postgresqlClient = entry({
  name: "postgresql_client",
  package: "@charm-relations/interface-postgresql-client",
  summary: "Databases from PostgreSQL and PgBouncer (the `database` endpoint)",
  contracts: ["v0"],
  defaultContract: "v0",
  contractNote: "v0 flat (the contract the PostgreSQL charms serve)",
  endpoints: { provider: ["database"], requirer: ["database", "backend-database"] },
  defaultBag: "app",
  resourceKey: "database",
  charms: {
    provider: "postgresql(-k8s)-operator, pgbouncer(-k8s)-operator",
    requirer: "any DatabaseRequires client; pgbouncer's backend-database",
  },
  schemas: {
    provider: { v0: { app: pgProviderApp, unit: pgProviderUnit } },
    requirer: { v0: { app: pgRequirerApp, unit: pgRequirerUnit } },
  },
  jsonSchema: (side) =>
    side === "provider"
      ? { app: postgresqlJsonSchema("provider-app"), unit: postgresqlJsonSchema("provider-unit") }
      : { app: postgresqlJsonSchema("requirer-app"), unit: postgresqlJsonSchema("requirer-unit") },
  scenario: postgresqlClientScenario,
  notes: [],
});

const etcdClient = entry({
  name: "etcd_client",
  package: "@charm-relations/interface-etcd-client",
  summary: "etcd key prefixes with mTLS client certificates (charmed-etcd's `etcd-client`)",
  contracts: ["v1", "v0"],
  defaultContract: "v1",
  contractNote: "v1 requests (current charmed-etcd) or v0 flat (older revisions)",
  endpoints: { provider: ["etcd-client"], requirer: ["etcd-client"] },
  defaultBag: "app",
  resourceKey: "prefix",
  charms: { provider: "charmed-etcd-operator", requirer: "k8s-operator, charmlibs rollingops" },
  schemas: {
    provider: {
      v1: { app: etcdClientProviderAppV1, unit: anyBag },
      v0: { app: etcdClientProviderAppV0, unit: anyBag },
    },
    requirer: {
      v1: { app: etcdClientRequirerAppV1, unit: etcdClientRequirerUnit },
      v0: { app: etcdClientRequirerAppV0, unit: etcdClientRequirerUnit },
    },
  },
  jsonSchema: (side, contract) => {
    const js = etcdClientJsonSchemas();
    if (side === "provider") {
      return {
        app: (contract === "v1" ? js.providerAppV1 : js.providerAppV0) as JsonSchema,
        unit: { ...toWireJsonSchema(anyBag), title: "etcd_client provider unit databag (unused)" },
      };
    }
    return {
      app: (contract === "v1" ? js.requirerAppV1 : js.requirerAppV0) as JsonSchema,
      unit: js.requirerUnit as JsonSchema,
    };
  },
  scenario: etcdClientScenario,
  notes: [
    "the package exports no provider unit databag schema (charmed-etcd writes nothing there): an open object is used",
  ],
});

const etcdLegacy = entry({
  name: "etcd",
  package: "@charm-relations/interface-etcd",
  summary: "Legacy reactive etcd (layer-etcd's `db`): plain unit databags, no secrets",
  contracts: ["v0"],
  defaultContract: "v0",
  contractNote: "one legacy contract: provider unit databags only (named v0 here)",
  endpoints: { provider: ["db"], requirer: ["etcd"] },
  defaultBag: "unit",
  resourceKey: null,
  charms: { provider: "charmed-kubernetes layer-etcd", requirer: "kubernetes-control-plane (reactive)" },
  schemas: {
    provider: { v0: { app: appBag, unit: providerUnit } },
    requirer: { v0: { app: appBag, unit: requirerUnit } },
  },
  jsonSchema: (side) => {
    const js = etcdJsonSchemas();
    return side === "provider" ? { ...js.provider } : { ...js.requirer };
  },
  scenario: etcdScenario,
  notes: [],
});

const valkeyClient = entry({
  name: "valkey_client",
  package: "@charm-relations/interface-valkey-client",
  summary: "Valkey key patterns with ACL users (valkey-operator's `valkey-client`)",
  contracts: ["v1", "v0"],
  defaultContract: "v1",
  contractNote: "v1 requests (dpcharmlibs clients) or v0 flat (DatabaseRequires clients)",
  endpoints: { provider: ["valkey-client"], requirer: ["valkey-client", "valkey"] },
  defaultBag: "app",
  resourceKey: "database",
  charms: { provider: "valkey-operator", requirer: "valkey-operator's test requirer, dpcharmlibs clients" },
  schemas: {
    provider: {
      v1: { app: valkeyProviderAppV1, unit: valkeyProviderUnit },
      v0: { app: valkeyProviderAppV0, unit: valkeyProviderUnit },
    },
    requirer: {
      v1: { app: valkeyRequirerAppV1, unit: valkeyRequirerUnit },
      v0: { app: valkeyRequirerAppV0, unit: valkeyRequirerUnit },
    },
  },
  jsonSchema: (side, contract) => {
    const js = valkeyJsonSchemas()[side];
    // The package publishes each app schema as a v1|v0 union; split it by the `version` constant.
    const app = unionBranch(js.app, contract === "v1");
    const fallback =
      contract === "v1"
        ? side === "provider"
          ? valkeyProviderAppV1
          : valkeyRequirerAppV1
        : side === "provider"
          ? valkeyProviderAppV0
          : valkeyRequirerAppV0;
    return { app: app ?? toWireJsonSchema(fallback), unit: js.unit };
  },
  scenario: valkeyClientScenario,
  notes: [
    "the package publishes one app JSON Schema per side for both contracts (an anyOf): split by `version` here",
  ],
});

const connectClient = entry({
  name: "connect_client",
  package: "@charm-relations/interface-connect-client",
  summary: "Kafka Connect integrators (kafka-connect-operator's `connect-client`)",
  contracts: ["v0"],
  defaultContract: "v0",
  contractNote: "v0 flat (what kafka-connect-operator serves); our requirer can also speak v1",
  endpoints: { provider: ["connect-client"], requirer: ["connect-client"] },
  defaultBag: "app",
  resourceKey: "plugin-url",
  charms: {
    provider: "kafka-connect(-k8s)-operator",
    requirer: "kafkacl integrators (template-connect-integrator)",
  },
  schemas: {
    provider: { v0: { app: connectProviderApp, unit: connectProviderUnit } },
    requirer: { v0: { app: connectRequirerApp, unit: connectRequirerUnit } },
  },
  jsonSchema: (side) => {
    const js = connectJsonSchemas();
    return side === "provider"
      ? { app: js.providerApp, unit: js.providerUnit }
      : { app: js.requirerApp, unit: js.requirerUnit };
  },
  scenario: connectClientScenario,
  notes: ["the package exports v0 schemas only: v1 bags cannot be validated (simulate still runs v1)"],
});

/** Every interface, in the order of the issue and the README. */
export const INTERFACES: readonly InterfaceEntry[] = [
  postgresqlClient,
  etcdClient,
  etcdLegacy,
  valkeyClient,
  connectClient,
];

/** Look an interface up by name (also accepts `-` for `_`, and the package name). */
export function findInterface(name: string): InterfaceEntry | undefined {
  const n = name.trim().toLowerCase().replace(/-/g, "_");
  return INTERFACES.find(
    (e) => e.name === n || e.package === name || e.package.endsWith(`/interface-${name.toLowerCase()}`),
  );
}

/** The interfaces whose known endpoint names include `endpoint` (on either side). */
export function interfacesForEndpoint(endpoint: string): InterfaceEntry[] {
  return INTERFACES.filter(
    (e) => e.endpoints.provider.includes(endpoint) || e.endpoints.requirer.includes(endpoint),
  );
}
