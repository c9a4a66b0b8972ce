/**
 * `EtcdClientProvider`: the etcd side of etcd_client (canonical/charmed-etcd-operator's `etcd-client`).
 *
 * The core `DataProvider` does the protocol (v0 flat and v1 requests, snapshots, secret routing,
 * cross-model `encryption-secret`, cleanup); this class turns its events into etcd terms:
 * a client is a request plus a client certificate whose common name is the etcd user.
 *
 * Leader: `clientRequested` (no user published yet), `clientCertificateChanged`, `clientRemoved`,
 * `clientCertificateRejected`. Every unit: `clientCertificateChanged` on secret-changed, and
 * `trustStoreRefresh` whenever the set of client certificates may have changed, so non-leaders can
 * rebuild their trusted client list without touching app data (the Python provider crashes there, I-3).
 */

import {
  type Charm,
  CharmRelationsError,
  type Contract,
  DataProvider,
  type DataProviderOptions,
  Emitter,
  emitOrBlock,
  formatCommaList,
  type Handler,
  type ProviderRequest,
  parseJsonObjects as parseObjects,
  parseSecretLabel,
  pemBlocks,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatus,
  type RemoteLimits,
} from "@charm-relations/juju-secrets-core";
import { requestValidator } from "@charm-relations/juju-secrets-core/schema";
import { type ClientCertificate, ClientCertificateError, parseClientCertificate } from "./certificate.js";
import {
  DEFAULT_ENDPOINT,
  ETCD_CLIENT,
  isClientUri,
  normaliseEndpoint,
  requestObject,
  requirerAppV0,
} from "./schema.js";

/** Which client (relation, and request in v1) an event or a call is about. */
export interface EtcdClientRef {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The key range the client asked for (v0 `prefix`, v1 `resource`). */
  readonly prefix: string;
}

/** A valid client certificate, as the provider uses it. */
export interface ClientCertificateInfo {
  /** The etcd user: CN of the first certificate. */
  readonly commonName: string;
  /** `mtls-cert` as the requirer sent it (possibly a chain). */
  readonly certificate: string;
  /** The first certificate, which charmed-etcd trusts (not its issuer). */
  readonly leaf: string;
  readonly chain: readonly string[];
  readonly fingerprint256: string;
}

export interface ClientRequestedEvent extends EtcdClientRef, ClientCertificateInfo {}

export interface ClientCertificateChangedEvent extends EtcdClientRef, ClientCertificateInfo {
  /** The user to retire when the CN changed: the published username, else the old certificate's CN. */
  readonly oldCommonName?: string;
  readonly oldCertificate?: string;
  readonly commonNameChanged: boolean;
  /** `relation-changed` (leader: new `secret-mtls` / `mtls-cert`) or `secret-changed` (every unit). */
  readonly source: "relation-changed" | "secret-changed";
}

export interface ClientCertificateRejectedEvent extends EtcdClientRef {
  readonly error: ClientCertificateError;
  /** The user already published for this client (charmed-etcd removes it). Leader only. */
  readonly previousCommonName?: string;
}

export interface ClientRemovedEvent {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly requestId?: string;
  /** Known for a withdrawn v1 request; a broken relation can no longer be read. */
  readonly prefix?: string;
  /** The etcd user to delete (the username this app published). */
  readonly commonName: string;
  readonly reason: "relation-broken" | "request-removed";
}

/** One entry of the trusted client list. */
export interface TrustedClientCertificate {
  readonly relation: RelationRef;
  readonly requestId?: string;
  readonly prefix: string;
  readonly commonName: string;
  readonly leaf: string;
  readonly fingerprint256: string;
}

export interface TrustStoreRefreshEvent {
  readonly reason: "relation-joined" | "relation-changed" | "secret-changed" | "relation-broken";
  readonly relation?: RelationRef;
  /** The current valid client certificates of every relation (read lazily, once per hook). */
  certificates(): TrustedClientCertificate[];
}

export interface EtcdClientProviderEvents {
  clientRequested: ClientRequestedEvent;
  clientCertificateChanged: ClientCertificateChangedEvent;
  clientCertificateRejected: ClientCertificateRejectedEvent;
  clientRemoved: ClientRemovedEvent;
  trustStoreRefresh: TrustStoreRefreshEvent;
  /** The requirer's databag is malformed; nothing was written for that relation. */
  requestInvalid: RelationInvalidEvent;
  /**
   * relation-broken. Unless `departing`, the leader already removed the secrets this app created for
   * the relation. `departing`: only this unit leaves (scale-in), the relation and its user live on.
   */
  gone: RelationGoneEvent;
}

/** What a client gets back. */
export interface EtcdClientResponse {
  /** The etcd user: normally the certificate's common name. */
  readonly username: string;
  /** `host:port` items, no scheme. */
  readonly endpoints: readonly string[];
  /** Client URLs; default `https://<endpoint>` for each endpoint. */
  readonly uris?: readonly string[];
  /** etcd server version, e.g. `3.6.5`. */
  readonly version: string;
  /** The CA that issued the server certificate (PEM). */
  readonly tlsCa: string;
  /** Write `password: ""` like v0-era charmed-etcd (off by default: authentication is by certificate). */
  readonly emptyPassword?: boolean;
}

/** A client as `clients()` lists it, with its certificate problem if any. */
export interface EtcdClient extends EtcdClientRef {
  readonly certificate?: ClientCertificateInfo;
  readonly error?: ClientCertificateError;
}

/** A programming error in a response (bad endpoint, empty username …); names the field, never a value. */
export class EtcdResponseError extends CharmRelationsError {
  override name = "EtcdResponseError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`etcd_client response field "${field}": ${message}`);
    this.field = field;
  }
}

export interface EtcdClientProviderOptions {
  /**
   * Keep the relation's secrets on relation-broken (and emit no `clientRemoved`). A unit that is being
   * removed is detected already (LP#1979811, see `stateDir`); add your own rule here.
   */
  readonly retainSecretsOnBroken?: DataProviderOptions["retainSecretsOnBroken"];
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Limits on what the requirers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

const key = (relation: RelationRef, requestId?: string): string => `${relation.id}/${requestId ?? ""}`;

export class EtcdClientProvider {
  readonly events = new Emitter<EtcdClientProviderEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  readonly engine: DataProvider;
  /** Requests that arrived in this hook (leader), by relation/request id. */
  readonly #newThisHook = new Map<string, ProviderRequest>();
  /** Users published for v1 requests the requirer withdrew in this hook (read before the engine drops them). */
  readonly #withdrawn = new Map<string, string>();
  /** Users published for the relation being broken (read before the engine removes the secrets). */
  #brokenUsers: { requestId?: string; commonName: string }[] = [];
  #trusted: TrustedClientCertificate[] | undefined;
  readonly #retain: (relation: RelationRef) => boolean;

  constructor(charm: Charm, endpoint: string = DEFAULT_ENDPOINT, options: EtcdClientProviderOptions = {}) {
    this.charm = charm;
    this.endpoint = endpoint;
    const filter = { endpoint };
    this.#retain = (relation) =>
      this.engine.isDeparting(relation) || (options.retainSecretsOnBroken?.(relation) ?? false);
    // Before the engine: what must be read while it still exists.
    charm.on("relationChanged", (e) => this.#beforeChanged(e.context.relation!), filter);
    charm.on("relationBroken", (e) => this.#beforeBroken(e.context.relation!), filter);
    this.engine = new DataProvider(charm, endpoint, ETCD_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.retainSecretsOnBroken ? { retainSecretsOnBroken: options.retainSecretsOnBroken } : {}),
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      validateRequest: requestValidator(requirerAppV0, requestObject),
    });
    const engine = this.engine;
    engine.events.on("requested", (e) => this.#onRequested(e.request));
    engine.events.on("entityRequested", (e) => this.#onRequested(e.request));
    engine.events.on("mtlsCertUpdated", (e) => this.#onCertUpdated(e));
    engine.events.on("requestRemoved", (e) => this.#onRequestRemoved(e));
    engine.events.on("requestInvalid", (e) => emitOrBlock(this.events, "requestInvalid", e, charm.model));
    // After the engine: the trust store and teardown events.
    charm.on("relationJoined", (e) => this.#refresh("relation-joined", e.context.relation!), filter);
    charm.on(
      "relationChanged",
      async (e) => {
        this.#newThisHook.clear();
        // App-bag changes carry certificates; unit-bag changes (requirer snapshots) never do (I-4).
        if (e.context.remoteUnit === undefined) await this.#refresh("relation-changed", e.context.relation!);
      },
      filter,
    );
    charm.on(
      "relationBroken",
      (e) => this.#afterBroken(e.context.relation!, e.context.remoteApp ?? null),
      filter,
    );
    charm.on("secretChanged", (e) => this.#afterSecretChanged(e.context.secretLabel));
  }

  on<K extends keyof EtcdClientProviderEvents>(
    name: K,
    handler: Handler<EtcdClientProviderEvents[K]>,
  ): () => void {
    return this.events.on(name, handler);
  }

  get #model() {
    return this.charm.model;
  }

  // ------------------------------------------------------------------------------------------
  // Events

  #onRequested(request: ProviderRequest): void {
    this.#newThisHook.set(key(request.relation, request.requestId), request);
  }

  async #onCertUpdated(e: {
    readonly relation: RelationRef;
    readonly requestId?: string;
    readonly oldCert?: string;
    readonly cert: string;
  }): Promise<void> {
    const ref = this.#refOf(e.relation, e.requestId);
    const leader = this.#model.isLeader();
    const source = this.#model.context.kind === "secret-changed" ? "secret-changed" : "relation-changed";
    const published = leader ? this.#publishedUsername(e.relation, e.requestId) : undefined;
    let cert: ClientCertificate;
    try {
      cert = parseClientCertificate(e.cert, { field: `${e.relation.endpoint}:${e.relation.id} mtls-cert` });
    } catch (error) {
      if (!(error instanceof ClientCertificateError)) throw error;
      const payload: ClientCertificateRejectedEvent = {
        ...ref,
        error,
        ...(published !== undefined ? { previousCommonName: published } : {}),
      };
      if (this.events.listenerCount("clientCertificateRejected")) {
        await this.events.emit("clientCertificateRejected", payload);
      } else {
        this.#model.log("WARNING", `rejected client certificate: ${error.message}`);
      }
      return;
    }
    const info = certificateInfo(e.cert, cert);
    const isNew = this.#newThisHook.has(key(e.relation, e.requestId));
    if (leader && (isNew || published === undefined)) {
      // No user for this client yet: whatever the history, this is the request to create one.
      await this.events.emit("clientRequested", { ...ref, ...info });
      return;
    }
    const oldCommonName = published ?? (e.oldCert !== undefined ? safeCommonName(e.oldCert) : undefined);
    await this.events.emit("clientCertificateChanged", {
      ...ref,
      ...info,
      ...(oldCommonName !== undefined ? { oldCommonName } : {}),
      ...(e.oldCert !== undefined ? { oldCertificate: e.oldCert } : {}),
      commonNameChanged: oldCommonName !== undefined && oldCommonName !== info.commonName,
      source,
    });
  }

  /** Leader, v1: note the users of requests the requirer withdrew before the engine drops their secrets. */
  #beforeChanged(relation: RelationRef): void {
    this.#withdrawn.clear();
    this.#trusted = undefined;
    if (!this.#model.isLeader()) return;
    const rel = this.#model.relation(relation);
    const requirerBag = rel.remoteAppData();
    if (requirerBag.version !== "v1") return;
    const responses = parseObjects(rel.localApp.get("requests"));
    if (responses.length === 0) return;
    const wanted = new Set(parseObjects(requirerBag.requests).map((o) => o["request-id"]));
    for (const r of responses) {
      const id = r["request-id"];
      const uri = r["secret-user"];
      if (typeof id !== "string" || wanted.has(id) || typeof uri !== "string") continue;
      const username = this.#model.secrets.readOwned(uri)?.username;
      if (username) this.#withdrawn.set(key(relation, id), username);
    }
  }

  async #onRequestRemoved(e: { relation: RelationRef; requestId: string; resource: string }): Promise<void> {
    const commonName = this.#withdrawn.get(key(e.relation, e.requestId));
    if (commonName === undefined) return; // never answered: no user to delete
    await this.events.emit("clientRemoved", {
      relation: e.relation,
      remoteApp: this.#model.relation(e.relation).remoteApp,
      requestId: e.requestId,
      prefix: e.resource,
      commonName,
      reason: "request-removed",
    });
  }

  /** Leader: the usernames published on a relation that is breaking, found by owner label. */
  #beforeBroken(relation: RelationRef): void {
    this.#brokenUsers = [];
    if (!this.#model.isLeader() || this.events.listenerCount("clientRemoved") === 0) return;
    if (this.#retain(relation)) return; // the relation lives on: its users stay
    // Through the model's per-hook caches (the engine's cleanup scans the same list): a secret that is
    // gone is skipped, any other failure fails the hook so Juju retries it with nothing lost.
    for (const xid of this.#model.secrets.ownedIds()) {
      const label = this.#model.secrets.infoById(xid)?.label;
      const parsed = label ? parseSecretLabel(label) : undefined;
      if (
        parsed?.group !== "user" ||
        parsed.endpoint !== relation.endpoint ||
        parsed.relationId !== relation.id
      ) {
        continue;
      }
      const username = this.#model.secrets.readOwned(xid)?.username;
      if (username) {
        this.#brokenUsers.push({
          ...(parsed.requestId ? { requestId: parsed.requestId } : {}),
          commonName: username,
        });
      }
    }
  }

  async #afterBroken(relation: RelationRef, remoteApp: string | null): Promise<void> {
    for (const u of this.#brokenUsers) {
      await this.events.emit("clientRemoved", { relation, remoteApp, ...u, reason: "relation-broken" });
    }
    this.#brokenUsers = [];
    // The engine cleared its marker after its own `gone`; it still answers for this hook.
    const departing = this.engine.isDeparting(relation);
    await this.events.emit("gone", { relation, remoteApp, departing });
    await this.#refresh("relation-broken", relation);
  }

  async #afterSecretChanged(label: string | undefined): Promise<void> {
    const parsed = label ? parseSecretLabel(label) : undefined;
    if (parsed?.group !== "mtls" || parsed.endpoint !== this.endpoint) return;
    this.#trusted = undefined; // the refreshed content is what counts now
    await this.#refresh("secret-changed", { endpoint: this.endpoint, id: parsed.relationId });
  }

  async #refresh(reason: TrustStoreRefreshEvent["reason"], relation: RelationRef): Promise<void> {
    if (this.events.listenerCount("trustStoreRefresh") === 0) return;
    await this.events.emit("trustStoreRefresh", {
      reason,
      relation,
      certificates: () => {
        this.#trusted ??= this.trustedCertificates();
        return this.#trusted;
      },
    });
  }

  // ------------------------------------------------------------------------------------------
  // Reading (any unit)

  /** Every client on every relation with its certificate (or its certificate problem). */
  clients(): EtcdClient[] {
    const certs = this.engine.clientCertificates();
    return this.engine.requests().map((request) => {
      const ref = refOfRequest(request);
      const found = certs.find(
        (c) => c.relation.id === request.relation.id && c.requestId === request.requestId,
      );
      if (!found) return ref;
      try {
        const cert = parseClientCertificate(found.cert, {
          field: `${request.relation.endpoint}:${request.relation.id} mtls-cert`,
        });
        return { ...ref, certificate: certificateInfo(found.cert, cert) };
      } catch (error) {
        if (error instanceof ClientCertificateError) return { ...ref, error };
        throw error;
      }
    });
  }

  /** The leaf certificates to trust (valid ones only), for the etcd client trust store. */
  trustedCertificates(): TrustedClientCertificate[] {
    const out: TrustedClientCertificate[] = [];
    for (const c of this.clients()) {
      if (!c.certificate) continue;
      out.push({
        relation: c.relation,
        ...(c.requestId ? { requestId: c.requestId } : {}),
        prefix: c.prefix,
        commonName: c.certificate.commonName,
        leaf: c.certificate.leaf,
        fingerprint256: c.certificate.fingerprint256,
      });
    }
    return out;
  }

  /** Leader: clients that already got an answer, with the username published to them. */
  servedClients(): (EtcdClientRef & { readonly username: string })[] {
    this.#model.requireLeader("list served etcd clients");
    const out: (EtcdClientRef & { username: string })[] = [];
    for (const request of this.engine.requests()) {
      const username = this.#publishedUsername(request.relation, request.requestId);
      if (username !== undefined) out.push({ ...refOfRequest(request), username });
    }
    return out;
  }

  /** Leader: the username published to a client, if any (secret first, then the plain-text fallback). */
  #publishedUsername(relation: RelationRef, requestId: string | undefined): string | undefined {
    const own = this.#model.relation(relation).localApp;
    let uri: string | undefined;
    if (requestId === undefined) {
      uri = own.get("secret-user");
      if (uri === undefined) return own.get("username");
    } else {
      const response = parseObjects(own.get("requests")).find((r) => r["request-id"] === requestId);
      uri = typeof response?.["secret-user"] === "string" ? response["secret-user"] : undefined;
    }
    return uri === undefined ? undefined : this.#model.secrets.readOwned(uri)?.username;
  }

  #refOf(relation: RelationRef, requestId: string | undefined): EtcdClientRef {
    const fresh = this.#newThisHook.get(key(relation, requestId));
    if (fresh) return refOfRequest(fresh);
    const rel = this.#model.relation(relation);
    const bag = rel.remoteAppData();
    const v1 = bag.version === "v1";
    let prefix = "";
    if (!v1) prefix = bag[ETCD_CLIENT.resourceKey] ?? "";
    else {
      const obj = parseObjects(bag.requests).find((o) => o["request-id"] === requestId);
      prefix = typeof obj?.resource === "string" ? obj.resource : "";
    }
    return {
      relation,
      remoteApp: rel.remoteApp,
      contract: v1 ? "v1" : "v0",
      ...(requestId ? { requestId } : {}),
      prefix,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Answering (leader)

  /**
   * Answer a client: endpoints and version in the databag, username and uris in the user secret,
   * the CA in the TLS secret (`tls: "True"` too in v0, as charmed-etcd's v0 library writes). Safe to
   * call from any hook; unchanged values cost no write and no secret revision.
   */
  publishClient(
    client: { readonly relation: RelationRef; readonly requestId?: string },
    response: EtcdClientResponse,
  ): void {
    const endpoints = checkEndpoints(response.endpoints);
    const uris = checkUris(response.uris ?? endpoints.map((ep) => `https://${ep}`));
    if (typeof response.username !== "string" || response.username === "") {
      throw new EtcdResponseError("username", "must be a non-empty string");
    }
    if (typeof response.version !== "string" || response.version === "") {
      throw new EtcdResponseError("version", "must be a non-empty string");
    }
    checkCa(response.tlsCa);
    const v0 = this.#model.relation(client.relation).remoteAppData().version !== "v1";
    this.engine.publish(
      client.relation,
      {
        endpoints: formatCommaList(endpoints),
        version: response.version,
        username: response.username,
        uris: formatCommaList(uris),
        ...(response.emptyPassword ? { password: "" } : {}),
        "tls-ca": response.tlsCa,
        ...(v0 ? { tls: "True" } : {}),
      },
      client.requestId ? { requestId: client.requestId } : {},
    );
  }

  /**
   * Topology changed: new endpoints (and uris, and optionally the version) for every client that already
   * has an answer. Clients not answered yet are left alone (their user does not exist yet).
   */
  publishEndpoints(update: {
    readonly endpoints: readonly string[];
    readonly uris?: readonly string[];
    readonly version?: string;
  }): void {
    const endpoints = checkEndpoints(update.endpoints);
    const uris = checkUris(update.uris ?? endpoints.map((ep) => `https://${ep}`));
    if (update.version !== undefined && update.version === "")
      throw new EtcdResponseError("version", "must not be empty");
    for (const client of this.servedClients()) {
      this.engine.publish(
        client.relation,
        {
          endpoints: formatCommaList(endpoints),
          uris: formatCommaList(uris),
          ...(update.version !== undefined ? { version: update.version } : {}),
        },
        client.requestId ? { requestId: client.requestId } : {},
      );
    }
  }

  /** The server CA rotated: new `tls-ca` for every client that already has an answer. */
  publishTlsCa(tlsCa: string): void {
    checkCa(tlsCa);
    for (const client of this.servedClients()) {
      this.engine.publish(
        client.relation,
        { "tls-ca": tlsCa, ...(client.contract === "v0" ? { tls: "True" } : {}) },
        client.requestId ? { requestId: client.requestId } : {},
      );
    }
  }

  /** Relation status codes (leader), e.g. charmed-etcd's "username already exists". */
  raiseStatus(relation: RelationRef, status: RelationStatus): void {
    this.engine.raiseStatus(relation, status);
  }

  resolveStatus(relation: RelationRef, code: number): void {
    this.engine.resolveStatus(relation, code);
  }

  clearStatuses(relation: RelationRef): void {
    this.engine.clearStatuses(relation);
  }
}

function refOfRequest(request: ProviderRequest): EtcdClientRef {
  return {
    relation: request.relation,
    remoteApp: request.remoteApp,
    contract: request.contract,
    ...(request.requestId ? { requestId: request.requestId } : {}),
    prefix: request.resource,
  };
}

function certificateInfo(pem: string, cert: ClientCertificate): ClientCertificateInfo {
  return {
    commonName: cert.commonName,
    certificate: pem,
    leaf: cert.leaf,
    chain: cert.chain,
    fingerprint256: cert.fingerprint256,
  };
}

function safeCommonName(pem: string): string | undefined {
  try {
    return parseClientCertificate(pem).commonName;
  } catch {
    return undefined;
  }
}

function checkEndpoints(endpoints: readonly string[]): string[] {
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new EtcdResponseError("endpoints", "expected at least one host:port");
  }
  return endpoints.map((ep, i) => {
    const normalised = typeof ep === "string" ? normaliseEndpoint(ep) : undefined;
    if (normalised === undefined || normalised !== ep) {
      throw new EtcdResponseError(
        `endpoints[${i}]`,
        "expected host:port without a scheme (uris carry the https:// URLs)",
      );
    }
    return normalised;
  });
}

function checkUris(uris: readonly string[]): string[] {
  if (!Array.isArray(uris) || uris.length === 0)
    throw new EtcdResponseError("uris", "expected at least one URL");
  uris.forEach((u, i) => {
    if (typeof u !== "string" || !isClientUri(u) || u.includes(",")) {
      throw new EtcdResponseError(`uris[${i}]`, "expected an https://host:port URL");
    }
  });
  return [...uris];
}

function checkCa(ca: string): void {
  if (typeof ca !== "string" || pemBlocks(ca).length === 0) {
    throw new EtcdResponseError("tlsCa", "expected a PEM certificate");
  }
}
