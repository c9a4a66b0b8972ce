/**
 * Remote data through a zod schema: a typed value, or a `RemoteDataError` naming relation, side, key
 * and rule (and only the shape of the value, never the value: it may be a secret). Types only from
 * zod: this module loads no zod at runtime (the schema objects passed in bring their own).
 */

import type * as z from "zod";
import { describeShape, RemoteDataError, type RemoteDataIssue } from "../errors.js";
import { parseJson } from "../protocol/json.js";
import type { SecretGroup } from "../protocol/secrets.js";
import type { BagKind, RelationRef, Side } from "../types.js";

/** A zod object schema (its `shape` is what the engines and the bag builders read field codecs from). */
export type ObjectSchema = z.ZodObject<z.ZodRawShape>;

/** The content schema of each secret group an interface uses. */
export type SecretSchemas = Readonly<Partial<Record<SecretGroup, ObjectSchema>>>;

export interface BagContext {
  readonly relation: RelationRef;
  readonly side: Side;
  readonly bag: BagKind;
}

export type BagParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: RemoteDataError };

/**
 * Parse a databag with a schema and turn zod issues into a `RemoteDataError` that names relation,
 * side, key and rule — and only the shape of the value, never the value (it may be a secret).
 */
export function parseBag<S extends z.ZodType>(
  schema: S,
  bag: unknown,
  context: BagContext,
): BagParseResult<z.output<S>> {
  const result = schema.safeParse(bag);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: new RemoteDataError(zodIssues(result.error, bag, context)) };
}

export function zodIssues(error: z.ZodError, input: unknown, context: BagContext): RemoteDataIssue[] {
  // A strict object reports its unexpected keys in one issue at the object's path: name each key.
  const issues = error.issues.flatMap((issue): { code: string; path: PropertyKey[]; message: string }[] =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((k) => ({ code: issue.code, path: [...issue.path, k], message: "unexpected key" }))
      : [issue],
  );
  return issues.map((issue) => {
    const key = issue.path
      .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
      .join(".")
      .replace(/\.\[/g, "[");
    const value = valueAt(input, issue.path);
    return {
      relation: context.relation,
      side: context.side,
      bag: context.bag,
      key: key || "(databag)",
      rule: issue.code === "invalid_type" && value === undefined ? "required" : issue.message,
      shape: describeShape(value),
    };
  });
}

/**
 * The value an issue path points at. A path continues inside JSON-valued fields (`requested-secrets`
 * → item 1), so an item of the wrong type is reported as such, not as missing. Own keys only.
 */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (typeof cur === "string") {
      const parsed = parseJson(cur);
      if (!parsed.ok) return undefined;
      cur = parsed.value;
    }
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** What `requestValidator` reads of a provider's parsed request. */
export interface RequestToValidate {
  readonly relation: RelationRef;
  readonly contract: "v0" | "v1";
  readonly requestId?: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * A provider's `validateRequest` from the interface's schemas: the v0 requirer app bag, or one v1
 * request object (issues then name `requests[<request-id>].<key>`).
 */
export function requestValidator(
  v0: z.ZodType,
  v1: z.ZodType,
): (request: RequestToValidate) => RemoteDataError | undefined {
  return (request) => {
    const isV1 = request.contract === "v1";
    const context = { relation: request.relation, side: "requirer", bag: "app" } as const;
    const error = bagError(isV1 ? v1 : v0, request.raw, context);
    return error && isV1 ? prefixIssueKeys(error, `requests[${request.requestId ?? "?"}].`) : error;
  };
}

/** `parseBag` for validation only: the typed error naming each bad key, or undefined when the bag is fine. */
export function bagError(schema: z.ZodType, bag: unknown, context: BagContext): RemoteDataError | undefined {
  const result = parseBag(schema, bag, context);
  return result.ok ? undefined : result.error;
}

/** The same error with every key under `prefix` (e.g. `requests[<request-id>].` for one v1 object). */
export function prefixIssueKeys(error: RemoteDataError, prefix: string): RemoteDataError {
  return new RemoteDataError(error.issues.map((i) => ({ ...i, key: `${prefix}${i.key}` })));
}
