/**
 * The two contracts (v0 flat, v1 requests) as types: each side's engine holds a contract object and
 * asks it where things are on the wire; it never tests which contract it holds.
 */

import type { Model, Relation } from "../model/model.js";
import type { StringBag } from "../protocol/bag.js";
import type { SecretGroup } from "../protocol/secrets.js";
import type { RelationStatus } from "../protocol/status.js";
import type { Contract, RelationRef } from "../types.js";
import type { IssueCollector } from "./issues.js";

/** One entity permission of an entity request (protocol §4.10). */
export interface EntityPermission {
  readonly resource_name: string;
  readonly resource_type: string;
  readonly privileges: readonly string[];
}

/** What a requirer asks for (one per relation in v0, one or more in v1). */
export interface RequestSpec {
  /** Database name / prefix `xyz*`, key prefix, key pattern, plugin URL, topic … */
  readonly resource: string;
  readonly extraUserRoles?: readonly string[];
  readonly extraGroupRoles?: readonly string[];
  readonly externalNodeConnectivity?: boolean;
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  /** PEM client certificate (chain allowed) for mTLS interfaces. */
  readonly mtlsCert?: string;
  /**
   * A custom entity name (and optional password) for the provider to create, sent in the requirer-owned
   * `requested-entity-secret` (protocol §4.10); removed by the requirer leader once answered.
   */
  readonly requestedEntity?: { readonly name: string; readonly password?: string };
  /** Further option keys (e.g. `prefix-matching`, `consumer-group-prefix`), written verbatim. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The wire details of an interface the contracts need (from its definition). */
export interface WireSpec {
  readonly resourceKey: string;
  readonly v0Keys?: Readonly<Record<string, string>>;
  readonly requestExtraKeys?: readonly string[];
  readonly responseExtraKeys?: readonly string[];
  readonly trailingMtlsCert?: boolean;
  readonly mtls?: boolean;
  readonly fields?: Readonly<Record<string, SecretGroup>>;
}

/** One answer of the provider, as a flat string bag (the v0 app bag, or one v1 response object). */
export interface AnswerBag {
  /** v1 only. */
  readonly requestId: string | undefined;
  readonly bag: StringBag;
  /** Where this answer's keys live, for issue keys: `""` (v0) or `requests[<i>].` (v1). */
  readonly at: string;
}

/** A requirer unit's own snapshot of the provider's answers. */
export interface RequirerSnapshot {
  /** The answer as last seen (`{}` when never seen). */
  bagOf(requestId: string | undefined): StringBag;
  readonly statuses: readonly RelationStatus[];
}

/** What the requirer engine gives its contract: the model, the requests, and the owner-side secrets. */
export interface RequirerHost {
  readonly model: Model;
  readonly endpoint: string;
  readonly wire: WireSpec;
  /** This requirer's requests (evaluated on first use: options may be lazy). */
  specs(): readonly RequestSpec[];
  readonly requestedSecrets: readonly string[];
}

export interface RequirerContract {
  readonly version: Contract;
  /** The request is on this relation already (leader: own app bag). */
  hasRequest(rel: Relation, host: RequirerHost): boolean;
  /** The whole request in one hook (the same-hook rule, protocol §4.2). */
  writeRequest(rel: Relation, host: RequirerHost): void;
  /** The provider's answers; malformed ones are recorded in `issues`. */
  answers(providerBag: Readonly<StringBag>, issues: IssueCollector, host: RequirerHost): AnswerBag[];
  /** Our snapshot, read leniently (a broken one starts over, as Python does). */
  readSnapshot(raw: string | undefined): RequirerSnapshot;
  /** The snapshot value to store for these answers and statuses. */
  writeSnapshot(entries: readonly AnswerBag[], statuses: readonly RelationStatus[]): string;
  /** Canonical (v1) name of an answer key. */
  canonical(key: string, host: RequirerHost): string;
  /** The request an answer belongs to. */
  specOf(answer: AnswerBag, fields: Readonly<StringBag>, host: RequirerHost): RequestSpec | undefined;
  /** How many ready answers make a relation ready. */
  readyCount(host: RequirerHost): number;
  /** Rotate the client certificate on one relation (leader). */
  setMtlsCert(rel: Relation, pem: string, host: RequirerHost): void;
  /** Cross-model: re-send the certificate once the provider's `encryption-secret` appears (§7). */
  resendCrossModelCert(rel: Relation, providerBag: Readonly<StringBag>, host: RequirerHost): void;
  /** Remove the requested-entity secret once the provider answered (leader). */
  dropRequestedEntity(rel: Relation, host: RequirerHost): void;
  /** v1: add a request / withdraw one on a relation (leader); v0 refuses. */
  addRequest(rel: Relation, spec: RequestSpec, host: RequirerHost): void;
  removeRequest(rel: Relation, resource: string, host: RequirerHost): void;
}

/** A request as the provider sees it, whatever the contract. */
export interface ProviderRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only (a v0 requirer has one implicit request). */
  readonly requestId?: string;
  readonly salt?: string;
  readonly resource: string;
  readonly extraUserRoles: readonly string[];
  readonly extraGroupRoles: readonly string[];
  readonly externalNodeConnectivity: boolean;
  readonly entityType?: "USER" | "GROUP";
  readonly entityPermissions?: readonly EntityPermission[];
  /** v0: the fields the requirer wants in secrets; undefined when it sent none (plain-text fallback). */
  readonly requestedSecrets?: readonly string[];
  /** URI of the requirer-owned mTLS secret, if any. */
  readonly mtlsSecret?: string;
  /** Every key of the request as sent (v0: flat bag strings; v1: object values). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A provider event the contract found in relation-changed, emitted by the engine once all is checked. */
export type ProviderChange =
  | {
      readonly kind: "requested" | "entityRequested" | "entityPermissionsChanged";
      readonly request: ProviderRequest;
    }
  | { readonly kind: "requestRemoved"; readonly request: ProviderRequest; readonly published: StringBag }
  | {
      readonly kind: "mtls";
      readonly requestId: string | undefined;
      readonly bag: StringBag;
      readonly previous: StringBag;
      /** The request itself is new in this change. */
      readonly fresh: boolean;
    };

/** What the provider engine gives its contract. */
export interface ProviderHost {
  readonly model: Model;
  readonly endpoint: string;
  readonly wire: WireSpec;
  /** A collector for the requirer's app bag of a relation, with the engine's limits. */
  issues(relation: RelationRef): IssueCollector;
  /** The interface's check of a parsed request (schemas); its issues join the hook's. */
  check(request: ProviderRequest, issues: IssueCollector): ProviderRequest | undefined;
  /** What an answer of ours carries: plain fields (canonical names) and our secrets' content over them. */
  published(answer: Readonly<StringBag>, v0Keys: Readonly<Record<string, string>> | undefined): StringBag;
  /** Create, update in place, or remove one group's secret; the URI to publish (undefined: removed). */
  writeGroup(
    rel: Relation,
    requestId: string | undefined,
    group: SecretGroup,
    uri: string | undefined,
    values: Readonly<Record<string, string | undefined>>,
  ): string | undefined;
}

export interface ProviderContract {
  readonly version: Contract;
  /** The relation's requests (any unit); undefined with issues recorded when malformed. */
  requests(
    rel: Relation,
    requirerBag: Readonly<StringBag>,
    issues: IssueCollector,
    host: ProviderHost,
  ): ProviderRequest[] | undefined;
  /** Leader relation-changed: diff against our snapshot, store the new one, report what is new. */
  changed(
    rel: Relation,
    requirerBag: Readonly<StringBag>,
    issues: IssueCollector,
    host: ProviderHost,
  ): ProviderChange[];
  /** Publish fields for a request (leader): secrets or plain keys as the contract routes them. */
  publish(
    rel: Relation,
    requirerBag: Readonly<StringBag>,
    fields: Readonly<Record<string, string | undefined>>,
    requestId: string | undefined,
    host: ProviderHost,
  ): void;
  /** What this app published for a request: the answer bag (plain keys and `secret-*` URIs). */
  answerOf(rel: Relation, requestId: string | undefined): StringBag;
  /** The request already has an answer with credentials. */
  answered(rel: Relation, requestId: string | undefined): boolean;
}
