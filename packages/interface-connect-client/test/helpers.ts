/**
 * Test helpers: the recorded fixture, a related in-memory model, single hooks of in-process charms
 * (commit on success, roll back on failure, like Juju), and a tiny JSON Schema checker.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  type CommitResult,
  type HookEvent,
  hookContextFor,
  JujuModel,
  MemoryBackend,
  sessionOptionsFor,
} from "@charm-relations/juju-secrets-core/testing";
import { charmRunner } from "../src/testing.js";

export type Bag = Record<string, string>;
export interface RecordedSecret {
  owner: string;
  owner_label: string;
  consumer_labels: string[];
  grants: Record<string, string[]>;
  content_by_revision: Record<string, Bag>;
  latest_revision: number;
}
export interface RecordedSnapshot {
  leaders: Record<string, string>;
  provider_app_databag: Bag;
  provider_unit_databags: Record<string, Bag>;
  requirer_app_databag: Bag;
  requirer_unit_databags: Record<string, Bag>;
  requirer_observed: Record<string, Record<string, unknown>>;
  secrets: Record<string, RecordedSecret>;
}
export interface Fixture {
  interface: string;
  model_uuid: string;
  relation_id: number;
  after_relate: RecordedSnapshot;
  before_remove_relation: RecordedSnapshot;
}

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = JSON.parse(
  readFileSync(join(here, "fixtures", "connect_client.v0.json"), "utf8"),
) as Fixture;

export const ENDPOINT = "connect-client";
export const RECORDED_PLUGIN_URL = "http://10.1.1.200:8080/route/to/plugin";

/** provider and requirer (2 units each by default), related on `connect-client` (id 0), leaders /0. */
export function relatedModel(
  options: { uuid?: string; providerUnits?: number; requirerUnits?: number; jujuVersion?: string } = {},
): {
  model: JujuModel;
  relationId: number;
} {
  const model = new JujuModel({
    uuid: options.uuid ?? fixture.model_uuid,
    ...(options.jujuVersion ? { jujuVersion: options.jujuVersion } : {}),
  });
  model.addApplication("provider", {
    endpoints: { [ENDPOINT]: "provides:connect_client" },
    units: options.providerUnits ?? 2,
  });
  model.addApplication("requirer", {
    endpoints: { [ENDPOINT]: "requires:connect_client" },
    units: options.requirerUnits ?? 2,
  });
  const relationId = model.addRelation(`provider:${ENDPOINT}`, `requirer:${ENDPOINT}`);
  return { model, relationId };
}

export interface HookOutcome {
  ok: boolean;
  error?: unknown;
  commit?: CommitResult;
}

/** Run one hook on the model in place; commit on success, roll back on failure, like Juju. */
export async function runHook(
  model: JujuModel,
  event: HookEvent,
  setup: (charm: Charm) => void | Promise<void>,
): Promise<HookOutcome> {
  const context = hookContextFor(model, event);
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  try {
    await charmRunner(setup)(backend, context);
    return { ok: true, commit: backend.commit() };
  } catch (error) {
    backend.rollback();
    return { ok: false, error };
  }
}

/**
 * Put the recorded provider's secrets into the model (owner, owner label, content of `revision`,
 * granted to the relation). Returns recorded URI → our URI.
 */
export function seedRecordedSecrets(
  model: JujuModel,
  snapshot: RecordedSnapshot,
  relationId: number,
  options: { revision?: "first" | "latest" } = {},
): Map<string, string> {
  const uris = new Map<string, string>();
  for (const [uri, s] of Object.entries(snapshot.secrets)) {
    const revisions = Object.keys(s.content_by_revision)
      .map(Number)
      .sort((a, b) => a - b);
    const pick = options.revision === "first" ? revisions[0]! : revisions[revisions.length - 1]!;
    uris.set(
      uri,
      model.addSecret({
        owner: s.owner.replace(/^application:/, ""),
        content: s.content_by_revision[String(pick)]!,
        label: s.owner_label,
        grants: [{ relationId }],
      }),
    );
  }
  return uris;
}

/** Replace every recorded secret URI in a string by ours. */
export function rewrite(value: string, uris: ReadonlyMap<string, string>): string {
  let out = value;
  for (const [from, to] of uris) out = out.split(from).join(to);
  return out;
}

export function rewriteBag(bag: Bag, uris: ReadonlyMap<string, string>): Bag {
  return Object.fromEntries(Object.entries(bag).map(([k, v]) => [k, rewrite(v, uris)]));
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema (2020-12) checker for the keywords `z.toJSONSchema` emits for our bags.

type Schema = Record<string, unknown> | boolean;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The paths that fail `schema`; empty when `value` is valid. */
export function validateJsonSchema(schema: Schema, value: unknown, path = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  const s = schema;
  const errors: string[] = [];
  const actual = typeOf(value);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => t === actual || (t === "number" && actual === "integer"))) {
      return [`${path}: expected ${types.join("|")}, got ${actual}`];
    }
  }
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value))
    errors.push(`${path}: expected const`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errors.push(`${path}: not in enum`);
  if (
    Array.isArray(s.anyOf) &&
    !(s.anyOf as Schema[]).some((sub) => validateJsonSchema(sub, value, path).length === 0)
  ) {
    errors.push(`${path}: matches no anyOf branch`);
  }
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as Schema[]) errors.push(...validateJsonSchema(sub, value, path));
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && [...value].length < s.minLength) errors.push(`${path}: too short`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
      errors.push(`${path}: pattern ${s.pattern}`);
    if (s.contentMediaType === "application/json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return [...errors, `${path}: not JSON`];
      }
      if (s.contentSchema !== undefined)
        errors.push(...validateJsonSchema(s.contentSchema as Schema, parsed, `${path}<json>`));
    }
  }
  if (actual === "array" && typeof s.minItems === "number" && (value as unknown[]).length < s.minItems) {
    errors.push(`${path}: fewer than ${s.minItems} items`);
  }
  if (actual === "array" && s.items !== undefined) {
    for (const [i, item] of (value as unknown[]).entries()) {
      errors.push(...validateJsonSchema(s.items as Schema, item, `${path}[${i}]`));
    }
  }
  if (actual === "object") {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const req of (s.required ?? []) as string[])
      if (!(req in obj)) errors.push(`${path}.${req}: required`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errors.push(...validateJsonSchema(props[k]!, v, `${path}.${k}`));
      else if (s.additionalProperties !== undefined)
        errors.push(...validateJsonSchema(s.additionalProperties as Schema, v, `${path}.${k}`));
    }
  }
  return errors;
}

/** The keywords the checker understands; a schema using others would pass vacuously. */
export const KNOWN_KEYWORDS = new Set([
  "$schema",
  "type",
  "const",
  "enum",
  "anyOf",
  "allOf",
  "minLength",
  "pattern",
  "format",
  "contentMediaType",
  "contentSchema",
  "items",
  "minItems",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "description",
  "default",
  "minimum",
  "maximum",
]);

/** Every keyword used anywhere in a schema. */
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
