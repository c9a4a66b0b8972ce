/**
 * The legacy reactive `etcd` interface is not data-interfaces (plain unit databags, no secrets, no
 * requests), so the engines do not run it; this names it the way every interface package does, for
 * the registry: endpoints, schemas, sides.
 */

import { appBag, providerUnit, requirerUnit } from "./schema.js";

export const etcdLegacy = {
  name: "etcd",
  /** layer-etcd's `db` (provides), kubernetes-control-plane's `etcd` (requires). */
  defaultEndpoint: { provider: "db", requirer: "etcd" },
  /** One legacy contract: provider unit databags only (named v0 here). */
  contracts: { requirer: ["v0"], provider: ["v0"] },
  schemas: { requirerAppV0: appBag, providerAppV0: appBag, requirerUnit, providerUnit },
} as const;
