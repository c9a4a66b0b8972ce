/**
 * `EtcdProvider`: the etcd side of the legacy interface (layer-etcd's `EtcdProvider`). Any unit may
 * publish — there is no leadership in this protocol — and every call writes this unit's own databag
 * on **every** relation of the endpoint (reactive's GLOBAL conversation), so all consumers see
 * identical data. Writes are buffered by the model and compared before `relation-set`, so publishing
 * the same values in every hook costs no write.
 */

import type {
  Charm,
  Handler,
  Relation,
  RelationEvent,
  RelationRef,
} from "@charm-relations/juju-secrets-core";
import {
  DepartureMarker,
  Emitter,
  type RelationGoneEvent,
} from "@charm-relations/juju-secrets-core/interface";
import { checkClientCredentials } from "./credentials.js";
import { etcdLegacy } from "./definition.js";
import { EtcdInputError } from "./errors.js";
import {
  CONNECTION_STRING_PATTERN,
  ETCD_KEYS,
  ETCD_PROVIDER_KEYS,
  type EtcdClientCredentials,
  isConnectionUrl,
  parseConnectionString,
  VERSION_PATTERN,
} from "./schema.js";

export interface EtcdProviderRelationEvent {
  readonly relation: RelationRef;
  readonly remoteApp: string;
  /** The remote unit of a relation-joined / relation-changed hook. */
  readonly remoteUnit?: string;
}

export interface EtcdProviderEvents {
  /**
   * A consumer is related (relation-joined and relation-changed, like reactive's
   * `{endpoint}.connected`): publish the connection string and credentials here.
   */
  connected: EtcdProviderRelationEvent;
  /**
   * relation-broken: the consumer is gone (nothing to clean up: there are no secrets). `departing`:
   * only this unit leaves (it got relation-departed for itself); the relation lives on for the others.
   */
  gone: RelationGoneEvent;
}

export interface EtcdProviderOptions {
  /** The `provides` endpoint of the `etcd` interface (default `db`, layer-etcd's). */
  readonly endpoint?: string;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
}

export class EtcdProvider {
  readonly events = new Emitter<EtcdProviderEvents>();
  readonly endpoint: string;
  readonly #charm: Charm;

  constructor(charm: Charm, options: EtcdProviderOptions = {}) {
    const endpoint = options.endpoint ?? etcdLegacy.defaultEndpoint.provider;
    this.#charm = charm;
    this.endpoint = endpoint;
    const departure = new DepartureMarker(
      charm.model,
      options.stateDir ? { stateDir: options.stateDir } : {},
    );
    charm.on("relationDeparted", (e) => departure.departed(e.relation.ref, e.departingUnit), { endpoint });
    charm.on("relationCreated", (e) => this.#syncFromSiblings(e), { endpoint });
    charm.on(
      "relationJoined",
      async (e) => {
        this.#syncFromSiblings(e);
        await this.events.emit("connected", payload(e));
      },
      { endpoint },
    );
    charm.on("relationChanged", (e) => this.events.emit("connected", payload(e)), { endpoint });
    charm.on(
      "relationBroken",
      (e) =>
        this.events.emit("gone", {
          relation: e.relation.ref,
          remoteApp: e.remoteApp,
          departing: departure.isDeparting(e.relation.ref),
        }),
      { endpoint },
    );
  }

  on<K extends keyof EtcdProviderEvents>(name: K, handler: Handler<EtcdProviderEvents[K]>): () => void {
    return this.events.on(name, handler);
  }

  /** The live relations of the endpoint (the one being broken in this hook excluded). */
  get relations(): Relation[] {
    return this.#charm.model.relations(this.endpoint).filter((r) => r.active);
  }

  /**
   * Publish the client URLs of the etcd members and the server version on every relation.
   * A list is de-duplicated and sorted (as layer-etcd does) so all units converge on the same string;
   * a string is written as given. `version` `""` means etcd 2.x (Juju then stores no `version` key).
   */
  setConnectionString(endpoints: string | readonly string[], version = ""): void {
    const connectionString = formatConnectionString(endpoints);
    if (typeof version !== "string")
      throw new EtcdInputError("version", `expected a string, got ${typeof version}`);
    if (!VERSION_PATTERN.test(version)) {
      throw new EtcdInputError("version", "expected an etcd version such as 3.4.22, or empty for etcd 2.x");
    }
    this.#writeAll({ [ETCD_KEYS.connectionString]: connectionString, [ETCD_KEYS.version]: version });
  }

  /**
   * Publish the shared client key, certificate and CA on every relation. All three are parsed first
   * (and the key must match the certificate): on any error nothing is written. The key travels in
   * plain relation data — that is the legacy protocol; prefer `etcd_client` where consumers support it.
   */
  setClientCredentials(credentials: EtcdClientCredentials): void {
    const { key, cert, ca } = checkClientCredentials(credentials);
    this.#writeAll({ [ETCD_KEYS.clientKey]: key, [ETCD_KEYS.clientCert]: cert, [ETCD_KEYS.clientCa]: ca });
  }

  /** Remove the client credentials from every relation (TLS turned off). */
  clearClientCredentials(): void {
    this.#writeAll({ [ETCD_KEYS.clientKey]: "", [ETCD_KEYS.clientCert]: "", [ETCD_KEYS.clientCa]: "" });
  }

  /** Remove everything this unit published (the unit stops serving clients). */
  clear(): void {
    this.#writeAll(Object.fromEntries(ETCD_PROVIDER_KEYS.map((k) => [k, ""])));
  }

  #writeAll(values: Record<string, string>): void {
    for (const relation of this.relations) relation.localUnit.update(values);
  }

  /**
   * A relation created after the charm last published would stay empty until the charm publishes
   * again; since every relation carries the same data, copy it from a sibling relation at once.
   */
  #syncFromSiblings(event: RelationEvent): void {
    const target = event.relation;
    if (!target.active) return;
    const own = target.localUnit.all();
    if (ETCD_PROVIDER_KEYS.some((k) => own[k] !== undefined)) return;
    for (const sibling of [...this.relations].sort((a, b) => a.id - b.id)) {
      if (sibling.id === target.id) continue;
      const bag = sibling.localUnit.all();
      const values = Object.fromEntries(ETCD_PROVIDER_KEYS.flatMap((k) => (bag[k] ? [[k, bag[k]]] : [])));
      if (Object.keys(values).length > 0) {
        target.localUnit.update(values);
        return;
      }
    }
  }
}

/** Validate and render the `connection_string` value; errors name the item, never a credential. */
export function formatConnectionString(endpoints: string | readonly string[]): string {
  if (typeof endpoints === "string") {
    if (!CONNECTION_STRING_PATTERN.test(endpoints) || parseConnectionString(endpoints).length === 0) {
      throw new EtcdInputError(
        "connection_string",
        "expected a non-empty comma list of URLs (https://host:port,…)",
      );
    }
    return endpoints;
  }
  if (!Array.isArray(endpoints)) {
    throw new EtcdInputError("connection_string", "expected a string or an array of URLs");
  }
  const urls = new Set<string>();
  endpoints.forEach((item: unknown, i) => {
    const url = typeof item === "string" ? item.trim() : item;
    if (typeof url !== "string" || !isConnectionUrl(url)) {
      throw new EtcdInputError(`connection_string[${i}]`, "expected a URL such as https://10.5.0.11:2379");
    }
    urls.add(url);
  });
  if (urls.size === 0) throw new EtcdInputError("connection_string", "expected at least one URL");
  return [...urls].sort().join(",");
}

function payload(e: RelationEvent): EtcdProviderRelationEvent {
  return e.remoteUnit !== undefined
    ? { relation: e.relation.ref, remoteApp: e.remoteApp, remoteUnit: e.remoteUnit }
    : { relation: e.relation.ref, remoteApp: e.remoteApp };
}
