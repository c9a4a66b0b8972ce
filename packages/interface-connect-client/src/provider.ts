/**
 * `ConnectProvider`: the Kafka Connect side of `connect_client`. It tells the charm which plugin to
 * install for which relation (and which user to create), publishes REST endpoints, credentials and
 * TLS in kafka-connect-operator's spelling once the charm says the plugin is in place, and tells it
 * what to clean up when a relation goes. Secret routing, snapshots and secret cleanup are the core
 * `DataProvider`'s.
 */

import { join } from "node:path";
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
  pemBlocks,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatus,
  RemoteDataError,
  type RemoteLimits,
} from "@charm-relations/juju-secrets-core";
import {
  CONNECT_CLIENT,
  connectUsername,
  DEFAULT_CONNECT_ENDPOINT,
  NOT_REQUIRED,
  pluginUrlProblem,
  restEndpointProblem,
} from "./schema.js";

/** One integrator's request, as the provider charm sees it. */
export interface ConnectIntegrationRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The plugin tarball to install on every worker; `null` when the integrator sent `NOT-REQUIRED`. */
  readonly pluginUrl: string | null;
  /** The REST user to create: `relation-<id>` (v0), `relation-<id>-<request-id>` (v1). */
  readonly username: string;
  /** Name prefix of this request's plugin files, as kafka-connect-operator lays them out (`<plugins>/relation-<id>*`). */
  readonly pluginPrefix: string;
}

export interface ConnectIntegrationRemoved {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** v1 `requestRemoved` only; on relation-broken every request of the relation is gone. */
  readonly requestId?: string;
  /** The user to delete (v1 relation-broken: every user for which `isOfRelation(name, id)` holds). */
  readonly username: string;
  /** Remove this unit's plugin files whose names start with it (see `isOfRelation`). */
  readonly pluginPrefix: string;
  /**
   * This unit is being removed while the relation lives on for the other units (Juju runs
   * relation-broken on a departing unit too): clean up local files only, keep the user, and the
   * relation's secrets were kept.
   */
  readonly unitDeparting: boolean;
}

export interface ConnectProviderEvents {
  /**
   * A new integrator (leader; kafka-connect-operator's `integration_requested`): install the plugin
   * on every worker, create the user, then `publish`. Non-leaders learn about requests from
   * `requests()` (relation-joined/changed, update-status) to install the plugin locally.
   */
  integrationRequested: { readonly request: ConnectIntegrationRequest };
  /** relation-broken (every unit) or a withdrawn v1 request (leader): delete the user, the plugin files, connectors. */
  integrationRemoved: ConnectIntegrationRemoved;
  /** A malformed request (bad `plugin-url`) or a changed one; nothing was recorded. Without a listener: blocked status. */
  requestInvalid: RelationInvalidEvent;
}

/** What to publish for one request: everything the integrator needs, in one hook. */
export interface ConnectResponseInput {
  /** REST URLs with scheme, `https://` while TLS is on (`http://10.1.0.10:8083`). */
  readonly endpoints: readonly string[];
  readonly username: string;
  readonly password: string;
  readonly tls: boolean;
  /** PEM of the workers' CA; required while `tls` is true, forbidden otherwise (`disabled` is written). */
  readonly tlsCa?: string;
}

/** Fields to refresh on every answered request (topology or TLS changes). */
export type ConnectSharedInput = Partial<Pick<ConnectResponseInput, "endpoints" | "tls" | "tlsCa">>;

export interface ConnectProviderOptions {
  /**
   * Where this unit keeps its "I am departing" markers (in `.charm-relations/`) between
   * relation-departed and relation-broken (default: the charm directory).
   */
  readonly stateDir?: string;
  /**
   * Limits on what the requirers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** `relation-<id>` matches `relation-<id>`, `relation-<id>-…` and `relation-<id>.…` but never `relation-<id>0`. */
export function isOfRelation(name: string, relationId: number): boolean {
  const base = connectUsername(relationId);
  return name === base || name.startsWith(`${base}-`) || name.startsWith(`${base}.`);
}

export class ConnectProvider {
  readonly events = new Emitter<ConnectProviderEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly #engine: DataProvider;

  constructor(
    charm: Charm,
    endpoint: string = DEFAULT_CONNECT_ENDPOINT,
    options: ConnectProviderOptions = {},
  ) {
    this.charm = charm;
    this.endpoint = endpoint;
    this.#engine = new DataProvider(charm, endpoint, CONNECT_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      validateRequest: (request) => validateRequest(request),
      // The engine keeps a departing unit's secrets (LP#1979811); its markers live under stateDir.
      ...(options.stateDir ? { stateDir: join(options.stateDir, ".charm-relations") } : {}),
    });
    const engine = this.#engine;
    engine.events.on("requested", ({ request }) =>
      this.events.emit("integrationRequested", { request: toConnectRequest(request) }),
    );
    engine.events.on("entityRequested", ({ request }) => {
      // connect_client has no entities; a requirer that sends entity-type still gets its plugin user.
      this.charm.model.log(
        "WARNING",
        `${request.relation.endpoint}:${request.relation.id}: entity-type is not part of connect_client; ignored`,
      );
      return this.events.emit("integrationRequested", { request: toConnectRequest(request) });
    });
    engine.events.on("requestRemoved", ({ relation, requestId }) =>
      this.events.emit("integrationRemoved", {
        relation,
        remoteApp: this.charm.model.relation(relation).remoteApp,
        requestId,
        username: connectUsername(relation.id, requestId),
        pluginPrefix: connectUsername(relation.id, requestId),
        unitDeparting: false,
      }),
    );
    engine.events.on("requestInvalid", (e) => emitOrBlock(this.events, "requestInvalid", e, charm.model));
    engine.events.on("gone", async ({ relation, remoteApp, departing: unitDeparting }) => {
      await this.events.emit("integrationRemoved", {
        relation,
        remoteApp,
        username: connectUsername(relation.id),
        pluginPrefix: connectUsername(relation.id),
        unitDeparting,
      });
    });
  }

  /** Typed `on`: `provider.on("integrationRequested", ({ request }) => …)`. */
  on<K extends keyof ConnectProviderEvents>(name: K, handler: Handler<ConnectProviderEvents[K]>): () => void {
    return this.events.on(name, handler);
  }

  /** Every current request on every relation (any unit: reads only the requirers' bags). */
  requests(): ConnectIntegrationRequest[] {
    return this.#engine.requests().map(toConnectRequest);
  }

  /** Requests already answered with credentials (leader): the ones `publishAll` refreshes. */
  answeredRequests(): ConnectIntegrationRequest[] {
    this.charm.model.requireLeader(`list answered requests on ${this.endpoint}`);
    return this.requests().filter((r) => this.#answered(r));
  }

  /**
   * Requests still waiting for credentials (leader): a plugin that failed to download is retried from
   * here (kafka-connect-operator never retries, interfaces.md §5.7).
   */
  pendingRequests(): ConnectIntegrationRequest[] {
    this.charm.model.requireLeader(`list pending requests on ${this.endpoint}`);
    return this.requests().filter((r) => !this.#answered(r));
  }

  #answered(r: ConnectIntegrationRequest): boolean {
    const own = this.charm.model.relation(r.relation).localApp;
    if (r.contract === "v0") return own.get("secret-user") !== undefined || own.get("username") !== undefined;
    return answeredIds(own.get("requests")).has(r.requestId ?? "");
  }

  /**
   * Answer one request (leader): endpoints, credentials and TLS together, as the Python requirer fires
   * `integration_created` the moment `secret-user` appears. Validated first (a `ProtocolEncodeError`
   * names the field), so a bad value writes nothing; unchanged values cost no write.
   */
  publish(
    request: Pick<ConnectIntegrationRequest, "relation" | "requestId">,
    response: ConnectResponseInput,
  ): void {
    const fields = toFields(response, true);
    this.#engine.publish(request.relation, fields, request.requestId ? { requestId: request.requestId } : {});
  }

  /**
   * Refresh endpoints and/or TLS on every answered request (leader). Pending requests are left to
   * their `publish`, so nobody gets endpoints before credentials. Returns the requests written to.
   */
  publishAll(update: ConnectSharedInput): ConnectIntegrationRequest[] {
    if ("username" in update || "password" in update) {
      throw new ProtocolEncodeError("username/password", "credentials are per request: use publish()");
    }
    const fields = toFields(update, false); // validate once, before the first write
    const answered = this.answeredRequests();
    for (const r of answered) {
      this.#engine.publish(r.relation, fields, r.requestId ? { requestId: r.requestId } : {});
    }
    return answered;
  }

  /** What this app published for a request (leader): canonical fields, secret contents resolved. */
  published(request: Pick<ConnectIntegrationRequest, "relation" | "requestId">): Record<string, string> {
    return this.#engine.published(
      request.relation,
      request.requestId ? { requestId: request.requestId } : {},
    );
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

function toConnectRequest(r: ProviderRequest): ConnectIntegrationRequest {
  const requestId = r.contract === "v1" ? r.requestId : undefined;
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    contract: r.contract,
    ...(requestId ? { requestId } : {}),
    pluginUrl: r.resource === NOT_REQUIRED ? null : r.resource,
    username: connectUsername(r.relation.id, requestId),
    pluginPrefix: connectUsername(r.relation.id, requestId),
  };
}

/** The requirer's `plugin-url` must be an http(s) URL or `NOT-REQUIRED` before anything is recorded. */
function validateRequest(r: ProviderRequest): RemoteDataError | undefined {
  const problem = pluginUrlProblem(r.resource);
  if (!problem) return undefined;
  const key = r.contract === "v1" ? `requests[${r.requestId}].resource` : CONNECT_CLIENT.resourceKey;
  return new RemoteDataError([
    {
      relation: r.relation,
      side: "requirer",
      bag: "app",
      key,
      rule: problem,
      shape: `string of ${r.resource.length} chars`,
    },
  ]);
}

/** Validated input → the engine's canonical fields in kafka-connect-operator's spelling. */
function toFields(input: Partial<ConnectResponseInput>, complete: boolean): Record<string, string> {
  const fields: Record<string, string> = {};
  if (complete) {
    for (const k of ["endpoints", "username", "password", "tls"] as const) {
      if (input[k] === undefined)
        throw new ProtocolEncodeError(k, "required: publish endpoints, credentials and TLS together");
    }
  }
  if (input.endpoints !== undefined) {
    if (!Array.isArray(input.endpoints) || input.endpoints.length === 0) {
      throw new ProtocolEncodeError("endpoints", "expected at least one REST URL");
    }
    input.endpoints.forEach((e, i) => {
      const problem = typeof e === "string" ? restEndpointProblem(e) : "expected a string";
      if (problem) throw new ProtocolEncodeError(`endpoints[${i}]`, problem);
      if (input.tls === true && !e.startsWith("https://")) {
        throw new ProtocolEncodeError(`endpoints[${i}]`, "TLS is on: REST endpoints must use https://");
      }
    });
    fields.endpoints = formatCommaList(input.endpoints, { field: "endpoints" });
  }
  for (const k of ["username", "password"] as const) {
    const v = input[k];
    if (v === undefined) continue;
    if (typeof v !== "string" || v === "") throw new ProtocolEncodeError(k, "expected a non-empty string");
    if (k === "username" && v.includes(":"))
      throw new ProtocolEncodeError(k, "must not contain ':' (HTTP basic auth)");
    fields[k] = v;
  }
  if (input.tls !== undefined) {
    if (typeof input.tls !== "boolean") throw new ProtocolEncodeError("tls", "expected a boolean");
    fields.tls = formatBool(input.tls, "enabled");
    if (input.tls) {
      if (typeof input.tlsCa !== "string" || pemBlocks(input.tlsCa).length === 0) {
        throw new ProtocolEncodeError("tlsCa", "TLS is on: a PEM CA certificate is required");
      }
      fields["tls-ca"] = input.tlsCa;
    } else {
      if (input.tlsCa !== undefined)
        throw new ProtocolEncodeError("tlsCa", "a CA is only published while tls is true");
      // kafka-connect-operator's spelling for "no CA".
      fields["tls-ca"] = "disabled";
    }
  } else if (input.tlsCa !== undefined) {
    throw new ProtocolEncodeError("tlsCa", "publish tlsCa together with tls");
  }
  return fields;
}

/** Request ids of our v1 responses that carry credentials. */
function answeredIds(raw: string | undefined): Set<string> {
  return new Set(
    parseJsonObjects(raw).flatMap((o) =>
      typeof o["request-id"] === "string" && o["secret-user"] ? [o["request-id"]] : [],
    ),
  );
}
