/**
 * `EtcdClientRequirer`: a client of charmed-etcd's `etcd-client` endpoint.
 *
 * The core `DataRequirer` writes the request (v1 by default; v0 for charmed-etcd revisions before the
 * v1 migration), keeps the client certificate in a requirer-owned secret granted to the relation
 * (`secret-mtls`; the Fernet `mtls-cert` path cross-model), snapshots the answer per unit and reads the
 * provider's secrets. This class names the events in etcd terms and hands out typed connections.
 */

import {
  type Charm,
  type Contract,
  DataRequirer,
  Emitter,
  emitOrBlock,
  forwardEvents,
  type Handler,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatusEvent,
  RemoteDataError,
  type RemoteLimits,
  type ResolvedResponse,
} from "@charm-relations/juju-secrets-core";
import { parseClientCertificate } from "./certificate.js";
import { connectionFields, connectionIssues, DEFAULT_ENDPOINT, ETCD_CLIENT } from "./schema.js";

export interface EtcdClientRequirerOptions {
  /** The key range to get read/write access to, e.g. `/myapp/` (charmed-etcd grants `--prefix=true`). */
  readonly prefix: string;
  /**
   * The client certificate (PEM; a chain must start with the leaf). Its common name becomes the etcd
   * user. May be given later with `setMtlsCert` (e.g. once a TLS provider issued it).
   */
  readonly mtlsCert?: string;
  /** `v1` (default; current charmed-etcd) or `v0` (charmed-etcd before its v1 migration). */
  readonly contract?: Contract;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Limits on what the providers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** Everything needed to connect: `etcdctl --endpoints <uris> --cert … --key … --cacert <tlsCa>`. */
export interface EtcdConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  readonly prefix: string;
  /** `host:port` items, no scheme (the `endpoints` key). */
  readonly endpoints: readonly string[];
  /** `https://host:port` client URLs (from the user secret): the connection string. */
  readonly uris: readonly string[];
  /** The etcd user: the common name of our certificate. */
  readonly username: string;
  /** etcd server version, e.g. `3.5.18`. */
  readonly version: string;
  /** The CA of the server certificate (PEM). */
  readonly tlsCa: string;
  /** `tls` as the provider wrote it (v0: `"True"`); absent in v1. */
  readonly tls?: boolean;
}

export interface EtcdClientRequirerEvents {
  /** The answer is complete (username, uris, endpoints, tls-ca, version), first time. Every unit. */
  etcdReady: EtcdConnection;
  /** `endpoints` changed after ready. */
  endpointsChanged: EtcdConnection;
  /** `version` changed after ready (an etcd upgrade). */
  versionChanged: EtcdConnection;
  /** The provider rotated the server CA (`secret-tls` new revision or URI). */
  caRotated: EtcdConnection;
  /** The user secret changed (username after a CN change, or uris after a topology change). */
  credentialsRotated: EtcdConnection;
  statusRaised: RelationStatusEvent;
  statusResolved: RelationStatusEvent;
  /**
   * relation-broken. Unless `departing`, the leader already removed the `secret-mtls` secret of the
   * relation. `departing`: only this unit leaves (scale-in); the relation lives on for the others.
   */
  gone: RelationGoneEvent;
  /** The provider's answer is malformed; nothing was written for that relation. */
  invalid: RelationInvalidEvent;
}

export class EtcdClientRequirer {
  readonly events = new Emitter<EtcdClientRequirerEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly prefix: string;
  readonly contract: Contract;
  readonly engine: DataRequirer;

  constructor(charm: Charm, endpoint: string = DEFAULT_ENDPOINT, options: EtcdClientRequirerOptions) {
    if (typeof options?.prefix !== "string" || options.prefix === "") {
      throw new TypeError("EtcdClientRequirer: option prefix must be a non-empty string");
    }
    // Fail before any write: a CA or a garbage PEM would only be refused by the provider later.
    if (options.mtlsCert !== undefined)
      parseClientCertificate(options.mtlsCert, { field: "mtlsCert option" });
    this.charm = charm;
    this.endpoint = endpoint;
    this.prefix = options.prefix;
    this.contract = options.contract ?? "v1";
    this.engine = new DataRequirer(charm, endpoint, ETCD_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      contract: this.contract,
      requests: [{ resource: options.prefix, ...(options.mtlsCert ? { mtlsCert: options.mtlsCert } : {}) }],
      validateResponse: (response) => validate(response),
      // A leader being removed keeps the relation's client certificate (LP#1979811): the engine's job.
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    });
    const engine = this.engine;
    engine.events.on("created", (e) => this.#emit("etcdReady", e.response));
    engine.events.on("changed", async (e) => {
      if (e.keys.includes("endpoints")) await this.#emit("endpointsChanged", e.response);
      if (e.keys.includes("version")) await this.#emit("versionChanged", e.response);
    });
    engine.events.on("credentialsRotated", async (e) => {
      if (e.groups.includes("tls")) await this.#emit("caRotated", e.response);
      if (e.groups.includes("user")) await this.#emit("credentialsRotated", e.response);
    });
    forwardEvents(engine.events, this.events, ["statusRaised", "statusResolved", "gone"]);
    engine.events.on("invalid", (e) => this.#reportInvalid(e.relation, e.error));
  }

  on<K extends keyof EtcdClientRequirerEvents>(
    name: K,
    handler: Handler<EtcdClientRequirerEvents[K]>,
  ): () => void {
    return this.events.on(name, handler);
  }

  /**
   * Set or rotate the client certificate on every relation (leader): `secret-set` on the existing
   * `secret-mtls` secret only when the PEM differs (cross-model: a new Fernet token). Throws a
   * `ClientCertificateError` before writing anything when the PEM is not a usable client certificate.
   */
  setMtlsCert(pem: string): void {
    parseClientCertificate(pem, { field: "mtlsCert" });
    this.engine.setMtlsCert(pem);
  }

  /** Ready connections on every relation (any unit; secrets read once per hook). */
  connections(): EtcdConnection[] {
    const out: EtcdConnection[] = [];
    for (const response of this.engine.responses()) {
      const c = toConnection(response);
      if (c) out.push(c);
    }
    return out;
  }

  /** The ready connection of one relation (the first, when `relationId` is omitted). */
  connection(relationId?: number): EtcdConnection | undefined {
    return this.connections().find((c) => relationId === undefined || c.relation.id === relationId);
  }

  isReady(): boolean {
    return this.engine.isReady();
  }

  async #emit(
    name: "etcdReady" | "endpointsChanged" | "versionChanged" | "caRotated" | "credentialsRotated",
    response: ResolvedResponse,
  ): Promise<void> {
    const connection = toConnection(response);
    if (connection) {
      await this.events.emit(name, connection);
      return;
    }
    // Only the secret-changed path gets here (relation-changed answers were validated): report it.
    const error = validate(response);
    if (error) await this.#reportInvalid(response.relation, error);
  }

  async #reportInvalid(relation: RelationRef, error: RemoteDataError): Promise<void> {
    await emitOrBlock(this.events, "invalid", { relation, error }, this.charm.model);
  }
}

function validate(response: ResolvedResponse): RemoteDataError | undefined {
  const issues = connectionIssues(response.fields);
  if (issues.length === 0) return undefined;
  return new RemoteDataError(
    issues.map((i) => ({
      relation: response.relation,
      side: "provider" as const,
      bag: "app" as const,
      key: response.requestId ? `requests[${response.requestId}].${i.key}` : i.key,
      rule: i.rule,
    })),
  );
}

function toConnection(response: ResolvedResponse): EtcdConnection | undefined {
  if (!response.ready) return undefined;
  const parsed = connectionFields.safeParse(response.fields);
  if (!parsed.success) return undefined;
  const f = parsed.data;
  return {
    relation: response.relation,
    remoteApp: response.remoteApp,
    contract: response.contract,
    ...(response.requestId ? { requestId: response.requestId } : {}),
    prefix: response.resource,
    endpoints: f.endpoints,
    uris: f.uris,
    username: f.username,
    version: f.version,
    tlsCa: f["tls-ca"],
    ...(f.tls !== undefined ? { tls: f.tls } : {}),
  };
}
