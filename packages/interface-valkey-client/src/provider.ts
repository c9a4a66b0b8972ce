/**
 * `ValkeyProvider`: the Valkey side of `valkey_client`. It serves v1 requirers (several key-pattern
 * requests per relation) and v0 `DatabaseRequires` requirers on the same endpoint, tells the charm
 * which ACL users to create and delete, and publishes endpoints, credentials and TLS in the exact
 * spelling valkey-operator uses. Secret routing, snapshots and cleanup are the core `DataProvider`'s.
 */

import {
  type Charm,
  type Contract,
  DataProvider,
  Emitter,
  emitOrBlock,
  formatBool,
  formatCommaList,
  type Handler,
  ProtocolEncodeError,
  type ProviderRequest,
  parseJsonObjects,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatus,
  type RemoteLimits,
} from "@charm-relations/juju-secrets-core";
import { requestValidator } from "@charm-relations/juju-secrets-core/schema";
import {
  DEFAULT_VALKEY_ENDPOINT,
  requirerAppBagV0,
  responseInput,
  VALKEY_CLIENT,
  type ValkeyResponseInput,
  valkeyRequestObject,
  valkeyUsername,
} from "./schema.js";

/** One request for a key pattern, as the provider charm sees it. */
export interface ValkeyRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only (a v0 requirer has one implicit request per relation). */
  readonly requestId?: string;
  /** The key pattern, for both the key ACL (`~<resource>`) and the channel ACL (`&<resource>`). */
  readonly resource: string;
  /** The ACL user valkey-operator creates for it: `relation-<id>-<request-id>` or `relation-<id>`. */
  readonly username: string;
}

export interface ValkeyProviderEvents {
  /** A new request (leader): create its ACL user, then `publish` credentials and endpoints. */
  resourceRequested: { readonly request: ValkeyRequest };
  /** All requests that became new in one relation-changed (like dpcharmlibs' `bulk_event`), after the single events. */
  resourcesRequested: { readonly relation: RelationRef; readonly requests: readonly ValkeyRequest[] };
  /** A v1 request was withdrawn (leader): delete its user. Its response and secrets are already gone. */
  requestRemoved: { readonly request: ValkeyRequest };
  /** A malformed request or a changed key pattern; the previous answer stays. Without a listener: blocked status. */
  requestInvalid: RelationInvalidEvent;
  /**
   * relation-broken (every unit): delete every user of the relation (see `isUsernameOfRelation`). The
   * leader already removed the secrets it created for it. `departing`: only this unit is being removed
   * (LP#1979811); the relation, its users and its secrets live on: delete nothing.
   */
  gone: RelationGoneEvent;
}

export interface ValkeyProviderOptions {
  /**
   * Keep a relation's secrets on relation-broken. A unit that is being removed while the relation lives
   * on (LP#1979811) keeps them anyway and gets `gone` with `departing: true` (valkey-operator skips
   * relation-broken on a departing unit); add your own rule here.
   */
  readonly retainSecretsOnBroken?: (relation: RelationRef) => boolean;
  /**
   * Limits on what the requirers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

export class ValkeyProvider {
  readonly events = new Emitter<ValkeyProviderEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly #engine: DataProvider;
  /** New requests of the current relation-changed, for the bulk event. */
  #batch: ValkeyRequest[] = [];

  constructor(charm: Charm, endpoint: string = DEFAULT_VALKEY_ENDPOINT, options: ValkeyProviderOptions = {}) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.#engine = new DataProvider(charm, endpoint, VALKEY_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.retainSecretsOnBroken ? { retainSecretsOnBroken: options.retainSecretsOnBroken } : {}),
      // The requirer's request against the wire schema (key pattern safe for an ACL rule, known shapes).
      validateRequest: requestValidator(requirerAppBagV0, valkeyRequestObject),
    });
    const engine = this.#engine;
    engine.events.on("requested", async ({ request }) => {
      const req = toValkeyRequest(request);
      this.#batch.push(req);
      await this.events.emit("resourceRequested", { request: req });
    });
    engine.events.on("entityRequested", ({ request }) => {
      // valkey-operator creates one user per key pattern; custom entities are not part of valkey_client.
      this.charm.model.log(
        "WARNING",
        `${request.relation.endpoint}:${request.relation.id}: entity requests are not supported by valkey_client; ignored`,
      );
    });
    engine.events.on("requestRemoved", ({ relation, requestId, resource }) =>
      this.events.emit("requestRemoved", {
        request: {
          relation,
          remoteApp: this.charm.model.relation(relation).remoteApp,
          contract: "v1",
          requestId,
          resource,
          username: valkeyUsername(relation.id, requestId),
        },
      }),
    );
    engine.events.on("requestInvalid", (e) => emitOrBlock(this.events, "requestInvalid", e, charm.model));
    engine.events.on("gone", (e) => this.events.emit("gone", e));
    // Registered after the engine's own observer, so it runs once the engine has emitted every request.
    charm.on(
      "relationChanged",
      async (e) => {
        const requests = this.#batch;
        this.#batch = [];
        if (requests.length)
          await this.events.emit("resourcesRequested", { relation: e.relation.ref, requests });
      },
      { endpoint },
    );
  }

  /** Typed `on`: `provider.on("resourceRequested", ({ request }) => …)`. */
  on<K extends keyof ValkeyProviderEvents>(name: K, handler: Handler<ValkeyProviderEvents[K]>): () => void {
    return this.events.on(name, handler);
  }

  /** Every current request on every relation (any unit: reads only the requirers' bags). */
  requests(): ValkeyRequest[] {
    return this.#engine.requests().flatMap((r) => (r.entityType ? [] : [toValkeyRequest(r)]));
  }

  /**
   * Requests that already have an answer (leader): the ones to refresh when endpoints, version or TLS
   * change. A request not answered yet is left to its `resourceRequested` handler, which creates the user.
   */
  answeredRequests(): ValkeyRequest[] {
    this.charm.model.requireLeader(`list answered requests on ${this.endpoint}`);
    return this.requests().filter((r) => {
      const own = this.charm.model.relation(r.relation).localApp;
      if (r.contract === "v0")
        return own.get("secret-user") !== undefined || own.get("username") !== undefined;
      return answeredIds(own.get("requests")).has(r.requestId ?? "");
    });
  }

  /**
   * What this app published for a request (leader): credentials from its own secrets and the plain
   * fields, under canonical names (`endpoints`, `sentinel-endpoints`, `tls`, …). Empty when unanswered.
   */
  published(request: Pick<ValkeyRequest, "relation" | "requestId">): Readonly<Record<string, string>> {
    return this.#engine.published(
      request.relation,
      request.requestId ? { requestId: request.requestId } : {},
    );
  }

  /** The user and password published for a request (leader), to rebuild ACLs; undefined when unanswered. */
  credentials(
    request: Pick<ValkeyRequest, "relation" | "requestId">,
  ): { username: string; password: string } | undefined {
    const p = this.published(request);
    return p.username && p.password ? { username: p.username, password: p.password } : undefined;
  }

  /**
   * Publish (leader) for one request: credentials, endpoints, sentinel endpoints, mode, version, TLS.
   * Omitted fields stay as they are; `tls: false` also drops `tls-ca`. Everything is validated first
   * (a `ProtocolEncodeError` names the field), so a bad value writes nothing.
   */
  publish(request: Pick<ValkeyRequest, "relation" | "requestId">, response: ValkeyResponseInput): void {
    const fields = toFields(response);
    const rel = this.charm.model.relation(request.relation);
    // v0 requirers read the key pattern back as `database`, as valkey-operator echoes it.
    if (rel.remoteAppData().version !== "v1") {
      const resource = rel.remoteAppData()[VALKEY_CLIENT.resourceKey];
      if (resource !== undefined) fields.database = resource;
    }
    this.#engine.publish(request.relation, fields, request.requestId ? { requestId: request.requestId } : {});
  }

  /** Publish the same fields (endpoints, version, TLS …) to every answered request (leader). */
  publishAll(response: Omit<ValkeyResponseInput, "username" | "password">): void {
    if ("username" in response || "password" in response) {
      throw new ProtocolEncodeError("username/password", "credentials are per request: use publish()");
    }
    toFields(response); // validate once, before the first write
    for (const request of this.answeredRequests()) this.publish(request, response);
  }

  raiseStatus(relation: RelationRef, status: RelationStatus): void {
    this.#engine.raiseStatus(relation, status);
  }

  resolveStatus(relation: RelationRef, code: number): void {
    this.#engine.resolveStatus(relation, code);
  }

  clearStatuses(relation: RelationRef): void {
    this.#engine.clearStatuses(relation);
  }
}

function toValkeyRequest(r: ProviderRequest): ValkeyRequest {
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    contract: r.contract,
    ...(r.requestId ? { requestId: r.requestId } : {}),
    resource: r.resource,
    username: valkeyUsername(r.relation.id, r.contract === "v1" ? r.requestId : undefined),
  };
}

/** Validated input → the engine's canonical fields in valkey-operator's spelling. */
function toFields(input: ValkeyResponseInput): Record<string, string | undefined> {
  const parsed = responseInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path
      .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
      .join(".")
      .replace(/\.\[/g, "[");
    const field = path || (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "response");
    throw new ProtocolEncodeError(
      field,
      issue.code === "unrecognized_keys" ? "unknown field" : issue.message,
    );
  }
  const v = parsed.data;
  if (v.tlsCa !== undefined && v.tls !== true) {
    throw new ProtocolEncodeError("tlsCa", "a CA is only published while tls is true");
  }
  const list = (items: readonly string[], field: string) => formatCommaList(items, { field });
  const fields: Record<string, string | undefined> = {};
  if (v.endpoints !== undefined) fields.endpoints = list(v.endpoints, "endpoints");
  if (v.readOnlyEndpoints !== undefined)
    fields["read-only-endpoints"] = list(v.readOnlyEndpoints, "readOnlyEndpoints");
  if (v.sentinelEndpoints !== undefined)
    fields["sentinel-endpoints"] = list(v.sentinelEndpoints, "sentinelEndpoints");
  if (v.mode !== undefined) fields.mode = v.mode;
  if (v.version !== undefined) fields.version = v.version;
  if (v.username !== undefined) fields.username = v.username;
  if (v.password !== undefined) fields.password = v.password;
  if (v.tls !== undefined) {
    fields.tls = formatBool(v.tls, "true");
    // The tls secret holds `tls-ca` only while TLS is on (interfaces.md §7).
    fields["tls-ca"] = v.tls ? v.tlsCa : undefined;
    if (v.tls && v.tlsCa === undefined) delete fields["tls-ca"];
  }
  return fields;
}

/** Request ids of our v1 responses (a broken value of our own bag: nothing answered yet). */
function answeredIds(raw: string | undefined): Set<string> {
  return new Set(
    parseJsonObjects(raw).flatMap((o) => (typeof o["request-id"] === "string" ? [o["request-id"]] : [])),
  );
}
