/**
 * `ValkeyRequirer`: the client side of `valkey_client`. It asks for one or several key patterns per
 * relation (v1, the default) or exactly one (v0, as `DatabaseRequires` clients do), and turns the
 * provider's answers into typed, per-request events. All protocol work is the core `DataRequirer`'s.
 */

import {
  type Charm,
  type Contract,
  DataRequirer,
  Emitter,
  emitOrBlock,
  forwardEvents,
  type Handler,
  parseJsonObjects,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatusEvent,
  type RemoteDataError,
  type RemoteLimits,
  type ResolvedResponse,
} from "@charm-relations/juju-secrets-core";
import { bagError, parseBag, prefixIssueKeys } from "@charm-relations/juju-secrets-core/schema";
import {
  DEFAULT_VALKEY_ENDPOINT,
  keyPattern,
  partialResolvedFields,
  providerAppBagV0,
  resolvedFields,
  VALKEY_CLIENT,
  valkeyResponseObject,
} from "./schema.js";

/** Everything a client needs to connect for one answered request. */
export interface ValkeyConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The key pattern this user may access (`app:*`). */
  readonly resource: string;
  readonly username: string;
  readonly password: string;
  /** Read/write (primary) endpoints, `host:port`. */
  readonly endpoints: readonly string[];
  readonly readOnlyEndpoints: readonly string[];
  /** Valkey Sentinel endpoints (same credentials). */
  readonly sentinelEndpoints: readonly string[];
  /** High-availability mode (`sentinel`); any string is passed through. */
  readonly mode?: string;
  /** Valkey engine version (`9.0.1`). */
  readonly version?: string;
  readonly tls: boolean;
  /** PEM of the CA that issued the server certificate; only while TLS is on. */
  readonly tlsCa?: string;
}

export interface ValkeyConnectionEvent {
  readonly connection: ValkeyConnection;
}

export interface ValkeyRequirerEvents {
  /** A request's user exists and its endpoints are known (fires once per request, on every unit). */
  resourceCreated: ValkeyConnectionEvent;
  endpointsChanged: ValkeyConnectionEvent;
  readOnlyEndpointsChanged: ValkeyConnectionEvent;
  sentinelEndpointsChanged: ValkeyConnectionEvent;
  modeChanged: ValkeyConnectionEvent;
  versionChanged: ValkeyConnectionEvent;
  /** A secret of the request got new content or a new URI: `user` (password) and/or `tls` (TLS switch, CA). */
  credentialsRotated: ValkeyConnectionEvent & { readonly groups: readonly string[] };
  statusRaised: RelationStatusEvent;
  statusResolved: RelationStatusEvent;
  /** relation-broken (every unit); `departing`: only this unit leaves, the relation lives on. */
  gone: RelationGoneEvent;
  /** The provider's data could not be understood; nothing was recorded for it. Without a listener: blocked status. */
  invalid: RelationInvalidEvent;
}

export interface ValkeyRequirerOptions {
  /**
   * Key patterns to request, one ACL user each (`requirer-charm:*`, `*`). v0 takes exactly one.
   * Pass the charm's whole desired list in every hook; `syncRequests()` reconciles live relations.
   */
  readonly resources: readonly string[];
  /** `v1` (default; what dpcharmlibs clients speak) or `v0` (`DatabaseRequires`, key `database`). */
  readonly contract?: Contract;
  /**
   * Limits on what the providers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** Plain-field changes after created, by canonical key → event. */
const CHANGE_EVENTS = {
  endpoints: "endpointsChanged",
  "read-only-endpoints": "readOnlyEndpointsChanged",
  "sentinel-endpoints": "sentinelEndpointsChanged",
  mode: "modeChanged",
  version: "versionChanged",
} as const satisfies Record<string, keyof ValkeyRequirerEvents>;

export class ValkeyRequirer {
  readonly events = new Emitter<ValkeyRequirerEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly #engine: DataRequirer;

  constructor(charm: Charm, endpoint: string = DEFAULT_VALKEY_ENDPOINT, options: ValkeyRequirerOptions) {
    const contract = options.contract ?? "v1";
    const resources = [...new Set(options.resources)];
    if (resources.length === 0)
      throw new TypeError("ValkeyRequirer: resources must name at least one key pattern");
    for (const [i, r] of resources.entries()) checkResource(r, `resources[${i}]`);
    if (contract === "v0" && resources.length !== 1) {
      throw new TypeError(
        `ValkeyRequirer: the v0 contract takes exactly one resource, got ${resources.length}`,
      );
    }
    this.charm = charm;
    this.endpoint = endpoint;
    this.#engine = new DataRequirer(charm, endpoint, VALKEY_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      contract,
      requests: resources.map((resource) => ({ resource })),
      // Checked before anything is emitted or written: a bad answer leaves the snapshot where it was.
      validateBag: (bag, relation) => validateAnswer(contract, bag, relation),
      validateResponse: (response) =>
        bagError(partialResolvedFields, response.fields, {
          relation: response.relation,
          side: "provider",
          bag: "app",
        }),
    });
    const engine = this.#engine;
    engine.events.on("created", async ({ response }) => {
      const connection = await this.#connection(response);
      if (connection) await this.events.emit("resourceCreated", { connection });
    });
    engine.events.on("changed", async ({ response, keys }) => {
      const names = keys.flatMap((k) =>
        k in CHANGE_EVENTS ? [CHANGE_EVENTS[k as keyof typeof CHANGE_EVENTS]] : [],
      );
      if (names.length === 0) return;
      const connection = await this.#connection(response);
      if (!connection) return;
      for (const name of new Set(names)) await this.events.emit(name, { connection });
    });
    engine.events.on("credentialsRotated", async ({ response, groups }) => {
      const connection = await this.#connection(response);
      if (connection) await this.events.emit("credentialsRotated", { connection, groups });
    });
    forwardEvents(engine.events, this.events, ["statusRaised", "statusResolved", "gone"]);
    engine.events.on("invalid", ({ relation, error }) => this.#invalid(relation, error));
  }

  /** Typed `on`: `requirer.on("resourceCreated", ({ connection }) => …)`. */
  on<K extends keyof ValkeyRequirerEvents>(name: K, handler: Handler<ValkeyRequirerEvents[K]>): () => void {
    return this.events.on(name, handler);
  }

  get contract(): Contract {
    return this.#engine.contract;
  }

  /** The key patterns this requirer currently asks for. */
  get resources(): string[] {
    return this.#engine.requests.map((r) => r.resource);
  }

  /** Add a key pattern on every relation (leader, v1): the request list is rewritten in this hook. */
  addRequest(resource: string): void {
    checkResource(resource, "addRequest(resource)");
    this.#engine.addRequest({ resource });
  }

  /** Withdraw a key pattern on every relation (leader, v1); the provider then deletes its user. */
  removeRequest(resource: string): void {
    this.#engine.removeRequest(resource);
  }

  /**
   * Make every relation ask for exactly `resources` (leader, v1): add what is missing, withdraw what is
   * no longer wanted. Cheap when nothing differs (no write). Call it from config-changed and similar.
   */
  syncRequests(): void {
    if (!this.charm.model.isLeader()) return;
    this.#engine.ensureRequests();
    if (this.contract !== "v1") return;
    const wanted = new Set(this.resources);
    const present = new Set<string>();
    for (const rel of this.charm.model.relations(this.endpoint)) {
      for (const r of ownResources(rel.localApp.get("requests"))) present.add(r);
    }
    for (const r of present) if (!wanted.has(r)) this.#engine.removeRequest(r);
    // addRequest skips relations that already carry the resource.
    for (const r of wanted) this.#engine.addRequest({ resource: r });
  }

  /** Every ready, valid answer for the resources asked for, on every relation (secrets read once per hook). */
  connections(): ValkeyConnection[] {
    const out: ValkeyConnection[] = [];
    for (const response of this.#engine.responses()) {
      if (!response.ready || !this.#wanted(response)) continue;
      const parsed = toConnection(response);
      if (parsed.ok) out.push(parsed.value);
    }
    return out;
  }

  /** The answer for one key pattern (first relation that has one). */
  connection(resource: string): ValkeyConnection | undefined {
    return this.connections().find((c) => c.resource === resource);
  }

  /** True when every relation has a ready answer for every requested resource. */
  isReady(): boolean {
    const rels = this.charm.model.relations(this.endpoint);
    if (rels.length === 0) return false;
    const ready = this.connections();
    return rels.every((rel) =>
      this.contract === "v0"
        ? ready.some((c) => c.relation.id === rel.id)
        : this.resources.every((r) => ready.some((c) => c.relation.id === rel.id && c.resource === r)),
    );
  }

  /** Responses to requests withdrawn meanwhile stay on the wire until the provider catches up: ignore them. */
  #wanted(response: ResolvedResponse): boolean {
    return response.contract === "v0" || this.resources.includes(response.resource);
  }

  async #connection(response: ResolvedResponse): Promise<ValkeyConnection | undefined> {
    if (!this.#wanted(response)) return undefined;
    const parsed = toConnection(response);
    if (parsed.ok) return parsed.value;
    await this.#invalid(response.relation, parsed.error);
    return undefined;
  }

  async #invalid(relation: RelationRef, error: RemoteDataError): Promise<void> {
    await emitOrBlock(this.events, "invalid", { relation, error }, this.charm.model);
  }
}

/** Resolved provider fields → a typed connection, or the error naming the bad key. */
export function toConnection(
  response: ResolvedResponse,
): { ok: true; value: ValkeyConnection } | { ok: false; error: RemoteDataError } {
  const parsed = parseBag(resolvedFields, response.fields, {
    relation: response.relation,
    side: "provider",
    bag: "app",
  });
  if (!parsed.ok) return parsed;
  const f = parsed.value;
  const tls = f.tls ?? false;
  const value: ValkeyConnection = {
    relation: response.relation,
    remoteApp: response.remoteApp,
    contract: response.contract,
    ...(response.requestId ? { requestId: response.requestId } : {}),
    resource: response.resource,
    username: f.username,
    password: f.password,
    endpoints: f.endpoints,
    readOnlyEndpoints: f["read-only-endpoints"] ?? [],
    sentinelEndpoints: f["sentinel-endpoints"] ?? [],
    ...(f.mode !== undefined ? { mode: f.mode } : {}),
    ...(f.version !== undefined ? { version: f.version } : {}),
    tls,
    // A CA left behind after TLS was switched off is not a CA to trust.
    ...(tls && f["tls-ca"] ? { tlsCa: f["tls-ca"] } : {}),
  };
  return { ok: true, value };
}

function checkResource(resource: unknown, what: string): void {
  if (!keyPattern().safeParse(resource).success) {
    throw new TypeError(`ValkeyRequirer: ${what} must be a key pattern without whitespace (e.g. "app:*")`);
  }
}

/** The raw answer (a v1 response object, or the v0 flat bag) against the wire schema. */
function validateAnswer(
  contract: Contract,
  bag: Readonly<Record<string, string>>,
  relation: RelationRef,
): RemoteDataError | undefined {
  const where = { relation, side: "provider", bag: "app" } as const;
  if (contract === "v0") return bagError(providerAppBagV0, bag, where);
  const error = bagError(valkeyResponseObject, bag, where);
  // Name the response the key belongs to: `requests[<request-id>].endpoints[0]`.
  return error && prefixIssueKeys(error, `requests[${bag["request-id"] ?? "?"}].`);
}

/** Resources of our own v1 request list (leader reads its app bag). */
function ownResources(raw: string | undefined): string[] {
  return parseJsonObjects(raw).flatMap((o) => (typeof o.resource === "string" ? [o.resource] : []));
}
