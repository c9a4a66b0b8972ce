/**
 * `ConnectRequirer`: the Kafka Connect integrator side of `connect_client`. It sends the plugin URL
 * (or `NOT-REQUIRED`) with the secret lists in relation-created, and turns the provider's answer into
 * typed events carrying the REST endpoints, the basic-auth credentials and the TLS CA. All protocol
 * work (same-hook rule, snapshots, secrets, rotation) is the core `DataRequirer`'s.
 */

import {
  type Charm,
  type Contract,
  DataRequirer,
  Emitter,
  emitOrBlock,
  forwardEvents,
  groupOf,
  type Handler,
  ProtocolEncodeError,
  type RelationGoneEvent,
  type RelationInvalidEvent,
  type RelationRef,
  type RelationStatusEvent,
  type RemoteDataError,
  type RemoteLimits,
  type ResolvedResponse,
} from "@charm-relations/juju-secrets-core";
import { bagError, parseBag } from "@charm-relations/juju-secrets-core/schema";
import {
  CONNECT_CLIENT,
  connectResponse,
  DEFAULT_CONNECT_ENDPOINT,
  NOT_REQUIRED,
  pluginUrlProblem,
  providerAppBag,
} from "./schema.js";

/** Everything an integrator needs to drive Kafka Connect's REST API for one relation. */
export interface ConnectIntegration {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** The plugin URL this integrator asked for; `null` for `NOT-REQUIRED`. */
  readonly pluginUrl: string | null;
  /** REST URLs with scheme, one per worker (`https://…` while TLS is on). */
  readonly endpoints: readonly string[];
  /** Basic-auth user, `relation-<id>` with kafka-connect-operator. */
  readonly username: string;
  readonly password: string;
  /** The provider's `tls` (`enabled`/`disabled` on the wire). */
  readonly tls: boolean;
  /** PEM of the workers' CA while TLS is on; `null` when off (the wire says `disabled`) or not published. */
  readonly tlsCa: string | null;
}

export interface ConnectIntegrationEvent {
  readonly integration: ConnectIntegration;
}

export interface ConnectRequirerEvents {
  /**
   * The provider installed the plugin and published credentials and endpoints (fires once per
   * relation, on every unit): start the connector now.
   */
  integrationCreated: ConnectIntegrationEvent;
  /** The REST endpoints changed after created (workers scaled, TLS switched on or off). */
  endpointsChanged: ConnectIntegrationEvent;
  /**
   * A secret got new content or a new URI after created: `user` (password rotation) and/or `tls` (TLS
   * switched, CA changed). Python's `KafkaConnectRequires` stays silent here (I-1).
   */
  credentialsRotated: ConnectIntegrationEvent & { readonly groups: readonly string[] };
  statusRaised: RelationStatusEvent;
  statusResolved: RelationStatusEvent;
  /**
   * relation-broken (every unit): stop the connector; the provider deletes the user and the plugin.
   * `departing`: only this unit leaves, the relation lives on for the others.
   */
  gone: RelationGoneEvent;
  /** The provider's data could not be understood; nothing was recorded for it. Without a listener: blocked status. */
  invalid: RelationInvalidEvent;
}

export interface ConnectRequirerOptions {
  /**
   * The http(s) URL serving the connector plugin as one tarball, reachable from every Kafka Connect
   * worker, or `NOT_REQUIRED` (`"NOT-REQUIRED"`) for integrators that need no plugin (MirrorMaker).
   * It is sent once per relation: kafka-connect-operator only reacts when it is first added.
   */
  readonly pluginUrl: string;
  /** `v0` (default; what kafka-connect-operator serves) or `v1` (our own providers also serve it). */
  readonly contract?: Contract;
  /**
   * Limits on what the providers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** Fields whose change after created is a credentials event, not an endpoints event (plain-text mode). */
const CREDENTIAL_KEYS = new Set(["username", "password", "tls", "tls-ca"]);

export class ConnectRequirer {
  readonly events = new Emitter<ConnectRequirerEvents>();
  readonly charm: Charm;
  readonly endpoint: string;
  /** The plugin URL sent to providers; `null` for `NOT-REQUIRED`. */
  readonly pluginUrl: string | null;
  readonly #engine: DataRequirer;

  constructor(charm: Charm, endpoint: string = DEFAULT_CONNECT_ENDPOINT, options: ConnectRequirerOptions) {
    const url = options.pluginUrl;
    const problem = typeof url === "string" ? pluginUrlProblem(url) : "expected a string";
    // A bad URL would reach the provider, which cannot download it and never answers: fail here.
    if (problem) throw new ProtocolEncodeError("pluginUrl", problem);
    this.charm = charm;
    this.endpoint = endpoint;
    this.pluginUrl = url === NOT_REQUIRED ? null : url;
    this.#engine = new DataRequirer(charm, endpoint, CONNECT_CLIENT, {
      ...(options.limits ? { limits: options.limits } : {}),
      contract: options.contract ?? "v0",
      requests: [{ resource: url }],
      validateBag: (bag, relation) =>
        bagError(providerAppBag, bag, { relation, side: "provider", bag: "app" }),
      validateResponse: (response) => {
        // Before the answer is complete only what is there is checked; once ready, everything. Half a
        // credential (a user secret without its password) is an error, not "not ready yet": the snapshot
        // must not move past it, or the fixed secret would arrive as a rotation instead of created.
        const f = response.fields;
        const halfCredential = f.username !== undefined || f.password !== undefined;
        const schema = response.ready
          ? connectResponse
          : halfCredential
            ? connectResponse.partial().required({ username: true, password: true })
            : connectResponse.partial();
        return bagError(schema, response.fields, {
          relation: response.relation,
          side: "provider",
          bag: "app",
        });
      },
    });
    const engine = this.#engine;
    engine.events.on("created", async ({ response }) => {
      const integration = await this.#integration(response);
      if (integration) await this.events.emit("integrationCreated", { integration });
    });
    engine.events.on("changed", async ({ response, keys }) => {
      const endpoints = keys.includes("endpoints");
      const groups = [...new Set(keys.filter((k) => CREDENTIAL_KEYS.has(k)).map((k) => groupOf(k)))];
      if (!endpoints && groups.length === 0) return;
      const integration = await this.#integration(response);
      if (!integration) return;
      if (endpoints) await this.events.emit("endpointsChanged", { integration });
      if (groups.length) await this.events.emit("credentialsRotated", { integration, groups });
    });
    engine.events.on("credentialsRotated", async ({ response, groups }) => {
      const integration = await this.#integration(response);
      if (integration) await this.events.emit("credentialsRotated", { integration, groups });
    });
    forwardEvents(engine.events, this.events, ["statusRaised", "statusResolved", "gone"]);
    engine.events.on("invalid", ({ relation, error }) => this.#invalid(relation, error));
  }

  /** Typed `on`: `requirer.on("integrationCreated", ({ integration }) => …)`. */
  on<K extends keyof ConnectRequirerEvents>(name: K, handler: Handler<ConnectRequirerEvents[K]>): () => void {
    return this.events.on(name, handler);
  }

  get contract(): Contract {
    return this.#engine.contract;
  }

  /**
   * Every relation whose answer is complete and valid (any unit; secrets read once per hook). Use it
   * from update-status or config-changed; the events cover the moments things change.
   */
  integrations(): ConnectIntegration[] {
    return this.#engine.responses().flatMap((r) => {
      if (!r.ready) return [];
      const parsed = toIntegration(r, this.pluginUrl);
      return parsed.ok ? [parsed.value] : [];
    });
  }

  /** The integration of one relation (default: the only one), if answered. */
  integration(relationId?: number): ConnectIntegration | undefined {
    const all = this.integrations();
    return relationId === undefined ? all[0] : all.find((i) => i.relation.id === relationId);
  }

  /** True when every relation of the endpoint has a complete answer. */
  isReady(): boolean {
    const relations = this.charm.model.relations(this.endpoint);
    if (relations.length === 0) return false;
    const ready = new Set(this.integrations().map((i) => i.relation.id));
    return relations.every((r) => ready.has(r.id));
  }

  /**
   * The connector name kafka-connect-operator expects (its cleanup regex `.+?r<id>_<32 hex>$`):
   * `<integratorName>_r<relation-id>_<model-uuid without dashes>`.
   */
  connectorName(relation: RelationRef | number, integratorName: string): string {
    const relationId = typeof relation === "number" ? relation : relation.id;
    return connectorName({ integratorName, relationId, modelUuid: this.charm.model.modelUuid });
  }

  /** Write the request where it is missing (leader; e.g. after a leader change). */
  ensureRequests(): void {
    this.#engine.ensureRequests();
  }

  async #integration(response: ResolvedResponse): Promise<ConnectIntegration | undefined> {
    const parsed = toIntegration(response, this.pluginUrl);
    if (parsed.ok) return parsed.value;
    await this.#invalid(response.relation, parsed.error);
    return undefined;
  }

  async #invalid(relation: RelationRef, error: RemoteDataError): Promise<void> {
    await emitOrBlock(this.events, "invalid", { relation, error }, this.charm.model);
  }
}

type IntegrationResult = { ok: true; value: ConnectIntegration } | { ok: false; error: RemoteDataError };

/** A resolved engine response → the typed integration, validated with the zod schema. */
function toIntegration(response: ResolvedResponse, pluginUrl: string | null): IntegrationResult {
  const parsed = parseBag(connectResponse, response.fields, {
    relation: response.relation,
    side: "provider",
    bag: "app",
  });
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  const tls = v.tls ?? false;
  return {
    ok: true,
    value: {
      relation: response.relation,
      remoteApp: response.remoteApp,
      contract: response.contract,
      ...(response.requestId ? { requestId: response.requestId } : {}),
      pluginUrl,
      endpoints: v.endpoints,
      username: v.username,
      password: v.password,
      tls,
      // A CA only means something while TLS is on; `disabled` already reads as null.
      tlsCa: tls ? (v["tls-ca"] ?? null) : null,
    },
  };
}

/**
 * `<integratorName>_r<relationId>_<modelUuid without dashes>`: the name kafkacl integrators give their
 * connector, which kafka-connect-operator matches to delete it when the relation goes.
 */
export function connectorName(parts: {
  integratorName: string;
  relationId: number;
  modelUuid: string;
}): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(parts.integratorName)) {
    throw new ProtocolEncodeError("integratorName", "use letters, digits, '_', '.' or '-' only");
  }
  return `${parts.integratorName}_r${parts.relationId}_${parts.modelUuid.replace(/-/g, "")}`;
}
