/**
 * What an interface package declares about itself: one `defineInterface({...})`. The engines
 * (`DataRequirer`, `DataProvider`) do all protocol work from it — request writing, answers,
 * validation against the schemas, secrets, readiness, the typed connection and the event tables —
 * so an interface package is its schemas, this definition and two thin classes.
 */

import type * as z from "zod";
import type { SecretGroup } from "../protocol/secrets.js";
import type { ObjectSchema, SecretSchemas } from "../schema/parse.js";
import type { Contract, RelationRef } from "../types.js";

export type { Contract, ObjectSchema, SecretSchemas };

/** The databag schemas of the v0 flat contract (the core's `v0RequirerApp` / `v0ProviderApp` build them). */
export interface V0Schemas {
  readonly requirerApp: ObjectSchema;
  readonly providerApp: ObjectSchema;
}

/** The v1 request and response objects (the core's `v1Request` / `v1Response` build them). */
export interface V1Schemas {
  readonly request: ObjectSchema;
  readonly response: ObjectSchema;
}

export interface InterfaceSchemas {
  /** Present when a side of the interface speaks the v0 flat contract. */
  readonly v0?: V0Schemas;
  /** Present when a side of the interface speaks the v1 requests contract. */
  readonly v1?: V1Schemas;
  readonly secrets: SecretSchemas;
}

type Out<T> = T extends z.ZodType ? z.output<T> : unknown;
type Group<S, G extends string> = S extends { secrets: { [K in G]?: infer T } } ? Out<T> : unknown;
type SecretsOut<S> = Group<S, "user"> & Group<S, "tls"> & Group<S, "entity"> & Group<S, "extra">;
/** The answer's plain fields: the v1 response (canonical names) or else the v0 provider bag. */
type AnswerOut<S> = S extends { v1: { response: infer R } }
  ? Out<R>
  : S extends { v0: { providerApp: infer P } }
    ? Out<P>
    : unknown;

/**
 * The provider's answer as a requirer resolves it: plain fields and secret contents under their
 * canonical names, parsed by the schemas (comma lists → arrays, boolean spellings → booleans). Every
 * field may be absent; the interface's `ready` list says which ones make a connection.
 */
export type AnswerFields<S> = Partial<AnswerOut<S> & SecretsOut<S>>;

/** Everything the engine knows about one answer besides its fields. */
export interface Answer {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only. */
  readonly requestId?: string;
  /** What the request asked for (the v0 echo, else our request's resource). */
  readonly resource: string;
  /** The request carried an `entity-type` (answered with the entity group). */
  readonly entity: boolean;
  /** Every field as its databag string, canonical names; secret content over plain keys. */
  readonly raw: Readonly<Record<string, string>>;
  /** Secret groups the provider published for this answer (readable or not). */
  readonly secrets: readonly SecretGroup[];
  /** Published groups not readable yet (not granted yet: LP#2093129). */
  readonly pendingSecrets: readonly SecretGroup[];
  /** The ready fields are all present and every field is valid. */
  readonly ready: boolean;
}

/** One name, or a name per kind (`default` and the entity variant). */
export type EventNames = string | { readonly default: string; readonly entity?: string };

export interface ProviderEventNames {
  /** A new request (default `requested`). */
  readonly default?: string;
  /** A new entity request (`entity-type` set; default `entityRequested`). */
  readonly entity?: string;
  /** `entity-permissions` changed on a known request (default `entityPermissionsChanged`). */
  readonly permissions?: string;
  /** Every request that became new in one relation-changed, after the single events (dpcharmlibs' bulk event). */
  readonly bulk?: string;
}

/** What `defineInterface` takes. */
export interface InterfaceSpec<S extends InterfaceSchemas = InterfaceSchemas, C = Answer> {
  /** Juju interface name, e.g. `postgresql_client`. */
  readonly name: string;
  /** The endpoint name the real charms use (per side when they differ). */
  readonly defaultEndpoint: string | { readonly provider: string; readonly requirer: string };
  /** Contracts each side speaks; the first is the requirer's default. */
  readonly contracts: { readonly requirer: readonly Contract[]; readonly provider: readonly Contract[] };
  /** The v0 requirer key that carries the request: `database`, `prefix`, `plugin-url`, `topic` … */
  readonly resourceKey: string;
  /** The zod schemas (the single source of truth of the wire format). */
  readonly schemas?: S;
  /** Provider fields that travel in a group other than the core's default (v1 `extra` secret fields). */
  readonly fields?: Readonly<Record<string, SecretGroup>>;
  /**
   * Fields a requirer must be able to read before the answer counts (I-6, I-23): the same rule as the
   * Python library's "created" event, plus somewhere to connect to. `entity`: for entity requests.
   */
  readonly ready: { readonly default: readonly string[]; readonly entity?: readonly string[] };
  /** The typed connection of a ready answer (built once per answer per hook). Default: the `Answer`. */
  readonly connection?: (fields: AnswerFields<S>, answer: Answer) => C;
  /** Requirer: the first time an answer is ready (default `created`; `entity`: for entity requests). */
  readonly created?: EventNames;
  /** Requirer: canonical field → event fired when it is added or changed after created. */
  readonly changes?: Readonly<Record<string, string>>;
  /** Requirer: secret group → event fired when that secret rotates (besides `credentialsRotated`). */
  readonly rotations?: Readonly<Partial<Record<SecretGroup, string>>>;
  /** Provider: request event names. */
  readonly requested?: ProviderEventNames;
  /** v1 response keys after `version`, in model order (valkey: `sentinel-endpoints`, `mode`). */
  readonly responseExtraKeys?: readonly string[];
  /** v1 request keys after the base keys. */
  readonly requestExtraKeys?: readonly string[];
  /** Emit the trailing `"mtls-cert": null` in v1 objects (dpcharmlibs-based charms do). */
  readonly trailingMtlsCert?: boolean;
  /** v0 flat spelling of a field when it differs from the canonical (v1) one; readers accept both. */
  readonly v0Keys?: Readonly<Record<string, string>>;
  /** Providers create an `encryption-secret` in cross-model relations (etcd's Fernet mTLS path). */
  readonly crossModelEncryption?: boolean;
  /** Requests may carry a client certificate in a requirer-owned `mtls` secret. */
  readonly mtls?: boolean;
}

/** A definition as the engines take it. */
export type InterfaceDefinition<S extends InterfaceSchemas = InterfaceSchemas, C = unknown> = InterfaceSpec<
  S,
  C
>;

/** Any definition (for code that does not care about its types). */
// biome-ignore lint/suspicious/noExplicitAny: the engines accept every definition.
export type AnyDefinition = InterfaceSpec<any, any>;

/**
 * Declare an interface. The literal types of the event tables are kept (typed `on`), and the
 * `connection` function gets its fields typed from `schemas`.
 */
export function defineInterface<const S extends InterfaceSchemas, C, const T extends InterfaceSpec<S, C>>(
  spec: T & InterfaceSpec<S, C>,
): T {
  const bad = (why: string) => new TypeError(`defineInterface(${spec.name}): ${why}`);
  if (spec.contracts.requirer.length === 0 || spec.contracts.provider.length === 0)
    throw bad("each side needs at least one contract");
  for (const [side, list] of Object.entries(spec.contracts)) {
    for (const c of list) {
      if (c !== "v0" && c !== "v1") throw bad(`${side} contract ${String(c)} is not v0 or v1`);
      if (spec.schemas && !spec.schemas[c]) throw bad(`${side} speaks ${c} but schemas.${c} is missing`);
    }
  }
  if (spec.ready.default.length === 0) throw bad("ready.default names no field");
  return Object.freeze(spec);
}

/** The endpoint a side uses unless told otherwise. */
export function defaultEndpointOf(definition: AnyDefinition, side: "provider" | "requirer"): string {
  const e = definition.defaultEndpoint;
  return typeof e === "string" ? e : e[side];
}

// ---------------------------------------------------------------------------------------------
// Event names, as types (typed `on` in the interface classes)

type Names<T> = T extends string
  ? T
  : T extends Readonly<Record<string, infer V>>
    ? Extract<V, string>
    : never;
type Field<D, K extends string> = D extends { readonly [P in K]?: infer V } ? NonNullable<V> : never;

/** `created` (or the definition's names for it). */
export type CreatedName<D> = [Field<D, "created">] extends [never] ? "created" : Names<Field<D, "created">>;
/** The definition's change events. */
export type ChangeName<D> = Names<Field<D, "changes">>;
/** The definition's per-group rotation events. */
export type RotationName<D> = Names<Field<D, "rotations">>;
/** The typed connection of a definition. */
export type ConnectionOf<D> = D extends { readonly connection?: (...args: never[]) => infer C }
  ? unknown extends C
    ? Answer
    : C
  : Answer;

type Requested<D, K extends keyof ProviderEventNames, Default extends string> =
  Field<Field<D, "requested">, K> extends infer N
    ? [N] extends [never]
      ? Default
      : Extract<N, string>
    : Default;
/** Provider request event names: new request, entity request, permissions changed. */
export type RequestedName<D> =
  | Requested<D, "default", "requested">
  | Requested<D, "entity", "entityRequested">
  | Requested<D, "permissions", "entityPermissionsChanged">;
/** The bulk request event, when the definition names one. */
export type BulkName<D> = Extract<Field<Field<D, "requested">, "bulk">, string>;
