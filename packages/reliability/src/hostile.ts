/**
 * Hostile databags: fast-check generates malformed versions of a valid remote app databag from a
 * description of what each key is (`BagRoles`), and `runHostile` pushes each one through a real charm
 * (the interface's provider or requirer on the in-memory Juju) in relation-changed.
 *
 * Every case states what must happen:
 * - `error`: a typed error, or a blocked status, naming the relation and the key; nothing written;
 * - `ignored`: the hook succeeds exactly as with the valid bag (the bad part is not ours to read);
 * - `ok`: the hook succeeds, no blocked status (unknown keys must be tolerated);
 * - `either`: the interface may accept or refuse (huge or non-ASCII values): if it refuses, as `error`.
 * In every case: no uncaught (untyped) exception, and no secret value in any text (hygiene).
 */

import { type Charm, CharmRelationsError } from "@charm-relations/juju-secrets-core";
import { parseSecretUri, pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import {
  charmRunner,
  type HookEvent,
  JujuModel,
  type ModelState,
  type RunOnceResult,
  runOnce,
} from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import type { HygieneChecker } from "./hygiene.js";
import { committedState } from "./replay.js";

export type Bag = Record<string, string>;
export type Expect = "error" | "ignored" | "ok" | "either";

export interface Hostile {
  /** `wrong JSON`, `JSON of the wrong type`, `unknown boolean spelling`, … */
  readonly category: string;
  /** The key (or v1 field) the error must name. */
  readonly key: string;
  readonly expect: Expect;
  /** A short description of the value (never a huge one). */
  readonly note: string;
  apply(valid: Bag): Bag;
  /** Also corrupt something outside the bag (a secret's content), on the case's model copy. */
  model?(model: JujuModel, valid: Bag): void;
  /**
   * The databag itself is valid (only a secret's content is bad): the local side may still record
   * its `data` snapshot of it (the secret's next revision arrives by secret-changed).
   */
  readonly bagValid?: boolean;
}

/** What the fields of a v1 request or response object are. */
export interface ObjectRoles {
  /** Fields that must be present and non-empty strings (`resource`, `salt`). */
  readonly required: readonly string[];
  /** Fields that must be a string or null. */
  readonly strings: readonly string[];
  /** Fields that must be JSON booleans. */
  readonly booleans?: readonly string[];
  readonly enums?: Readonly<Record<string, readonly (string | null)[]>>;
  readonly secretUris?: readonly string[];
  /** Free-text fields: huge and non-ASCII values are `either`. */
  readonly free?: readonly string[];
  /** Interface rules: field → arbitrary of values that must be refused. */
  readonly strict?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** The request-id must equal sha256(resource:salt)[:16]; duplicates are refused. */
  readonly checkedId: boolean;
  /**
   * A response for a resource this requirer never asked for (requirer side): a withdrawn request's
   * leftover. Must be ignored. Leave undefined on the provider side (a new request is just new).
   */
  readonly unknownResponse?: (valid: Record<string, unknown>) => Record<string, unknown>;
}

/** What the keys of a databag are. */
export interface BagRoles {
  /** Keys whose absence must be refused. */
  readonly required?: readonly string[];
  /** JSON arrays of strings (`requested-secrets`). */
  readonly jsonStringArrays?: readonly string[];
  /** Other JSON-valued keys and the JSON type they must hold. */
  readonly json?: Readonly<Record<string, "array" | "object">>;
  /** Lenient booleans (`true`/`enabled`/`yes`/`on`/`1` and their negatives). */
  readonly booleans?: readonly string[];
  readonly enums?: Readonly<Record<string, readonly string[]>>;
  readonly secretUris?: readonly string[];
  /** Free text: huge, non-ASCII and blank values are `either`. */
  readonly free?: readonly string[];
  /** Interface rules: key → arbitrary of values that must be refused. */
  readonly strict?: Readonly<Record<string, fc.Arbitrary<string>>>;
  /** Keys that must not change once the request was answered (provider side, answered base). */
  readonly immutable?: readonly string[];
  /** `version`: any other value than these (or absence, when allowed) is refused. */
  readonly version?: { readonly allowed: readonly string[] };
  /** The v1 list key (`requests`) and what its objects hold. */
  readonly v1?: ObjectRoles;
  /** `data` is the other side's business: garbage there must be ignored. */
  readonly dataIgnored?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Value arbitraries

/** Python's bytes when it can (integers only), else plain JSON (a hostile writer may send floats). */
const dumps = (v: unknown): string => {
  try {
    return pyDumps(v);
  } catch {
    return JSON.stringify(v);
  }
};

const isJson = (s: string): boolean => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Non-empty text that is not JSON (Juju cannot store an empty value: "" deletes the key). */
export const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "{",
    "[1,",
    "nope",
    "{'a': 1}",
    '["a",]',
    "NaN",
    "undefined",
    '["unterminated]',
    '{"a" 1}',
    "True",
    " ",
  ),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !isJson(s)),
);

type JsonKind = "array" | "object" | "string" | "number" | "boolean" | "null";
const kindOf = (v: unknown): JsonKind =>
  v === null ? "null" : Array.isArray(v) ? "array" : (typeof v as "object" | "string" | "number" | "boolean");

/** JSON text of any type but `not` (and, for string arrays, arrays with a non-string item). */
export function jsonNot(not: JsonKind, options: { stringItems?: boolean } = {}): fc.Arbitrary<string> {
  const values = fc.jsonValue({ maxDepth: 2 }).filter((v) => kindOf(v) !== not);
  const badArrays = options.stringItems
    ? [
        fc
          .array(
            fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string())),
            { minLength: 1, maxLength: 3 },
          )
          .map((a) => ["ok", ...a]),
      ]
    : [];
  return fc.oneof(values, ...badArrays).map((v) => dumps(v));
}

const KNOWN_BOOLS = new Set(["true", "enabled", "yes", "on", "1", "false", "disabled", "no", "off", "0", ""]);
/** Boolean spellings nobody writes: refused by lenient readers. */
export const unknownBool: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "ture",
    "TRUE!",
    "y",
    "t",
    "2",
    "-1",
    "nil",
    "None",
    "si",
    "tru e",
    "yes please",
    "oui",
    "✓",
    "0x1",
  ),
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !KNOWN_BOOLS.has(s.trim().toLowerCase())),
);

/** Strings that are not secret URIs in any of Juju's three forms. */
export const invalidUri: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "secret:",
    "secret://",
    "secret:ABCDEFGHIJKLMNOPQRST",
    "secret://not-a-uuid/d2fjn1fmp25004or68b0",
    "secret:d2fjn1fmp25004or68b",
    "https://example.com/secret",
    "secret:d2fjn1fmp25004or68b0/extra",
    "$SECRET",
    "../../etc/passwd",
  ),
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => s.trim() !== "" && parseSecretUri(s) === undefined),
);

/** 64 KiB – 256 KiB of text (a broken or hostile writer; Juju allows much more). */
export const huge: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 64 * 1024, max: 256 * 1024 }), fc.constantFrom("a", "é", "0", "🙂", ","))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

/** Text with at least one non-ASCII character (accents, CJK, emoji, RTL, NUL). */
export const nonAscii: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("数据库", "база", "café", "🙂🙂", "\u202eevil", "a\u0000b", "\ud800"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter((s) => /[^\x20-\x7e]/.test(s)),
);

/**
 * Comma lists with at least one item that is not `host:port` (port 1–5 digits). Never a `scheme://`
 * prefix: some interfaces deliberately accept and strip one (etcd_client); see `schemeHostPorts`.
 */
export const badHostPorts: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("nope", "10.0.0.1", "a b:1", "host:", ":6379", "host:port", "host:123456", "10.0.0.1:1,x"),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter(
      (s) =>
        !s.includes("://") &&
        s
          .split(",")
          .some((i) => i.trim() !== "" && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/.test(i.trim())),
    ),
);

/** `host:port` with a scheme, for interfaces whose endpoints must not carry one. */
export const schemeHostPorts: fc.Arbitrary<string> = fc.constantFrom(
  "https://x:1",
  "http://10.0.0.1:6379",
  "redis://a:1",
);

/** Keys nobody defined (must be tolerated and ignored). */
const unknownKey: fc.Arbitrary<string> = fc.stringMatching(/^x-[a-z][a-z0-9-]{0,14}$/);

const show = (s: unknown): string => {
  const text = typeof s === "string" ? s : JSON.stringify(s);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
};

// ---------------------------------------------------------------------------------------------
// Bag mutations

function setKey(
  category: string,
  key: string,
  expect: Expect,
  value: fc.Arbitrary<string>,
): fc.Arbitrary<Hostile> {
  return value.map((v) => ({
    category,
    key,
    expect,
    note: `${key} = ${show(v)}`,
    apply: (bag: Bag) => ({ ...bag, [key]: v }),
  }));
}

function deleteKey(category: string, key: string, expect: Expect): fc.Arbitrary<Hostile> {
  return fc.constant({
    category,
    key,
    expect,
    note: `${key} deleted`,
    apply: (bag: Bag) => {
      const out = { ...bag };
      delete out[key];
      return out;
    },
  });
}

/** Mutations of a flat (v0-style) bag, from its roles. Only keys present in `valid` are mutated. */
export function flatMutations(
  roles: BagRoles,
  valid: Bag,
  options: { answered?: boolean } = {},
): fc.Arbitrary<Hostile>[] {
  const has = (k: string) => valid[k] !== undefined;
  const out: fc.Arbitrary<Hostile>[] = [];
  for (const k of roles.jsonStringArrays ?? []) {
    out.push(setKey("wrong JSON", k, "error", notJson));
    out.push(setKey("JSON of the wrong type", k, "error", jsonNot("array", { stringItems: true })));
  }
  for (const [k, kind] of Object.entries(roles.json ?? {})) {
    out.push(setKey("wrong JSON", k, "error", notJson));
    out.push(setKey("JSON of the wrong type", k, "error", jsonNot(kind)));
  }
  for (const k of roles.booleans ?? []) out.push(setKey("unknown boolean spelling", k, "error", unknownBool));
  for (const [k, allowed] of Object.entries(roles.enums ?? {})) {
    out.push(
      setKey(
        "value outside the enum",
        k,
        "error",
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !allowed.includes(s)),
      ),
    );
  }
  for (const k of roles.secretUris ?? []) out.push(setKey("invalid secret URI", k, "error", invalidUri));
  for (const [k, bad] of Object.entries(roles.strict ?? {}))
    out.push(setKey("value the interface refuses", k, "error", bad));
  for (const k of roles.required ?? []) if (has(k)) out.push(deleteKey("missing key", k, "error"));
  if (roles.version) {
    const allowed = roles.version.allowed;
    out.push(
      setKey(
        "unknown contract version",
        "version",
        "error",
        fc
          .oneof(fc.constantFrom("v2", "V1", " v1", "v0", "1"), fc.string({ minLength: 1, maxLength: 6 }))
          .filter((s) => !allowed.includes(s)),
      ),
    );
  }
  for (const k of roles.free ?? []) {
    out.push(setKey("huge value", k, "either", huge));
    out.push(setKey("non-ASCII value", k, "either", nonAscii));
    out.push(setKey("blank value", k, "either", fc.constantFrom(" ", "\t", "\n", " , ")));
  }
  if (options.answered) {
    for (const k of roles.immutable ?? []) {
      if (has(k))
        out.push(
          setKey(
            "changed after the answer",
            k,
            "error",
            fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/).filter((s) => s !== valid[k]),
          ),
        );
    }
  }
  // Any present key, optional by the roles: deleting it may be refused or accepted, never crash.
  const optional = Object.keys(valid).filter((k) => !(roles.required ?? []).includes(k) && k !== "data");
  if (optional.length) {
    out.push(fc.constantFrom(...optional).chain((k) => deleteKey("missing key", k, "either")));
  }
  out.push(
    fc
      .tuple(
        unknownKey,
        fc.oneof(
          fc.string({ maxLength: 20 }).filter((s) => s !== ""),
          nonAscii,
        ),
      )
      .map(([k, v]) => ({
        category: "extra key",
        key: k,
        expect: "ok" as const,
        note: `${k} = ${show(v)}`,
        apply: (bag: Bag) => ({ ...bag, [k]: v }),
      })),
  );
  if (roles.dataIgnored) {
    out.push(
      setKey(
        "a data that does not match",
        "data",
        "ignored",
        fc.oneof(
          notJson,
          fc.json({ maxDepth: 2 }).filter((s) => s !== ""),
        ),
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// v1 object mutations

function v1Objects(bag: Bag): Record<string, unknown>[] {
  return JSON.parse(bag.requests ?? "[]") as Record<string, unknown>[];
}

function setObjects(
  category: string,
  key: string,
  expect: Expect,
  note: string,
  edit: (objs: Record<string, unknown>[]) => void,
): Hostile {
  return {
    category,
    key,
    expect,
    note,
    apply: (bag: Bag) => {
      const objs = v1Objects(bag);
      edit(objs);
      return { ...bag, requests: dumps(objs) };
    },
  };
}

/** An edit setting field `f` of object `i` to `v`. */
const put =
  (i: number, f: string, v: unknown) =>
  (o: Record<string, unknown>[]): void => {
    o[i]![f] = v;
  };

/** A JSON value whose type is not allowed for a "string or null" field. */
const notStringOrNull = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 2 }),
);

/** Mutations of a v1 bag (`requests` list) from its object roles. */
export function v1Mutations(roles: ObjectRoles, valid: Bag): fc.Arbitrary<Hostile>[] {
  const n = v1Objects(valid).length;
  if (n === 0) return [];
  const index = fc.integer({ min: 0, max: n - 1 });
  const out: fc.Arbitrary<Hostile>[] = [
    setKey("wrong JSON", "requests", "error", notJson),
    setKey("JSON of the wrong type", "requests", "error", jsonNot("array")),
    fc
      .tuple(
        index,
        fc.jsonValue({ maxDepth: 1 }).filter((v) => kindOf(v) !== "object"),
      )
      .map(([i, v]) =>
        setObjects("JSON of the wrong type", "requests", "error", `requests[${i}] = ${show(v)}`, (o) => {
          (o as unknown[])[i] = v;
        }),
      ),
  ];
  for (const f of roles.required) {
    out.push(
      index.map((i) =>
        setObjects("missing key", f, "error", `requests[${i}].${f} deleted`, (o) => void delete o[i]![f]),
      ),
    );
    out.push(
      index.map((i) => setObjects("empty string", f, "error", `requests[${i}].${f} = ""`, put(i, f, ""))),
    );
  }
  for (const f of [...roles.required, ...roles.strings]) {
    out.push(
      fc
        .tuple(index, notStringOrNull)
        .map(([i, v]) =>
          setObjects("JSON of the wrong type", f, "error", `requests[${i}].${f} = ${show(v)}`, put(i, f, v)),
        ),
    );
  }
  for (const f of roles.booleans ?? []) {
    out.push(
      fc
        .tuple(index, fc.oneof(fc.constantFrom("true", "false", "yes", 1, 0, null), unknownBool))
        .map(([i, v]) =>
          setObjects(
            "unknown boolean spelling",
            f,
            "error",
            `requests[${i}].${f} = ${show(v)}`,
            put(i, f, v),
          ),
        ),
    );
  }
  for (const [f, allowed] of Object.entries(roles.enums ?? {})) {
    out.push(
      fc
        .tuple(
          index,
          fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !allowed.includes(s)),
        )
        .map(([i, v]) =>
          setObjects("value outside the enum", f, "error", `requests[${i}].${f} = ${show(v)}`, put(i, f, v)),
        ),
    );
  }
  for (const f of roles.secretUris ?? []) {
    out.push(
      fc
        .tuple(index, invalidUri)
        .map(([i, v]) =>
          setObjects("invalid secret URI", f, "error", `requests[${i}].${f} = ${show(v)}`, put(i, f, v)),
        ),
    );
  }
  for (const [f, bad] of Object.entries(roles.strict ?? {})) {
    out.push(
      fc
        .tuple(index, bad)
        .map(([i, v]) =>
          setObjects(
            "value the interface refuses",
            f,
            "error",
            `requests[${i}].${f} = ${show(v)}`,
            put(i, f, v),
          ),
        ),
    );
  }
  for (const f of roles.free ?? []) {
    out.push(
      fc
        .tuple(index, huge)
        .map(([i, v]) =>
          setObjects("huge value", f, "either", `requests[${i}].${f} = ${show(v)}`, put(i, f, v)),
        ),
    );
    out.push(
      fc
        .tuple(index, nonAscii)
        .map(([i, v]) =>
          setObjects("non-ASCII value", f, "either", `requests[${i}].${f} = ${show(v)}`, put(i, f, v)),
        ),
    );
  }
  if (roles.checkedId) {
    out.push(
      fc
        .tuple(index, fc.stringMatching(/^[0-9a-f]{16}$/))
        .map(([i, id]) =>
          setObjects(
            "request id that does not match",
            "request-id",
            "error",
            `requests[${i}].request-id = ${id}`,
            put(i, "request-id", id),
          ),
        ),
    );
    out.push(
      index.map((i) =>
        setObjects(
          "duplicate request id",
          "request-id",
          "error",
          `requests[${i}] twice`,
          (o) => void o.push({ ...o[i]! }),
        ),
      ),
    );
  }
  if (roles.unknownResponse) {
    const make = roles.unknownResponse;
    out.push(
      index.map((i) =>
        setObjects(
          "unknown request id",
          "request-id",
          "ignored",
          `a response to a request never made (after #${i})`,
          (o) => void o.splice(i + 1, 0, make(o[i]!)),
        ),
      ),
    );
  }
  out.push(
    fc
      .tuple(index, unknownKey, fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)))
      .map(([i, k, v]) => setObjects("extra key", k, "ok", `requests[${i}].${k} = ${show(v)}`, put(i, k, v))),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running cases through a charm

export interface HostileBase {
  /** The model with a valid remote bag in place. */
  readonly state: ModelState;
  readonly relationId: number;
  /** The remote app whose app databag is replaced. */
  readonly remoteApp: string;
  /** Replace this remote unit's databag instead (unit-bag protocols such as legacy etcd). */
  readonly remoteUnit?: string;
  /** Local units to run relation-changed on (leader first). */
  readonly units: readonly string[];
  /** Which base this is (`fresh`, `answered`), for reports. */
  readonly label: string;
}

export interface HostileTarget {
  /** `postgresql_client provider v0`. */
  readonly name: string;
  /** Key for the counts: the interface. */
  readonly subject: string;
  /** The local endpoint (for the relation name in messages). */
  readonly endpoint: string;
  /** The local charm, with no `invalid` / `requestInvalid` listener (so refusals show as blocked). */
  readonly setup: (charm: Charm) => void | Promise<void>;
  readonly bases: () => Promise<HostileBase[]>;
  readonly roles: BagRoles;
  /** Interface-specific extra cases, on top of those derived from the roles. */
  readonly extra?: (valid: Bag, base: string) => fc.Arbitrary<Hostile>[];
  /** fast-check runs per base (default 100). */
  readonly runs?: number;
}

export interface HostileFinding {
  readonly target: string;
  readonly base: string;
  readonly unit: string;
  readonly category: string;
  readonly note: string;
  readonly problem: string;
}

export interface HostileStats {
  cases: number;
  byCategory: Record<string, number>;
  byOutcome: Record<string, number>;
}

function blockedMessages(r: RunOnceResult): string[] {
  return r.calls
    .filter((c) => c.tool === "status-set" && c.argv.includes("blocked"))
    .map((c) => c.argv.slice(c.argv.indexOf("--") + 1).join(" "));
}

function wrote(r: RunOnceResult, relationId: number, snapshotOk = false): string | undefined {
  const c = r.commit;
  if (!c) return undefined;
  const snapshotOnly = (b: { set: Record<string, string>; deleted: string[] }) =>
    b.deleted.length === 0 && Object.keys(b.set).every((k) => k === "data");
  const bags = c.databags.filter((b) => b.relationId === relationId && !(snapshotOk && snapshotOnly(b)));
  if (bags.length)
    return `wrote ${bags.map((b) => `${b.owner} ${[...Object.keys(b.set), ...b.deleted].join(",")}`).join("; ")}`;
  const s = c.secrets;
  if (s.created.length || s.updated.length || s.removed.length || s.revisionsRemoved.length) {
    return `changed secrets (created ${s.created.length}, updated ${s.updated.length}, removed ${s.removed.length})`;
  }
  return undefined;
}

const firstLine = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0]!.slice(0, 300);

/** Judge one run; returns the problem, or undefined when the outcome is as required. */
function judge(
  h: Hostile,
  r: RunOnceResult,
  relation: string,
  relationId: number,
  remoteApp: string,
  asValid: RunOnceResult | undefined,
): { problem?: string; outcome: string } {
  const blocked = blockedMessages(r);
  const named = (m: string) => m.includes(relation) && m.includes(h.key);
  if (!r.ok) {
    if (!(r.error instanceof CharmRelationsError))
      return { problem: `uncaught ${firstLine(r.error)}`, outcome: "crash" };
    if (h.expect === "ok" || h.expect === "ignored")
      return { problem: `refused: ${firstLine(r.error)}`, outcome: "typed error" };
    const m = (r.error as Error).message;
    if (h.expect === "error" ? !named(m) : !m.includes(relation)) {
      return {
        problem: `error does not name ${relation} and "${h.key}": ${firstLine(r.error)}`,
        outcome: "typed error",
      };
    }
    return { outcome: "typed error" };
  }
  const refusal = blocked.find((m) => m.includes(relation));
  if (h.expect === "ok" || h.expect === "ignored") {
    if (blocked.length) return { problem: `blocked: ${blocked[0]!.slice(0, 300)}`, outcome: "blocked" };
    if (h.expect === "ignored" && asValid?.ok) {
      // The remote bag itself differs (that is the case); everything else must not.
      const without = (st: ModelState) => {
        const copy = structuredClone(st);
        delete copy.relations[String(relationId)]?.appData[remoteApp];
        for (const u of Object.keys(copy.relations[String(relationId)]?.unitData ?? {})) {
          if (u.startsWith(`${remoteApp}/`)) delete copy.relations[String(relationId)]!.unitData[u];
        }
        return JSON.stringify(committedState(copy));
      };
      const a = without(r.state);
      const b = without(asValid.state);
      if (a !== b) return { problem: "outcome differs from the valid bag's", outcome: "accepted" };
    }
    return { outcome: "accepted" };
  }
  if (h.expect === "either" && !refusal) {
    if (blocked.length)
      return {
        problem: `blocked without naming ${relation}: ${blocked[0]!.slice(0, 300)}`,
        outcome: "blocked",
      };
    return { outcome: "accepted" };
  }
  if (!refusal) {
    return {
      problem: blocked.length
        ? `blocked without naming ${relation}: ${blocked[0]!.slice(0, 300)}`
        : `accepted (no error, no blocked status)${wrote(r, relationId) ? `; ${wrote(r, relationId)}` : ""}`,
      outcome: "accepted",
    };
  }
  if (h.expect === "error" && !named(refusal))
    return {
      problem: `blocked status does not name "${h.key}": ${refusal.slice(0, 300)}`,
      outcome: "blocked",
    };
  const w = wrote(r, relationId, h.bagValid);
  if (w) return { problem: `refused but ${w}`, outcome: "blocked" };
  return { outcome: "blocked" };
}

/**
 * Run `runs` generated cases per base of `target` through its charm; every finding is collected
 * (fast-check does not stop at the first one), statistics go to `stats`.
 */
export async function runHostile(
  target: HostileTarget,
  options: { seed?: number; runs?: number; hygiene?: HygieneChecker } = {},
): Promise<{ findings: HostileFinding[]; stats: HostileStats }> {
  const findings: HostileFinding[] = [];
  const stats: HostileStats = { cases: 0, byCategory: {}, byOutcome: {} };
  const runner = charmRunner(target.setup);
  for (const base of await target.bases()) {
    const valid = base.remoteUnit
      ? JujuModel.fromJSON(base.state).unitBag(base.relationId, base.remoteUnit)
      : JujuModel.fromJSON(base.state).appBag(base.relationId, base.remoteApp);
    const mutations = [
      ...flatMutations(target.roles, valid, { answered: base.label === "answered" }),
      ...(target.roles.v1 && valid.requests ? v1Mutations(target.roles.v1, valid) : []),
      ...(target.extra?.(valid, base.label) ?? []),
    ];
    const validRuns = new Map<string, RunOnceResult>();
    for (const unit of base.units) {
      const event: HookEvent = {
        unit,
        kind: "relation-changed",
        relationId: base.relationId,
        ...(base.remoteUnit ? { remoteUnit: base.remoteUnit } : {}),
      };
      validRuns.set(unit, await runOnce(runner, base.state, event, { rethrow: false }));
    }
    const cases = fc.sample(fc.oneof(...mutations), {
      numRuns: options.runs ?? target.runs ?? 100,
      seed: options.seed ?? 9,
    });
    for (const h of cases) {
      stats.cases += 1;
      stats.byCategory[h.category] = (stats.byCategory[h.category] ?? 0) + 1;
      const model = JujuModel.fromJSON(base.state);
      if (base.remoteUnit) model.setUnitBag(base.relationId, base.remoteUnit, h.apply(valid));
      else model.setAppBag(base.relationId, base.remoteApp, h.apply(valid));
      h.model?.(model, valid);
      for (const unit of base.units) {
        const event: HookEvent = {
          unit,
          kind: "relation-changed",
          relationId: base.relationId,
          ...(base.remoteUnit ? { remoteUnit: base.remoteUnit } : {}),
        };
        const r = await runOnce(runner, model, event, { rethrow: false });
        const verdict = judge(
          h,
          r,
          `${target.endpoint}:${base.relationId}`,
          base.relationId,
          base.remoteApp,
          validRuns.get(unit),
        );
        stats.byOutcome[verdict.outcome] = (stats.byOutcome[verdict.outcome] ?? 0) + 1;
        if (options.hygiene) {
          // A requirer bag without (or with an empty) `requested-secrets` asks for the plain-text
          // fallback (protocol §4.4): credentials in the provider's bag are then expected.
          const bag = h.apply(valid);
          const plain =
            bag.version !== "v1" &&
            (bag["requested-secrets"] === undefined || bag["requested-secrets"].trim() === "[]");
          options.hygiene.observe(r.state, { plainBags: plain && !base.remoteUnit });
          if (!r.ok) options.hygiene.error(r.error, `${target.name} ${h.category}`);
        }
        if (verdict.problem) {
          findings.push({
            target: target.name,
            base: base.label,
            unit,
            category: h.category,
            note: h.note,
            problem: verdict.problem,
          });
        }
      }
    }
  }
  return { findings, stats };
}

/** Group findings for a readable assertion diff: one line per distinct (category, problem start). */
export function summarize(findings: readonly HostileFinding[]): string[] {
  const seen = new Map<string, number>();
  const first = new Map<string, HostileFinding>();
  for (const f of findings) {
    const k = `${f.base} ${f.category}: ${f.problem.replace(/\d+/g, "N").slice(0, 120)}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if (!first.has(k)) first.set(k, f);
  }
  return [...seen].map(([k, n]) => {
    const f = first.get(k)!;
    return `${f.target} [${f.base}, ${f.unit}] ${f.category} (${f.note}) ×${n}: ${f.problem}`;
  });
}
