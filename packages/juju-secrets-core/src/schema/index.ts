/**
 * zod building blocks for databag schemas. Databag values are strings on the wire; these codecs map
 * them to typed values (every boolean spelling → boolean, comma lists → string[], JSON-in-string →
 * the parsed value) and keep the string form as the JSON Schema input. Interface packages compose
 * them into their own schemas (the single source of truth for types, parsing and JSON Schema).
 *
 * Separate entry point (`/schema`) so that charms that never validate do not load zod.
 */

import * as z from "zod";
import type { RelationRef } from "../backend/types.js";
import type { ProviderRequest } from "../engine/provider.js";
import { type BagKind, describeShape, RemoteDataError, type RemoteDataIssue, type Side } from "../errors.js";
import {
  isHostPort,
  PEM_CERTIFICATE,
  parseBool,
  parseCommaList,
  parseSecretUri,
  pemBlocks,
} from "../protocol/codecs.js";
import { parseJson } from "../protocol/json.js";

/**
 * A schema (or an object of schemas) built on first use instead of at import. Every hook is a new
 * process that imports the interface packages, most hooks parse few of their databags, and building
 * zod schemas was the largest part of a packed charm's start (about a fifth of its CPU time).
 * The result stands for the schema in every way (`parse`, `shape`, `instanceof`, composing it into
 * other schemas); only identity differs: the proxy is not `===` the schema it builds.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = () => (built ??= build());
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      // The proxy's own target is an empty object: report every property as configurable (a Proxy rule).
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}

// ---------------------------------------------------------------------------------------------
// Codecs. Values are checked in code (split, then anchored per-part patterns): linear whatever the
// input. Each also publishes a JSON Schema `pattern` for other tools, written so that it cannot
// backtrack either (checked by recheck in CI, with every other pattern of the packages).

/** A case-insensitive word as a JSON Schema (ECMA-262, no flags) character-class pattern. */
export function anyCasePattern(word: string): string {
  return [...word]
    .map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c))
    .join("");
}

/**
 * A comma list of `item` as a linear pattern: blanks around items, and empty items (lenient, as
 * `parseCommaList` reads) or, `strict`, only one trailing comma.
 */
export function commaListPattern(item: string, options: { strict?: boolean } = {}): string {
  return options.strict
    ? `^\\s*(?:(?:${item})\\s*(?:,\\s*(?:${item})\\s*)*(?:,\\s*)?)?$`
    : `^\\s*(?:(?:${item})\\s*)?(?:,\\s*(?:(?:${item})\\s*)?)*$`;
}

/** The items of a comma list, trimmed; `strict`: undefined when an item is empty (but a trailing one). */
export function commaListItems(value: string, options: { strict?: boolean } = {}): string[] | undefined {
  const items = value.split(",").map((item) => item.trim());
  if (!options.strict) return items.filter((item) => item !== "");
  if (items.length > 1 && items.at(-1) === "") items.pop();
  if (items.length === 1 && items[0] === "") return [];
  return items.includes("") ? undefined : items;
}

const BOOL_WORDS = ["true", "enabled", "yes", "on", "1", "false", "disabled", "no", "off", "0"];
/** Every boolean spelling the protocol reads (protocol §2.4), blanks around it allowed; or empty. */
export const WIRE_BOOL_PATTERN = `^\\s*(?:(?:${BOOL_WORDS.map(anyCasePattern).join("|")})\\s*)?$`;

/** Any boolean spelling the real charms write (true/True/enabled, false/False/disabled, …). */
export const wireBool = (
  message = "expected a boolean spelling (true/false, True/False, enabled/disabled, yes/no, on/off, 1/0)",
) =>
  z
    .string()
    .refine((v) => parseBool(v) !== undefined, { message })
    .transform((v) => parseBool(v) === true)
    .meta({ pattern: WIRE_BOOL_PATTERN });

/** A comma-separated list (`a,b,c`), read leniently (trimmed, empty items dropped). */
export const commaList = () => z.string().transform((v) => parseCommaList(v));

/**
 * A comma list whose items pass `check` (checked item by item, never with one pattern over the whole
 * value); `itemPattern` is the item's JSON Schema pattern (unanchored), published as a list pattern.
 */
export const commaListOf = (
  check: (item: string) => boolean,
  options: {
    readonly message: string;
    readonly itemPattern: string;
    readonly min?: number;
    /** Refuse empty items (a single trailing comma aside) instead of dropping them. */
    readonly strict?: boolean;
  },
) =>
  z
    .string()
    .transform((v, ctx) => {
      const items = commaListItems(v, options);
      if (items === undefined || items.length < (options.min ?? 0) || !items.every(check)) {
        ctx.issues.push({ code: "custom", message: options.message, input: v });
        return z.NEVER;
      }
      return items;
    })
    .meta({ pattern: commaListPattern(options.itemPattern, options) });

/** A string holding JSON, validated against `inner` (within the remote limits on size and depth). */
export const jsonString = <T extends z.ZodType>(inner: T) =>
  z
    .string()
    .transform((s, ctx) => {
      const parsed = parseJson(s);
      if (!parsed.ok) {
        const limit = parsed.error.startsWith("JSON ");
        ctx.issues.push({ code: "custom", message: limit ? parsed.error : "not valid JSON", input: s });
        return z.NEVER;
      }
      return parsed.value;
    })
    .pipe(inner);

const UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/** A secret URI in any form Juju prints, blanks around it allowed (they are trimmed, as ops does). */
export const SECRET_URI_PATTERN = `^\\s*(?:secret:(?://${UUID_PATTERN}/)?)?[0-9a-z]{20}\\s*$`;

/** A secret URI in any form Juju prints (`secret:<xid>`, `secret://<model-uuid>/<xid>`). */
export const secretUri = () =>
  z
    .string()
    .refine((v) => parseSecretUri(v) !== undefined, {
      message: "expected a secret URI (secret:<id> or secret://<model-uuid>/<id>)",
    })
    .meta({ pattern: SECRET_URI_PATTERN });

/** One `host:port` item (no scheme), as a JSON Schema pattern. */
export const HOST_PORT_PATTERN = "(?:\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9_.-]+):[0-9]{1,5}";

/** `host:port` without a scheme. */
export const hostPort = () =>
  z
    .string()
    .refine((v) => isHostPort(v), { message: "expected host:port" })
    .meta({ pattern: `^${HOST_PORT_PATTERN}$` });

/** A comma list of `host:port` items, at least one (`portRange`: ports 0–65535). */
export const hostPortList = (options: { portRange?: boolean; message?: string } = {}) =>
  commaListOf((item) => isHostPort(item, options), {
    message: options.message ?? "expected a comma list of host:port",
    itemPattern: HOST_PORT_PATTERN,
    min: 1,
  });

/**
 * Text holding at least one PEM block of one of `labels` (found in one forward pass). The published
 * pattern only asks for the first BEGIN marker: a pattern that also required the END marker after it
 * would backtrack.
 */
export const pemText = (
  labels: readonly string[] = PEM_CERTIFICATE,
  message = "expected a PEM certificate",
) =>
  z
    .string()
    .refine((v) => pemBlocks(v, labels).length > 0, { message })
    .meta({
      pattern: `-----BEGIN (?:${labels.join("|")})-----`,
      description: `PEM: -----BEGIN ${labels[0]}----- … -----END ${labels[0]}-----`,
    });

/** A v1 string-or-null field. */
export const nullableString = () => z.string().nullable();

/** `jsonField` fields → their inner schema, for the JSON Schema's `contentSchema`. */
const JSON_FIELDS = new WeakMap<z.ZodType, z.ZodType>();

/**
 * `jsonString(inner)` that the JSON Schema documents too: a string with `contentMediaType:
 * application/json` and the inner shape as `contentSchema` (computed only when a JSON Schema is
 * asked for, not at import).
 */
export const jsonField = <T extends z.ZodType>(inner: T) => {
  const field = jsonString(inner);
  JSON_FIELDS.set(field, inner);
  return field;
};

/** The JSON Schema of a databag schema, as the wire carries it (strings in, not parsed values out). */
export function toWireJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const inner = JSON_FIELDS.get(ctx.zodSchema as unknown as z.ZodType);
      if (!inner) return;
      const { $schema: _drop, ...contentSchema } = toWireJsonSchema(inner);
      Object.assign(ctx.jsonSchema, { contentMediaType: "application/json", contentSchema });
    },
  }) as Record<string, unknown>;
}

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

/**
 * A provider's `validateRequest` from the interface's schemas: the v0 requirer app bag, or one v1
 * request object (issues then name `requests[<request-id>].<key>`).
 */
export function requestValidator(
  v0: z.ZodType,
  v1: z.ZodType,
): (request: ProviderRequest) => RemoteDataError | undefined {
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
