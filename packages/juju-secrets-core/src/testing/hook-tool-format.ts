/** The hook tools' output formats (juju/cmd: json, yaml, smart), byte for byte. */

import { last, type Parsed, UsageError } from "./hook-tool-args.js";

/** Go's `json.Marshal`: map keys sorted, `<>&` escaped; a `Map` stands for a struct (field order kept). */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${goString(String(k))}:${goJson(v)}`).join(",")}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${goString(k)}:${goJson(v)}`).join(",")}}`;
}

function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function yamlScalar(s: string): string {
  const plain =
    s !== "" &&
    !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) &&
    !/\s$/.test(s) &&
    !/: |\s#|:$/.test(s) &&
    !/[\u0000-\u001f\u007f]/.test(s) &&
    !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(s) &&
    !/^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s);
  return plain ? s : JSON.stringify(s);
}

function yaml(value: unknown, indent = ""): string {
  if (value instanceof Map) value = Object.fromEntries(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}[]\n`;
    return value
      .map((v) => {
        const inner = yaml(v, `${indent}  `);
        return `${indent}- ${inner.slice(indent.length + 2)}`;
      })
      .join("");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) return `${indent}{}\n`;
    return entries
      .map(([k, v]) => {
        const isBlock = v !== null && typeof v === "object" && Object.keys(v as object).length > 0;
        return isBlock
          ? `${indent}${yamlScalar(k)}:\n${yaml(v, `${indent}  `)}`
          : `${indent}${yamlScalar(k)}: ${yaml(v).trimEnd()}\n`;
      })
      .join("");
  }
  if (value === null || value === undefined) return `${indent}null\n`;
  if (typeof value === "string") return `${indent}${yamlScalar(value)}\n`;
  return `${indent}${String(value)}\n`;
}

export function formatOutput(value: unknown, format: string): string {
  let out: string;
  if (format === "json") out = goJson(value);
  else if (format === "yaml") out = value === null || value === undefined ? "" : yaml(value);
  else {
    // smart
    if (value === null || value === undefined) out = "";
    else if (typeof value === "string") out = value;
    else if (typeof value === "boolean") out = value ? "True" : "False";
    else if (typeof value === "number") out = String(value);
    else if (Array.isArray(value)) out = value.map(String).join("\n");
    else out = yaml(value);
  }
  return out !== "" && !out.endsWith("\n") ? `${out}\n` : out;
}

export function outputFormat(p: Parsed, formats: readonly string[], fallback: string): string {
  const entry = last(p, "format");
  if (!entry) return fallback;
  const f = String(entry.value);
  if (!formats.includes(f))
    throw new UsageError(`invalid value "${f}" for option ${entry.spelled}: unknown format "${f}"`);
  return f;
}

export const ALL_FORMATS = ["json", "yaml", "smart"] as const;
