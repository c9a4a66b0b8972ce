/**
 * A small JSON Schema (2020-12) validator for the keywords our generated schemas use: type, const,
 * enum, pattern, minLength, required, properties, additionalProperties, items, anyOf,
 * contentMediaType + contentSchema (JSON held in a string). Returns the failing paths.
 */
type Schema = Record<string, unknown>;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

export function validate(schema: Schema, value: unknown, path = "$"): string[] {
  const errors: string[] = [];
  const t = schema.type as string | string[] | undefined;
  if (t !== undefined) {
    const types = Array.isArray(t) ? t : [t];
    const actual = typeOf(value);
    if (!types.some((x) => x === actual || (x === "number" && actual === "integer"))) {
      return [`${path}: expected ${types.join("|")}, got ${actual}`];
    }
  }
  if ("const" in schema && value !== schema.const)
    errors.push(`${path}: expected const ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: not in enum`);
  if (typeof value === "string") {
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      errors.push(`${path}: does not match ${schema.pattern}`);
    }
    if (typeof schema.minLength === "number" && [...value].length < schema.minLength)
      errors.push(`${path}: too short`);
    if (schema.contentMediaType === "application/json" && schema.contentSchema) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return [...errors, `${path}: not JSON`];
      }
      errors.push(...validate(schema.contentSchema as Schema, parsed, `${path}<json>`));
    }
  }
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((s) => validate(s, value, path).length === 0);
    if (!ok) errors.push(`${path}: matches no anyOf branch`);
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? [])
      if (!(r in obj)) errors.push(`${path}.${r}: required`);
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...validate(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}.${k}: not allowed`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        errors.push(...validate(schema.additionalProperties as Schema, v, `${path}.${k}`));
      }
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
    for (const [i, item] of value.entries())
      errors.push(...validate(schema.items as Schema, item, `${path}[${i}]`));
  }
  return errors;
}
