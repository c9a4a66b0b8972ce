/**
 * `ConnectProvider`: the Kafka Connect side of `connect_client`. It tells the charm which plugin to
 * install for which relation (and which user to create), publishes REST endpoints, credentials and
 * TLS in kafka-connect-operator's spelling once the charm says the plugin is in place, and tells it
 * what to clean up when a relation goes. The engine does the protocol.
 *
 *   const connect = new ConnectProvider(charm);
 *   connect.on("integrationRequested", ({ request }) => …install…, connect.publish(request, { … }));
 */

import type { Charm, Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import { ProtocolEncodeError } from "@charm-relations/juju-secrets-core";
import {
  InterfaceProvider,
  type ProviderEvents,
  type ProviderOptions,
  type ProviderRequest,
  type RelationEventBase,
  refuseSharedCredentials,
} from "@charm-relations/juju-secrets-core/interface";
import { formatBool, formatCommaList, pemBlocks } from "@charm-relations/juju-secrets-core/protocol";
import { connectClient } from "./definition.js";
import { connectUsername, NOT_REQUIRED, restEndpointProblem } from "./schema.js";

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

/** What to clean up when an integration goes. */
export interface ConnectIntegrationRemoved extends RelationEventBase {
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

/** The events connect_client adds to the protocol's. */
interface ConnectEvents {
  /** relation-broken (every unit) or a withdrawn v1 request (leader): delete the user, the plugin files, connectors. */
  integrationRemoved: ConnectIntegrationRemoved;
}

/** `integrationRequested`, `requestRemoved`, `invalid`, `gone`, and `integrationRemoved` (what to clean up). */
export type ConnectProviderEvents = ProviderEvents<typeof connectClient, ConnectIntegrationRequest> &
  ConnectEvents;

/** `relation-<id>` matches `relation-<id>`, `relation-<id>-…` and `relation-<id>.…` but never `relation-<id>0`. */
export function isOfRelation(name: string, relationId: number): boolean {
  const base = connectUsername(relationId);
  return name === base || name.startsWith(`${base}-`) || name.startsWith(`${base}.`);
}

function toRequest(r: ProviderRequest): ConnectIntegrationRequest {
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

export class ConnectProvider extends InterfaceProvider<
  typeof connectClient,
  ConnectIntegrationRequest,
  ConnectResponseInput,
  ConnectEvents
> {
  constructor(charm: Charm, options: ProviderOptions = {}) {
    super(charm, connectClient, options, toRequest);
    this.on("integrationEntityRequested", (e) => {
      // connect_client has no entities; a requirer that sends entity-type still gets its plugin user.
      charm.model.log(
        "WARNING",
        `${e.relation.endpoint}:${e.relation.id}: entity-type is not part of connect_client; ignored`,
      );
      return this.events.emit("integrationRequested", e);
    });
    this.on("requestRemoved", ({ relation, remoteApp, request }) =>
      this.events.emit("integrationRemoved", {
        relation,
        remoteApp,
        ...(request.requestId ? { requestId: request.requestId } : {}),
        username: request.username,
        pluginPrefix: request.pluginPrefix,
        unitDeparting: false,
      }),
    );
    this.on("gone", ({ relation, remoteApp, departing }) =>
      this.events.emit("integrationRemoved", {
        relation,
        remoteApp,
        username: connectUsername(relation.id),
        pluginPrefix: connectUsername(relation.id),
        unitDeparting: departing,
      }),
    );
  }

  /**
   * Refresh endpoints and/or TLS on every answered request (leader). Pending requests are left to
   * their `publish`, so nobody gets endpoints before credentials.
   */
  override publishAll(update: ConnectSharedInput): ConnectIntegrationRequest[] {
    refuseSharedCredentials(update);
    const fields = toFields(update, false); // validated once, before the first write
    const answered = this.answeredRequests();
    for (const r of answered) this.publishFields(r, fields);
    return answered;
  }

  /**
   * Answer one request (leader): endpoints, credentials and TLS together (the Python requirer fires
   * `integration_created` the moment `secret-user` appears); a partial answer is for refreshes.
   */
  protected fieldsOf(answer: ConnectResponseInput): Record<string, string> {
    return toFields(answer, true);
  }
}

/** Validated input → canonical fields in kafka-connect-operator's spelling. */
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
