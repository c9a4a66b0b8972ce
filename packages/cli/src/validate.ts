/**
 * `validate`: check databags against an interface's schemas. Every violation names the bag, the key,
 * the rule and the value's shape (`string of 12 chars`) — never the value, which may be a credential.
 *
 * Two inputs: a bare databag (`--side` says who wrote it, `--bag` which bag), or a `juju show-unit`
 * dump, where each relation shows the *other* application's bag (`application-data`), the other
 * application's unit bags (`related-units`) and the dumped unit's own bag (`local-unit`).
 */

import type { Contract } from "@charm-relations/juju-secrets-core";
import type { BagKind, Side } from "@charm-relations/juju-secrets-core/interface";
import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import { UsageError } from "./args.js";
import { shown } from "./escape.js";
import type { DumpRelation } from "./input.js";
import { INTERFACES, type InterfaceEntry, interfacesForEndpoint } from "./interfaces.js";
import { judge } from "./judgement.js";

export type ContractChoice = Contract | "auto";

export interface Violation {
  readonly key: string;
  readonly rule: string;
  /** The value's shape (`string of 12 chars`, `nothing`), never the value. */
  readonly shape?: string;
}

export interface BagCheck {
  readonly interface: string;
  /** `endpoint:id` for bags from a dump. */
  readonly relation?: string;
  /** Whose bag: the side that writes it. */
  readonly side: Side;
  readonly bag: BagKind;
  /** App name (app bag) or unit name (unit bag), when known. */
  readonly owner?: string;
  /** The contract the bag was checked under (`null` when none applies). */
  readonly contract: Contract | null;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
}

export interface ValidationReport {
  readonly ok: boolean;
  readonly input: "databag" | "show-unit";
  readonly source: string;
  readonly interfaces: readonly string[];
  readonly checks: readonly BagCheck[];
  /** How sides, contracts and relations were chosen (for the reader; never data). */
  readonly notes: readonly string[];
  readonly summary: {
    readonly bags: number;
    readonly valid: number;
    readonly invalid: number;
    readonly violations: number;
  };
}

const PROVIDER_APP_KEYS = [
  "secret-user",
  "secret-tls",
  "secret-entity",
  "secret-extra",
  "endpoints",
  "read-only-endpoints",
  "username",
  "password",
  "uris",
  "tls",
  "tls-ca",
  "subordinated",
  "prefix-databases",
  "status",
  "data",
  "sentinel_endpoints",
  "sentinel-endpoints",
];
const REQUIRER_APP_KEYS = [
  "requested-secrets",
  "provided-secrets",
  "requested-entity-secret",
  "secret-mtls",
  "mtls-cert",
  "plugin-url",
  "prefix",
];
const PROVIDER_UNIT_KEYS = ["connection_string", "client_cert", "client_key", "client_ca", "state"];
const REQUIRER_UNIT_KEYS = ["data", "requested-secrets", "provided-secrets"];

/**
 * Which side wrote a bag, from its keys: provider answers carry endpoints, secrets and snapshots;
 * requests carry secret lists and resource keys. `undefined` when nothing tells (an empty bag).
 */
export function guessSide(
  bag: Readonly<Record<string, unknown>>,
  kind: BagKind,
  entry?: InterfaceEntry,
): Side | undefined {
  const has = (k: string) => Object.hasOwn(bag, k);
  if (kind === "unit") {
    if (PROVIDER_UNIT_KEYS.some(has)) return "provider";
    if (REQUIRER_UNIT_KEYS.some(has)) return "requirer";
    return undefined;
  }
  if (PROVIDER_APP_KEYS.some(has)) return "provider";
  if (REQUIRER_APP_KEYS.some(has)) return "requirer";
  if (bag.version === "v1" && typeof bag.requests === "string") {
    // v1 responses carry provider fields; v1 requests carry a salt and nothing answered.
    return /"(secret-user|secret-tls|endpoints)"\s*:/.test(bag.requests) ? "provider" : "requirer";
  }
  if (entry?.resourceKey && has(entry.resourceKey)) return "requirer";
  return undefined;
}

/** v1 when the bag says `version: v1`; otherwise v0 (where `version` is the engine's version). */
export function detectContract(appBag: Readonly<Record<string, unknown>>): Contract {
  return appBag.version === "v1" ? "v1" : "v0";
}

const REF = (endpoint: string, id: number) => ({ endpoint, id });

/** Check one bag; never throws for bad data. */
export function checkBag(
  entry: InterfaceEntry,
  bag: unknown,
  options: {
    readonly side: Side;
    readonly bag: BagKind;
    readonly contract: Contract;
    readonly relation?: { readonly endpoint: string; readonly id: number };
    readonly owner?: string;
  },
): BagCheck {
  const base = {
    interface: entry.name,
    ...(options.relation ? { relation: `${options.relation.endpoint}:${options.relation.id}` } : {}),
    side: options.side,
    bag: options.bag,
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
    contract: options.contract,
  };
  const schemas = entry.schemas[options.side][options.contract];
  if (!schemas) {
    const known = Object.keys(entry.schemas[options.side]).join(", ");
    return {
      ...base,
      ok: false,
      violations: [
        {
          key: options.bag === "app" ? "version" : "(databag)",
          rule: `contract ${options.contract} is not covered by ${entry.package} (it validates ${known})`,
        },
      ],
    };
  }
  const result = parseBag(schemas[options.bag], bag, {
    relation: options.relation ?? REF(entry.endpoints[options.side][0] ?? "endpoint", 0),
    side: options.side,
    bag: options.bag,
  });
  const violations: Violation[] = result.ok
    ? []
    : result.error.issues.map((i) => ({
        key: i.key,
        rule: i.rule,
        ...(i.shape !== undefined ? { shape: i.shape } : {}),
      }));
  // What the real consumers would choke on, for keys the schema found nothing wrong with.
  const flagged = new Set(violations.map((v) => v.key));
  for (const v of judge(entry, bag, options.side)) if (!flagged.has(v.key)) violations.push(v);
  return { ...base, ok: violations.length === 0, violations: dedupe(violations) };
}

function dedupe(list: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = `${v.key}\u0000${v.rule}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function summarise(
  input: "databag" | "show-unit",
  source: string,
  checks: readonly BagCheck[],
  notes: readonly string[],
): ValidationReport {
  const invalid = checks.filter((c) => !c.ok).length;
  return {
    ok: invalid === 0 && checks.length > 0,
    input,
    source,
    interfaces: [...new Set(checks.map((c) => c.interface))],
    checks,
    notes,
    summary: {
      bags: checks.length,
      valid: checks.length - invalid,
      invalid,
      violations: checks.reduce((n, c) => n + c.violations.length, 0),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Bare databags

export interface DatabagOptions {
  readonly side?: Side;
  /** Default: the interface's `defaultBag`. */
  readonly bag?: BagKind;
  readonly contract: ContractChoice;
}

export function validateDatabag(
  entry: InterfaceEntry,
  bag: Record<string, unknown>,
  source: string,
  options: DatabagOptions,
): ValidationReport {
  const notes: string[] = [];
  const kind = options.bag ?? entry.defaultBag;
  if (options.bag === undefined && kind !== "app")
    notes.push(`bag: ${kind} (${entry.name} has no application databag; pass --bag to override)`);
  let side = options.side;
  if (!side) {
    side = guessSide(bag, kind, entry);
    if (!side) {
      throw new UsageError(
        `cannot tell which side wrote this ${kind} databag: pass --side provider or --side requirer`,
        "validate",
      );
    }
    notes.push(`side: ${side} (from the keys present; pass --side to override)`);
  }
  const contract = resolveContract(entry, options.contract, kind === "app" ? bag : undefined);
  if (options.contract === "auto") notes.push(`contract: ${contract} (${contractReason(entry, bag, kind)})`);
  return summarise("databag", source, [checkBag(entry, bag, { side, bag: kind, contract })], notes);
}

function contractReason(
  entry: InterfaceEntry,
  bag: Readonly<Record<string, unknown>>,
  kind: BagKind,
): string {
  if (kind === "unit") return "unit databags are the same under every contract";
  if (bag.version === "v1") return 'version is "v1"';
  return entry.contracts.length === 1 ? `the only contract of ${entry.name}` : 'no version "v1" key';
}

function resolveContract(
  entry: InterfaceEntry,
  choice: ContractChoice,
  appBag: Readonly<Record<string, unknown>> | undefined,
): Contract {
  if (choice !== "auto") return choice;
  if (appBag) return detectContract(appBag);
  return entry.contracts.includes(entry.defaultContract)
    ? entry.defaultContract
    : (entry.contracts[0] ?? "v0");
}

// ---------------------------------------------------------------------------------------------
// juju show-unit dumps

export interface DumpOptions {
  readonly interface?: InterfaceEntry;
  /** Only relations of this (dumped unit's) endpoint. */
  readonly endpoint?: string;
  /** The side of the dumped unit (default: detected per relation). */
  readonly side?: Side;
  readonly contract: ContractChoice;
}

/** The relations to check, each with the interface it speaks. */
export function selectRelations(
  relations: readonly DumpRelation[],
  options: Pick<DumpOptions, "interface" | "endpoint">,
  skipped: string[] = [],
): { relation: DumpRelation; entry: InterfaceEntry }[] {
  const available = [...new Set(relations.map((r) => shown(r.endpoint)))];
  const listed = available.length ? available.join(", ") : "none";
  let picked = relations;
  if (options.endpoint !== undefined) {
    picked = relations.filter((r) => r.endpoint === options.endpoint);
    if (picked.length === 0) {
      throw new UsageError(
        `no relation on endpoint "${shown(options.endpoint)}" in the dump (endpoints: ${listed})`,
        "validate",
      );
    }
  }
  const out: { relation: DumpRelation; entry: InterfaceEntry }[] = [];
  for (const relation of picked) {
    if (options.interface) {
      const known = new Set([
        ...options.interface.endpoints.provider,
        ...options.interface.endpoints.requirer,
      ]);
      if (
        options.endpoint !== undefined ||
        known.has(relation.endpoint) ||
        known.has(relation.relatedEndpoint)
      ) {
        out.push({ relation, entry: options.interface });
      } else skipped.push(relationName(relation));
      continue;
    }
    // Both endpoint names count: `etcd` alone could be either etcd interface, `etcd` ⇄ `db` only legacy etcd.
    const mine = interfacesForEndpoint(relation.endpoint);
    const theirs = interfacesForEndpoint(relation.relatedEndpoint);
    const both = mine.filter((e) => theirs.includes(e));
    const candidates = new Set(both.length ? both : mine.length && theirs.length ? [] : [...mine, ...theirs]);
    if (candidates.size === 1) out.push({ relation, entry: [...candidates][0]! });
    else if (options.endpoint === undefined) skipped.push(relationName(relation));
    else {
      const names = candidates.size ? [...candidates].map((c) => c.name) : INTERFACES.map((c) => c.name);
      throw new UsageError(
        `cannot tell the interface of endpoint "${shown(relation.endpoint)}": pass --interface (${names.join(", ")})`,
        "validate",
      );
    }
  }
  if (out.length === 0) {
    throw new UsageError(
      options.interface
        ? `no ${options.interface.name} relation found by endpoint name (endpoints in the dump: ${listed}); pass --endpoint <name>`
        : `no relation of a known interface found (endpoints in the dump: ${listed}); pass --interface and --endpoint`,
      "validate",
    );
  }
  return out;
}

/** `app/0 db:4`, for notes and messages (names from the dump: escaped, shortened). */
const relationName = (r: DumpRelation) => `${shown(r.unit)} ${shown(r.endpoint)}:${r.relationId}`;

const other = (side: Side): Side => (side === "provider" ? "requirer" : "provider");

/** The dumped unit's side in `relation`, or why it cannot be told. */
function localSide(relation: DumpRelation, entry: InterfaceEntry): { side: Side; how: string } | undefined {
  if (relation.localUnitData) {
    const s = guessSide(relation.localUnitData, "unit", entry);
    if (s) return { side: s, how: "its own unit databag" };
  }
  const remote = guessSide(relation.applicationData, "app", entry);
  if (remote) return { side: other(remote), how: "the other application's databag" };
  for (const data of Object.values(relation.relatedUnits)) {
    const s = guessSide(data, "unit", entry);
    if (s) return { side: other(s), how: "the other units' databags" };
  }
  const isProvider = entry.endpoints.provider.includes(relation.endpoint);
  const isRequirer = entry.endpoints.requirer.includes(relation.endpoint);
  if (isProvider !== isRequirer)
    return { side: isProvider ? "provider" : "requirer", how: "its endpoint name" };
  return undefined;
}

export function validateDump(
  relations: readonly DumpRelation[],
  source: string,
  options: DumpOptions,
): ValidationReport {
  const notes: string[] = [];
  const checks: BagCheck[] = [];
  const skipped: string[] = [];
  const selected = selectRelations(relations, options, skipped);
  if (skipped.length)
    notes.push(
      `skipped (not ${options.interface?.name ?? "a known interface"} by endpoint name): ${skipped.join(", ")}`,
    );
  for (const { relation, entry } of selected) {
    const where = `${shown(relation.endpoint)}:${relation.relationId}`;
    let mine: Side;
    if (options.side) mine = options.side;
    else {
      const found = localSide(relation, entry);
      if (!found) {
        throw new UsageError(
          `cannot tell which side ${shown(relation.unit)} is on in relation ${where} (nothing written yet?): pass --side provider|requirer (the side of the unit you ran juju show-unit on)`,
          "validate",
        );
      }
      mine = found.side;
      notes.push(`${where}: ${entry.name}; ${shown(relation.unit)} is the ${mine} (from ${found.how})`);
    }
    const theirs = other(mine);
    // The other application's bag says which contract is spoken (`version: v1`, else v0).
    const contract = resolveContract(entry, options.contract, relation.applicationData);
    if (options.contract === "auto") {
      notes.push(
        `${where}: contract ${contract} (${contractReason(entry, relation.applicationData, "app")}, from application-data)`,
      );
    }
    const ref = { endpoint: relation.endpoint, id: relation.relationId };
    checks.push(
      checkBag(entry, relation.applicationData, {
        side: theirs,
        bag: "app",
        contract,
        relation: ref,
        ...(relation.remoteApp ? { owner: relation.remoteApp } : {}),
      }),
    );
    for (const [unit, data] of Object.entries(relation.relatedUnits)) {
      checks.push(checkBag(entry, data, { side: theirs, bag: "unit", contract, relation: ref, owner: unit }));
    }
    if (relation.localUnitData) {
      checks.push(
        checkBag(entry, relation.localUnitData, {
          side: mine,
          bag: "unit",
          contract,
          relation: ref,
          owner: relation.unit,
        }),
      );
    }
  }
  return summarise("show-unit", source, checks, notes);
}
