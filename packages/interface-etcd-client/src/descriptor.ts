/** What the tools list etcd_client by (`@charm-relations/cli/registry`). */

import { bagJsonSchemas, describeInterface } from "@charm-relations/juju-secrets-core/interface";
import * as z from "zod";
import { etcdClient } from "./definition.js";
import { providerAppV0, providerAppV1, requirerAppV0, requirerAppV1, requirerUnit } from "./schema.js";

/** charmed-etcd writes nothing in its unit databag: an open object. */
const providerUnitBag = z.looseObject({}).meta({ title: "etcd_client provider unit databag (unused)" });

const schemas = {
  provider: {
    v1: { app: providerAppV1, unit: providerUnitBag },
    v0: { app: providerAppV0, unit: providerUnitBag },
  },
  requirer: {
    v1: { app: requirerAppV1, unit: requirerUnit },
    v0: { app: requirerAppV0, unit: requirerUnit },
  },
} as const;

export const descriptor = describeInterface({
  name: "etcd_client",
  package: "@charm-relations/interface-etcd-client",
  summary: "etcd key prefixes with mTLS client certificates (charmed-etcd's `etcd-client`)",
  definition: etcdClient,
  contracts: ["v1", "v0"],
  contractNote: "v1 requests (current charmed-etcd) or v0 flat (older revisions)",
  endpoints: { provider: ["etcd-client"], requirer: ["etcd-client"] },
  defaultBag: "app",
  resourceKey: "prefix",
  charms: { provider: "charmed-etcd-operator", requirer: "k8s-operator, charmlibs rollingops" },
  schemas,
  jsonSchema: bagJsonSchemas(schemas),
});
