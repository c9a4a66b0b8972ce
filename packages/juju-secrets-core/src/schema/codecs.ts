/**
 * zod codecs for databag values. Databag values are strings on the wire; these codecs map
 * them to typed values (every boolean spelling → boolean, comma lists → string[], JSON-in-string →
 * the parsed value) and keep the string form as the JSON Schema input. Interface packages compose
 * them into their own schemas (the single source of truth for types, parsing and JSON Schema).
 *
 * Separate entry point (`/schema`) so that charms that never validate do not load zod.
 */

import * as z from "zod";
import {
  isHostPort,
  PEM_CERTIFICATE,
  parseBool,
  parseCommaList,
  parseSecretUri,
  pemBlocks,
} from "../protocol/codecs.js";
import { parseJson } from "../protocol/json.js";

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

/** A resource name as a requirer sends it (database, index, subject): non-empty, no surrounding blanks. */
export const resourceName = () =>
  z
    .string()
    .min(1, { message: "must not be empty" })
    .refine((v) => v.trim() === v, { message: "must not have surrounding blanks" });

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
