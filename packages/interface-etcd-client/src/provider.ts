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
  type RelationRef,
} from "@charm-relations/juju-secrets-core";
import {
  InterfaceProvider,
  type MtlsCertEvent,
  type ProviderEvents,
  type ProviderOptions,
  type ProviderRequest,
} from "@charm-relations/juju-secrets-core/interface";
import { formatCommaList, parseSecretLabel, pemBlocks } from "@charm-relations/juju-secrets-core/protocol";
import { type ClientCertificate, ClientCertificateError, parseClientCertificate } from "./certificate.js";
import { etcdClient } from "./definition.js";
import { isClientUri, normaliseEndpoint } from "./schema.js";

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

/** The client events etcd_client adds to the protocol's (`requested`, `invalid`, `gone`, …). */
export interface EtcdClientEvents {
  clientRequested: ClientRequestedEvent;
  clientCertificateChanged: ClientCertificateChangedEvent;
  clientCertificateRejected: ClientCertificateRejectedEvent;
  clientRemoved: ClientRemovedEvent;
  trustStoreRefresh: TrustStoreRefreshEvent;
}

export type EtcdClientProviderEvents = ProviderEvents<typeof etcdClient, EtcdClientRef> & EtcdClientEvents;

/** What a client gets back (`publish`); `publishAll` takes the shared part (endpoints, uris, version, CA). */
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

/** The shared part of an answer: topology and CA changes go to every served client. */
export type EtcdClientUpdate = Partial<Pick<EtcdClientResponse, "endpoints" | "uris" | "version" | "tlsCa">>;

export class EtcdClientProvider extends InterfaceProvider<
  typeof etcdClient,
  EtcdClientRef,
  EtcdClientResponse,
  EtcdClientEvents
> {
  /** Users published on the relation being broken (read before the engine removes the secrets). */
  #brokenUsers: { requestId?: string; commonName: string }[] = [];
  #trusted: TrustedClientCertificate[] | undefined;

  constructor(charm: Charm, options: ProviderOptions = {}) {
    super(charm, etcdClient, options, refOfRequest);
    const filter = { endpoint: this.endpoint };
    this.on("mtlsCertUpdated", (e) => this.#onCertUpdated(e));
    this.on("requestRemoved", async ({ relation, remoteApp, request, published }) => {
      if (!published.username) return; // never answered: no user to delete
      await this.events.emit("clientRemoved", {
        relation,
        remoteApp,
        ...(request.requestId ? { requestId: request.requestId } : {}),
        prefix: request.prefix,
        commonName: published.username,
        reason: "request-removed",
      });
    });
    this.on("gone", (e) => this.#afterBroken(e.relation, e.remoteApp));
    charm.on("relationJoined", (e) => this.#refresh("relation-joined", e.relation.ref), filter);
    charm.on(
      "relationChanged",
      async (e) => {
        this.#trusted = undefined;
        // App-bag changes carry certificates; unit-bag changes (requirer snapshots) never do (I-4).
        if (e.remoteUnit === undefined) await this.#refresh("relation-changed", e.relation.ref);
      },
      filter,
    );
    charm.on("secretChanged", (e) => this.#afterSecretChanged(e.secretLabel));
  }

  // ------------------------------------------------------------------------------------------
  // Events

  async #onCertUpdated(e: MtlsCertEvent): Promise<void> {
    const ref = this.request(e.relation, e.requestId) ?? this.#refOf(e.relation, e.requestId);
    const model = this.charm.model;
    const leader = model.isLeader();
    const source = model.context.kind === "secret-changed" ? "secret-changed" : "relation-changed";
    const published = leader ? this.#publishedUsername(ref) : undefined;
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
        model.log("WARNING", `rejected client certificate: ${error.message}`);
      }
      return;
    }
    const info = certificateInfo(e.cert, cert);
    if (leader && (e.fresh || published === undefined)) {
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

  /** Leader: the usernames published on a relation that is breaking, found by owner label. */
  protected override beforeBroken(relation: RelationRef, kept: boolean): void {
    this.#brokenUsers = [];
    const model = this.charm.model;
    if (kept || !model.isLeader() || this.events.listenerCount("clientRemoved") === 0) return;
    // Through the model's per-hook caches (the engine's cleanup scans the same list): a secret that is
    // gone is skipped, any other failure fails the hook so Juju retries it with nothing lost.
    for (const xid of model.secrets.ownedIds()) {
      // Remembered owner labels: no secret-info-get per secret the app owns.
      const label = model.secrets.labelOf(xid);
      const parsed = label ? parseSecretLabel(label) : undefined;
      if (
        parsed?.group !== "user" ||
        parsed.endpoint !== relation.endpoint ||
        parsed.relationId !== relation.id
      ) {
        continue;
      }
      const username = model.secrets.readOwned(xid)?.username;
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

  /** Every client with its certificate (or its certificate problem); of one relation when given. */
  clients(relation?: RelationRef | number): EtcdClient[] {
    const certs = this.clientCertificates(relation);
    return this.requests(relation).map((ref) => {
      const found = certs.find((c) => c.relation.id === ref.relation.id && c.requestId === ref.requestId);
      if (!found) return ref;
      try {
        const cert = parseClientCertificate(found.cert, {
          field: `${ref.relation.endpoint}:${ref.relation.id} mtls-cert`,
        });
        return { ...ref, certificate: certificateInfo(found.cert, cert) };
      } catch (error) {
        if (error instanceof ClientCertificateError) return { ...ref, error };
        throw error;
      }
    });
  }

  /**
   * The leaf certificates to trust (valid ones only), for the etcd client trust store; of one relation
   * when given (a trust store kept per relation needs no `relation-ids` in that relation's hooks).
   */
  trustedCertificates(relation?: RelationRef | number): TrustedClientCertificate[] {
    const out: TrustedClientCertificate[] = [];
    for (const c of this.clients(relation)) {
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
    this.charm.model.requireLeader("list served etcd clients");
    const out: (EtcdClientRef & { username: string })[] = [];
    for (const ref of this.requests()) {
      const username = this.#publishedUsername(ref);
      if (username !== undefined) out.push({ ...ref, username });
    }
    return out;
  }

  /** Leader: the username published to a client, if any (secret first, then the plain-text fallback). */
  #publishedUsername(client: { relation: RelationRef; requestId?: string }): string | undefined {
    return this.published(client).username;
  }

  /** A client that is no longer among the requests (its certificate still changed): from the event alone. */
  #refOf(relation: RelationRef, requestId: string | undefined): EtcdClientRef {
    return {
      relation,
      remoteApp: this.charm.model.relation(relation).remoteApp,
      contract: requestId ? "v1" : "v0",
      ...(requestId ? { requestId } : {}),
      prefix: "",
    };
  }

  // ------------------------------------------------------------------------------------------
  // Answering (leader)

  /**
   * Answer a client: endpoints and version in the databag, username and uris in the user secret,
   * the CA in the TLS secret (`tls: "True"` too in v0, as charmed-etcd's v0 library writes). Safe to
   * call from any hook; unchanged values cost no write and no secret revision.
   */
  protected fieldsOf(
    response: EtcdClientResponse,
    client: EtcdClientRef | undefined,
  ): Record<string, string> {
    if (typeof response.username !== "string" || response.username === "") {
      throw new EtcdResponseError("username", "must be a non-empty string");
    }
    if (typeof response.version !== "string" || response.version === "") {
      throw new EtcdResponseError("version", "must be a non-empty string");
    }
    return {
      ...sharedFields(response),
      username: response.username,
      ...(response.emptyPassword ? { password: "" } : {}),
      ...(client?.contract === "v0" ? { tls: "True" } : {}),
    };
  }

  /**
   * Topology or CA changed: new endpoints (and uris, and the version) and/or the CA, for every client
   * that already has an answer. Clients not answered yet are left alone (their user does not exist yet).
   */
  override publishAll(update: EtcdClientUpdate): void {
    const fields = sharedFields(update);
    for (const client of this.servedClients()) {
      const tls = fields["tls-ca"] !== undefined && client.contract === "v0" ? { tls: "True" } : {};
      this.publishFields(client, { ...fields, ...tls });
    }
  }
}

/** Validated shared fields: endpoints (no scheme), uris (default `https://<endpoint>`), version, CA. */
function sharedFields(update: EtcdClientUpdate): Record<string, string> {
  const out: Record<string, string> = {};
  if (update.endpoints !== undefined) {
    const endpoints = checkEndpoints(update.endpoints);
    out.endpoints = formatCommaList(endpoints);
    out.uris = formatCommaList(checkUris(update.uris ?? endpoints.map((ep) => `https://${ep}`)));
  } else if (update.uris !== undefined) out.uris = formatCommaList(checkUris(update.uris));
  if (update.version !== undefined) {
    if (update.version === "") throw new EtcdResponseError("version", "must not be empty");
    out.version = update.version;
  }
  if (update.tlsCa !== undefined) {
    checkCa(update.tlsCa);
    out["tls-ca"] = update.tlsCa;
  }
  return out;
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
