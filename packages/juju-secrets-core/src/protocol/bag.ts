/**
 * Databag-shaped values: v1 objects read as flat string bags (what the engines diff and resolve), and
 * the one way a non-string value becomes its databag string.
 */

import { pyDumps } from "./json.js";

/** A databag: every value a string. */
export type StringBag = Record<string, string>;

/** A v1 object value as its databag string: strings as they are, anything else as Python's JSON. */
export function wireString(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return pyDumps(value);
  } catch {
    // Floats cannot come from Python's writers; keep something comparable anyway.
    return JSON.stringify(value);
  }
}

/**
 * An object as a flat string bag: nulls and undefined dropped, other values through `wireString`.
 * Built from entries, so a remote `__proto__` key stays a key. Anything but an object is `{}`.
 */
export function toBag(value: unknown): StringBag {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(value))
    if (v !== null && v !== undefined) entries.push([k, wireString(v)]);
  return Object.fromEntries(entries);
}

/** The bag without `keys`. */
export function omitKeys(bag: Readonly<StringBag>, keys: Iterable<string>): StringBag {
  const drop = new Set(keys);
  return Object.fromEntries(Object.entries(bag).filter(([k]) => !drop.has(k)));
}
