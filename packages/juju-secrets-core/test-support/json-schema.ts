/**
 * A small JSON Schema (2020-12) validator for the keywords `z.toJSONSchema` emits for our databags, shared
 * by the interface packages' schema tests: type (one or a list), const, enum, properties, required,
 * additionalProperties, propertyNames, items, minItems, anyOf, oneOf, allOf, minLength, pattern (unicode
 * mode, as JSON Schema mandates), minimum, maximum, and contentMediaType "application/json" with
 * contentSchema (the JSON inside a databag string is validated too). Boolean schemas too. An unknown
 * keyword fails loudly, so a test never passes by ignoring something. Returns the failing paths, empty
 * when valid. Test code only: it compiles the schemas' patterns, which src must never do with input it
 * does not control.
 */
type Schema = Record<string, unknown> | boolean;

/** The keywords the validator understands (annotations included); any other makes it throw. */
export const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  "$schema",
  "title",
  "description",
  "examples",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "pattern",
  "minLength",
  "enum",
  "const",
  "items",
  "minItems",
  "minimum",
  "maximum",
  "anyOf",
  "oneOf",
  "allOf",
  "contentMediaType",
  "contentSchema",
  "format",
  "default",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

export function validate(schema: Schema, value: unknown, path = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  const s = schema;
  for (const k of Object.keys(s))
    if (!KNOWN_KEYWORDS.has(k)) throw new Error(`validator does not know keyword "${k}"`);
  const errors: string[] = [];
  const actual = typeOf(value);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(t, actual)))
      return [`${path}: expected ${types.join("|")}, got ${actual}`];
  }
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value))
    errors.push(`${path}: expected const`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: not in enum`);
  }
  if (
    Array.isArray(s.anyOf) &&
    !(s.anyOf as Schema[]).some((sub) => validate(sub, value, path).length === 0)
  ) {
    errors.push(`${path}: matches no anyOf branch`);
  }
  if (
    Array.isArray(s.oneOf) &&
    (s.oneOf as Schema[]).filter((sub) => validate(sub, value, path).length === 0).length !== 1
  ) {
    errors.push(`${path}: does not match exactly one oneOf branch`);
  }
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as Schema[]) errors.push(...validate(sub, value, path));
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && [...value].length < s.minLength) errors.push(`${path}: too short`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
      errors.push(`${path}: pattern`);
    if (s.contentMediaType === "application/json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return [...errors, `${path}: not JSON`];
      }
      if (s.contentSchema !== undefined)
        errors.push(...validate(s.contentSchema as Schema, parsed, `${path}<json>`));
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) errors.push(`${path}: below minimum`);
    if (typeof s.maximum === "number" && value > s.maximum) errors.push(`${path}: above maximum`);
  }
  if (actual === "array" && typeof s.minItems === "number" && (value as unknown[]).length < s.minItems)
    errors.push(`${path}: too few items`);
  if (actual === "array" && s.items !== undefined) {
    for (const [i, item] of (value as unknown[]).entries()) {
      errors.push(...validate(s.items as Schema, item, `${path}[${i}]`));
    }
  }
  if (actual === "object") {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const key of (s.required ?? []) as string[])
      if (!(key in obj)) errors.push(`${path}.${key}: required`);
    for (const [key, item] of Object.entries(obj)) {
      if (s.propertyNames !== undefined)
        errors.push(...validate(s.propertyNames as Schema, key, `${path}{${key}}`));
      if (key in props) errors.push(...validate(props[key]!, item, `${path}.${key}`));
      else if (s.additionalProperties !== undefined) {
        errors.push(...validate(s.additionalProperties as Schema, item, `${path}.${key}`));
      }
    }
  }
  return errors;
}

/** Every keyword used anywhere in a schema (to show a schema uses no keyword the validator skips). */
export function keywordsOf(schema: unknown, out = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== "object") return out;
  if (Array.isArray(schema)) {
    for (const s of schema) keywordsOf(s, out);
    return out;
  }
  for (const [k, v] of Object.entries(schema)) {
    out.add(k);
    if (k === "properties") for (const p of Object.values(v as Record<string, unknown>)) keywordsOf(p, out);
    else if (k !== "const" && k !== "enum" && k !== "default") keywordsOf(v, out);
  }
  return out;
}
