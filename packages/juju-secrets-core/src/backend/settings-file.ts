/**
 * The one encoder of `relation-set --file -` stdin (juju-hook-tools.md §5.4). Juju reads that file as
 * YAML 1.1 (go-yaml v2), which refuses raw U+007F, C1 controls, U+FFFE/U+FFFF and folds raw NEL, LS
 * and PS. So every key and value is written as a YAML double-quoted scalar in pure printable ASCII:
 * everything else is an escape (`\uXXXX`, astral characters `\UXXXXXXXX`, since go-yaml refuses
 * surrogate escapes), and the bytes Juju stores are exactly the strings we meant.
 *
 * For BMP text the output is also valid JSON (`{"k": "v"}`); only astral characters use the YAML-only
 * `\U` escape.
 */

import { RelationDataAccessError } from "../errors.js";
import { safeText } from "../limits.js";
import type { Databag } from "./types.js";

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** One YAML double-quoted scalar, printable ASCII only. */
export function yamlQuoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return loneSurrogate();
      out += `\\U${hex(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), 8)}`;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) return loneSurrogate();
    else out += `\\u${hex(c, 4)}`;
  }
  return `${out}"`;
}

class LoneSurrogate extends Error {}
function loneSurrogate(): never {
  throw new LoneSurrogate();
}

/**
 * The stdin of `relation-set --file -` for `data` (`""` deletes a key). Throws
 * `RelationDataAccessError` (naming the bag and key, never the value) for what Juju cannot store:
 * a non-string value, an empty key, a lone UTF-16 surrogate.
 */
export function encodeRelationSettings(data: Databag, where: string): string {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new RelationDataAccessError(`${where}: relation data must be an object of strings`);
  }
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const name = safeText(key);
    if (key === "") throw new RelationDataAccessError(`${where}: relation data keys must not be empty`);
    if (typeof value !== "string") {
      throw new RelationDataAccessError(
        `${where} key "${name}": relation data values must be strings, got ${value === null ? "null" : typeof value}`,
      );
    }
    try {
      parts.push(`${yamlQuoted(key)}: ${yamlQuoted(value)}`);
    } catch (e) {
      if (!(e instanceof LoneSurrogate)) throw e;
      throw new RelationDataAccessError(`${where} key "${name}": contains a lone UTF-16 surrogate`);
    }
  }
  return `{${parts.join(", ")}}`;
}
