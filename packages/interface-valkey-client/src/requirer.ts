/**
 * `ValkeyRequirer`: the client side of `valkey_client`. It asks for one or several key patterns per
 * relation (v1, the default) or exactly one (v0, as `DatabaseRequires` clients do).
 *
 *   const valkey = new ValkeyRequirer(charm, { resources: ["myapp:*"] });
 *   valkey.on("resourceCreated", ({ connection }) => …);
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  InterfaceRequirer,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { parseJsonObjects } from "@charm-relations/juju-secrets-core/protocol";
import { valkeyClient } from "./definition.js";
import { keyPattern } from "./schema.js";

export interface ValkeyRequestOptions {
  /**
   * Key patterns to request, one ACL user each (`requirer-charm:*`, `*`). v0 takes exactly one.
   * Pass the charm's whole desired list in every hook; `syncRequests()` reconciles live relations.
   */
  readonly resources: readonly string[];
}

/** `{ endpoint?, contract?, resources }`, or `{ endpoint?, request: () => ({ resources }) }`. */
export type ValkeyRequirerOptions = RequirerOptionsWith<ValkeyRequestOptions>;

/** `resourceCreated`, `endpointsChanged`, `sentinelEndpointsChanged`, … (all `{ relation, remoteApp, connection }`). */
export type ValkeyRequirerEvents = RequirerEvents<typeof valkeyClient>;

export class ValkeyRequirer extends InterfaceRequirer<typeof valkeyClient, ValkeyRequestOptions> {
  constructor(charm: Charm, options: ValkeyRequirerOptions) {
    const v0 = (options.contract ?? "v1") === "v0";
    super(charm, valkeyClient, options, ({ resources }) => {
      const unique = [...new Set(resources)];
      if (unique.length === 0)
        throw new TypeError("ValkeyRequirer: resources must name at least one key pattern");
      for (const [i, r] of unique.entries()) checkResource(r, `resources[${i}]`);
      if (v0 && unique.length !== 1) {
        throw new TypeError(
          `ValkeyRequirer: the v0 contract takes exactly one resource, got ${unique.length}`,
        );
      }
      return unique.map((resource) => ({ resource }));
    });
  }

  /** The key patterns this requirer currently asks for. */
  get resources(): string[] {
    return this.requests.map((r) => r.resource);
  }

  /** Add a key pattern on every relation (leader, v1): the request list is rewritten in this hook. */
  override addRequest(resource: string): void {
    checkResource(resource, "addRequest(resource)");
    super.addRequest(resource);
  }

  /**
   * Make every relation ask for exactly `resources` (leader, v1): add what is missing, withdraw what is
   * no longer wanted. Cheap when nothing differs (no write). Call it from config-changed and similar.
   */
  syncRequests(): void {
    if (!this.charm.model.isLeader()) return;
    this.ensureRequests();
    if (this.contract !== "v1") return;
    const wanted = new Set(this.resources);
    const present = new Set<string>();
    for (const rel of this.charm.model.relations(this.endpoint)) {
      for (const r of ownResources(rel.localApp.get("requests"))) present.add(r);
    }
    for (const r of present) if (!wanted.has(r)) this.removeRequest(r);
    // addRequest skips relations that already carry the resource.
    for (const r of wanted) super.addRequest(r);
  }
}

function checkResource(resource: unknown, what: string): void {
  if (!keyPattern().safeParse(resource).success) {
    throw new TypeError(`ValkeyRequirer: ${what} must be a key pattern without whitespace (e.g. "app:*")`);
  }
}

/** Resources of our own v1 request list (leader reads its app bag). */
function ownResources(raw: string | undefined): string[] {
  return parseJsonObjects(raw).flatMap((o) => (typeof o.resource === "string" ? [o.resource] : []));
}
