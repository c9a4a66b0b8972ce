/** What the tools list legacy etcd by (`@charm-relations/cli/registry`). */

import { describeInterface } from "@charm-relations/juju-secrets-core/interface";
import { toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import { etcdLegacy } from "./definition.js";
import { appBag, providerUnit, requirerUnit } from "./schema.js";

const schemas = {
  provider: { v0: { app: appBag, unit: providerUnit } },
  requirer: { v0: { app: appBag, unit: requirerUnit } },
} as const;

export const descriptor = describeInterface({
  name: "etcd",
  package: "@charm-relations/interface-etcd",
  summary: "Legacy reactive etcd (layer-etcd's `db`): plain unit databags, no secrets",
  definition: etcdLegacy,
  contracts: ["v0"],
  contractNote: "one legacy contract: provider unit databags only (named v0 here)",
  endpoints: { provider: ["db"], requirer: ["etcd"] },
  defaultBag: "unit",
  resourceKey: null,
  charms: { provider: "charmed-kubernetes layer-etcd", requirer: "kubernetes-control-plane (reactive)" },
  schemas,
  jsonSchema: (side) => ({
    app: toWireJsonSchema(schemas[side].v0.app),
    unit: toWireJsonSchema(schemas[side].v0.unit),
  }),
});
