/**
 * A small JSON Schema (2020-12) validator for the keywords zod emits here: type, properties, required,
 * additionalProperties, propertyNames, pattern (unicode mode, as JSON Schema mandates), minLength, enum,
 * const, items, minItems, minimum/maximum, anyOf/oneOf/allOf, and contentMediaType "application/json"
 * with contentSchema (the JSON inside a databag string is validated too). An unknown keyword fails
 * loudly so the tests never pass by ignoring something.
 */

type Schema = Record<string, unknown>;

const KNOWN = new Set([
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
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Error paths (empty when valid). */
export function validate(schema: Schema, value: unknown, path = "$"): string[] {
  for (const k of Object.keys(schema))
    if (!KNOWN.has(k)) throw new Error(`validator does not know keyword "${k}"`);
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const t = typeOf(value);
    const ok = schema.type === t || (schema.type === "number" && t === "integer");
    if (!ok) return [`${path}: expected ${String(schema.type)}, got ${t}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: not in enum`);
  if ("const" in schema && schema.const !== value) errors.push(`${path}: not the const`);
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && [...value].length < schema.minLength)
      errors.push(`${path}: too short`);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      errors.push(`${path}: does not match pattern`);
    }
    if (schema.contentMediaType === "application/json" && schema.contentSchema) {
      let inner: unknown;
      try {
        inner = JSON.parse(value);
      } catch {
        errors.push(`${path}: not JSON`);
      }
      if (!errors.length) errors.push(...validate(schema.contentSchema as Schema, inner, `${path}<json>`));
    }
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${path}: below minimum`);
    if (typeof schema.maximum === "number" && value > schema.maximum) errors.push(`${path}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      errors.push(`${path}: too few items`);
    if (schema.items) {
      for (const [i, v] of value.entries())
        errors.push(...validate(schema.items as Schema, v, `${path}[${i}]`));
    }
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[])
      if (!(r in obj)) errors.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.propertyNames) errors.push(...validate(schema.propertyNames as Schema, k, `${path}{${k}}`));
      if (props[k]) errors.push(...validate(props[k]!, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not allowed`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        errors.push(...validate(schema.additionalProperties as Schema, v, `${path}.${k}`));
      }
    }
  }
  if (schema.allOf) for (const s of schema.allOf as Schema[]) errors.push(...validate(s, value, path));
  if (schema.anyOf && !(schema.anyOf as Schema[]).some((s) => validate(s, value, path).length === 0)) {
    errors.push(`${path}: matches no anyOf branch`);
  }
  if (
    schema.oneOf &&
    (schema.oneOf as Schema[]).filter((s) => validate(s, value, path).length === 0).length !== 1
  ) {
    errors.push(`${path}: does not match exactly one oneOf branch`);
  }
  return errors;
}
