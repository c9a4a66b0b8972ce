/**
 * The v0 `data` snapshot and databag diff (protocol §4.6). Each side stores a JSON copy of the other
 * side's app bag under `data` and diffs against it on the next relation-changed.
 */

import { wireString } from "./bag.js";
import { jsonType } from "./codecs.js";
import { compareUtf8, parseJson, pyDumps, sortedEntries } from "./json.js";

/** The databag key holding the snapshot. */
export const SNAPSHOT_KEY = "data";

export interface BagDiff {
  /** Keys only in the current bag. */
  readonly added: string[];
  /** Keys in both bags whose values differ. */
  readonly changed: string[];
  /** Keys only in the old bag. */
  readonly deleted: string[];
}

/** Compare two bags key by key (Python's `diff`); each list is sorted by UTF-8 byte order. */
export function diffBags(
  old: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>>,
): BagDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const deleted: string[] = [];
  for (const key of Object.keys(current)) {
    if (!Object.hasOwn(old, key)) added.push(key);
    else if (old[key] !== current[key]) changed.push(key);
  }
  for (const key of Object.keys(old)) {
    if (!Object.hasOwn(current, key)) deleted.push(key);
  }
  return {
    added: added.sort(compareUtf8),
    changed: changed.sort(compareUtf8),
    deleted: deleted.sort(compareUtf8),
  };
}

/** True when a diff has no entries. */
export function isEmptyDiff(diff: BagDiff): boolean {
  return diff.added.length === 0 && diff.changed.length === 0 && diff.deleted.length === 0;
}

/** The remote bag as a snapshot sees it: everything but its own `data`. */
export function withoutSnapshot(bag: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(bag).filter(([key]) => key !== SNAPSHOT_KEY));
}

/**
 * The value to store under `data`: the other side's app bag minus `data`, keys sorted by UTF-8 bytes
 * (Juju's order), serialized like Python's `json.dumps`. JSON-valued entries stay strings, so they
 * are double-encoded exactly as in the recorded fixtures.
 */
export function v0Snapshot(bag: Readonly<Record<string, string>>): string {
  // A Map keeps the sorted order even for integer-like keys.
  return pyDumps(new Map(sortedEntries(withoutSnapshot(bag))));
}

export type ParsedV0Snapshot =
  | { readonly ok: true; readonly present: boolean; readonly bag: Record<string, string> }
  | {
      readonly ok: false;
      readonly present: true;
      readonly bag: Record<string, string>;
      readonly error: string;
    };

/**
 * Read a stored `data` value. Missing or `""` gives `{}` (`present: false`). Not a JSON object gives
 * `{}` with `ok: false` and the rule broken. Non-string members (a Python v1 provider answering v0
 * stores real arrays, I-12) are re-encoded with `pyDumps`, which gives back the databag string.
 */
export function parseV0Snapshot(raw?: string | null): ParsedV0Snapshot {
  if (raw === undefined || raw === null || raw === "") return { ok: true, present: false, bag: {} };
  const parsed = parseJson(raw);
  if (!parsed.ok) return { ok: false, present: true, bag: {}, error: parsed.error };
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, present: true, bag: {}, error: `expected a JSON object, got ${jsonType(value)}` };
  }
  // Entries, not assignment: a `__proto__` key must stay a plain key.
  const entries: [string, string][] = [];
  for (const [key, item] of Object.entries(value)) {
    entries.push([key, wireString(item)]);
  }
  return { ok: true, present: true, bag: Object.fromEntries(entries) };
}
