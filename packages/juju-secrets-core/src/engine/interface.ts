/**
 * The base classes every interface package's two classes extend: the same constructor shape
 * (`new XRequirer(charm, { endpoint?, … })`), the same lookups (`connection(relation?)`,
 * `connections()`, `isReady()`, `requests()`), the same publishing (`publish(request, answer)`,
 * `publishAll(answer)`) and the same events in every package. The engines do the protocol.
 */

import type { ProviderRequest, RequestSpec } from "../contract/types.js";
import type { Charm } from "../hook/charm.js";
import type { EventMap } from "../hook/emitter.js";
import type { RemoteLimits } from "../limits.js";
import { type BoolSpelling, formatBool, formatCommaList } from "../protocol/codecs.js";
import { ProtocolEncodeError } from "../protocol/json.js";
import type { Contract, RelationRef } from "../types.js";
import { type AnyDefinition, defaultEndpointOf } from "./definition.js";
import { DataProvider, type PublishTarget } from "./provider.js";
import { DataRequirer } from "./requirer.js";

/** Options every requirer takes. */
export interface RequirerOptions {
  /** Default: the interface's endpoint name (the real charms' one). */
  readonly endpoint?: string;
  /** Default: the interface's default requirer contract. */
  readonly contract?: Contract;
  /** Extra provider fields to request as secrets (appended to the default `requested-secrets`). */
  readonly additionalSecretFields?: readonly string[];
  /** Keep the requirer-owned secrets of a broken relation (a departing unit keeps them anyway). */
  readonly retainSecretsOnBroken?: (relation: RelationRef) => boolean;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Limits on what the providers write (value size, JSON depth, v1 responses per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/**
 * A requirer's options: the common ones, and what to ask for — given directly, or lazily as
 * `request: () => ({…})`, evaluated only in a hook that needs it (writing the request, readiness), so a
 * charm deriving it from config pays `config-get` there only.
 */
export type RequirerOptionsWith<Q> = RequirerOptions & (Q | { readonly request: () => Q });

function requestOf<Q>(options: RequirerOptionsWith<Q>): { lazy: boolean; get: () => Q } {
  if ("request" in options && typeof options.request === "function") {
    const request = options.request as () => Q;
    return { lazy: true, get: request };
  }
  return { lazy: false, get: () => options as Q };
}

export class InterfaceRequirer<
  D extends AnyDefinition,
  Q,
  X extends EventMap = Record<never, never>,
> extends DataRequirer<D, X> {
  /**
   * @param specs the interface's request options → the protocol requests (validate them here: a bad
   *   option throws before anything is written).
   */
  constructor(
    charm: Charm,
    definition: D,
    options: RequirerOptionsWith<Q>,
    specs: (request: Q) => readonly RequestSpec[],
  ) {
    const contract = options.contract ?? definition.contracts.requirer[0];
    if (contract !== undefined && !definition.contracts.requirer.includes(contract)) {
      throw new TypeError(
        `${definition.name} requirer: contract ${contract} is not one of ${definition.contracts.requirer.join(", ")}`,
      );
    }
    const request = requestOf(options);
    // Eager options are checked now (a bad option fails the constructor, before any write).
    const eager = request.lazy ? undefined : specs(request.get());
    super(charm, options.endpoint ?? defaultEndpointOf(definition, "requirer"), definition, {
      ...(contract ? { contract } : {}),
      requests: eager ?? (() => specs(request.get())),
      ...(options.additionalSecretFields ? { additionalSecretFields: options.additionalSecretFields } : {}),
      ...(options.retainSecretsOnBroken ? { retainSecretsOnBroken: options.retainSecretsOnBroken } : {}),
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  }
}

/** Options every provider takes. */
export interface ProviderOptions {
  /** Default: the interface's endpoint name (the real charms' one). */
  readonly endpoint?: string;
  /** Keep a broken relation's secrets (a unit that is being removed keeps them anyway, LP#1979811). */
  readonly retainSecretsOnBroken?: (relation: RelationRef) => boolean;
  /** Where this unit remembers that it is departing (default `<charm dir>/.charm-relations`). */
  readonly stateDir?: string;
  /**
   * Limits on what the requirers write (value size, JSON depth, v1 requests per relation); defaults in
   * `DEFAULT_REMOTE_LIMITS`. A relation over a limit is refused (typed, blocked), the others are served.
   */
  readonly limits?: Partial<RemoteLimits>;
}

/** What `publish` takes: a request (its relation and, v1, its id), or a relation (v0: its only request). */
export type AnswerTarget = { readonly relation: RelationRef; readonly requestId?: string } | RelationRef;

export abstract class InterfaceProvider<
  D extends AnyDefinition,
  R extends { readonly relation: RelationRef; readonly requestId?: string },
  A,
  X extends EventMap = Record<never, never>,
> extends DataProvider<D, R, X> {
  constructor(
    charm: Charm,
    definition: D,
    options: ProviderOptions,
    toRequest: (request: ProviderRequest) => R,
  ) {
    super(charm, options.endpoint ?? defaultEndpointOf(definition, "provider"), definition, {
      toRequest,
      ...(options.retainSecretsOnBroken ? { retainSecretsOnBroken: options.retainSecretsOnBroken } : {}),
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  }

  /** The interface's answer → canonical fields in its wire spelling (`undefined`: leave, removed: `null`). */
  protected abstract fieldsOf(
    answer: A,
    request: R | undefined,
  ): Readonly<Record<string, string | undefined>>;

  /**
   * Answer a request (leader): each field goes to its secret or a plain key, all in this hook's single
   * write; unchanged values cost nothing, so it is safe to call from every hook. A bad value throws
   * before anything is written.
   */
  publish(target: AnswerTarget, answer: A): void {
    const request = isRelationRef(target)
      ? this.request(target)
      : this.request(target.relation, target.requestId);
    const to: PublishTarget = isRelationRef(target)
      ? target
      : { relation: target.relation, ...(target.requestId ? { requestId: target.requestId } : {}) };
    this.publishFields(to, this.fieldsOf(answer, request));
  }

  /** The same answer (endpoints, version, TLS …) to every request that already has credentials (leader). */
  publishAll(answer: A): void {
    this.#publishEach(answer);
  }

  /**
   * `publishAll` for interfaces with one user per request: refuses `username`/`password`, and checks
   * the answer once before the first write (a bad value writes nothing anywhere).
   */
  protected publishAllShared(answer: A): void {
    refuseSharedCredentials(answer);
    this.fieldsOf(answer, undefined);
    this.#publishEach(answer);
  }

  #publishEach(answer: A): void {
    for (const request of this.answeredRequests()) this.publish(request, answer);
  }

  /** The user and password published for a request (leader), to rebuild users; undefined when unanswered. */
  credentials(target: PublishTarget): { username: string; password: string } | undefined {
    const p = this.published(target);
    return p.username && p.password ? { username: p.username, password: p.password } : undefined;
  }
}

/** Credentials are per request: an answer for every request must not carry them. */
export function refuseSharedCredentials(answer: unknown): void {
  if (typeof answer === "object" && answer !== null && ("username" in answer || "password" in answer)) {
    throw new ProtocolEncodeError("username/password", "credentials are per request: use publish()");
  }
}

/** What `parseAnswer` needs of a schema (any zod schema). */
export interface AnswerSchema<T> {
  safeParse(
    input: unknown,
  ):
    | { readonly success: true; readonly data: T }
    | { readonly success: false; readonly error: { readonly issues: readonly AnswerIssue[] } };
}

interface AnswerIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
}

/**
 * A charm's answer through the interface's input schema: the first problem throws
 * `ProtocolEncodeError` naming the field (`endpoints[1]`, `tlsCa`, or the unknown keys), never a value.
 */
export function parseAnswer<T>(schema: AnswerSchema<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const unknown = issue.code === "unrecognized_keys";
  const path = issue.path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[");
  throw new ProtocolEncodeError(
    path || (unknown ? (issue.keys ?? []).join(", ") : "response"),
    unknown ? "unknown field" : issue.message,
  );
}

function isRelationRef(target: unknown): target is RelationRef {
  return (
    typeof target === "object" &&
    target !== null &&
    "endpoint" in target &&
    "id" in target &&
    !("relation" in target)
  );
}

/** How `answerFields` writes values. */
export interface AnswerEncoding {
  /** Spelling of booleans (`True` for PostgreSQL and etcd, `enabled` for Kafka, `true` otherwise). */
  readonly bool?: BoolSpelling;
  /** Lists written sorted (Python's `sorted`, as for `prefix-databases`). */
  readonly sorted?: readonly string[];
  /**
   * The resource echo the Python requirers read (`{ database: request.database }`): written with the
   * credentials (`username` or `entityName`) when the answer does not set it.
   */
  readonly echo?: Readonly<Record<string, string>> | undefined;
}

/**
 * An answer object (`{ endpoints: [...], tlsCa: "…", tls: true }`) as canonical fields: camelCase →
 * kebab-case keys, lists → comma lists, booleans → the interface's spelling, `null` → remove the field,
 * `undefined` → leave it. A value that cannot be written throws `ProtocolEncodeError` naming the field.
 */
export function answerFields(
  answer: Readonly<Record<string, unknown>>,
  encoding: AnswerEncoding = {},
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(answer)) {
    if (value === undefined) continue;
    const key = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (value === null) out[key] = undefined;
    else if (typeof value === "string") out[key] = value;
    else if (typeof value === "boolean") out[key] = formatBool(value, encoding.bool ?? "true");
    else if (Array.isArray(value))
      out[key] = formatCommaList(value, { field: name, sort: encoding.sorted?.includes(key) ?? false });
    else throw new ProtocolEncodeError(name, "expected a string, a boolean, a list of strings or null");
  }
  if (answer.username || answer.entityName) {
    for (const [key, value] of Object.entries(encoding.echo ?? {})) if (!(key in out)) out[key] = value;
  }
  return out;
}

/** How an interface writes `tls` (and, kafka v0, `tls-ca` while TLS is off). */
export interface TlsSpelling {
  readonly on: string;
  readonly off: string;
  /** `tls-ca` while off (default: removed). */
  readonly offCa?: string;
}

/**
 * `tls` and `tls-ca` of an answer: a CA is published only while TLS is on (else `ProtocolEncodeError`);
 * TLS off removes the CA; `null` removes it too. Empty when the answer leaves TLS alone.
 */
export function tlsAnswerFields(
  tls: boolean | undefined,
  tlsCa: string | null | undefined,
  spelling: TlsSpelling,
): Record<string, string | undefined> {
  if (tlsCa != null && tls !== true)
    throw new ProtocolEncodeError("tlsCa", "a CA is only published while tls is true");
  if (tls === undefined) return {};
  if (!tls) return { tls: spelling.off, "tls-ca": spelling.offCa };
  return { tls: spelling.on, ...(tlsCa !== undefined ? { "tls-ca": tlsCa ?? undefined } : {}) };
}
