/**
 * Fixture-driven test harness shared by interface packages' tests: run single hooks of an in-process
 * charm against the in-memory Juju model (MemoryBackend), committing on success and rolling back on
 * failure exactly like Juju, where one side's databags come from a recording of the Python library
 * instead of a live charm. A package's `test/harness.ts` binds it to its endpoint and fixtures.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Charm } from "../src/hook/charm.js";
import {
  type CommitResult,
  charmRunner,
  type HookEvent,
  hookContextFor,
  JujuModel,
  MemoryBackend,
  sessionOptionsFor,
} from "../src/testing/index.js";

export type Bag = Record<string, string>;
export interface RecordedSecret {
  owner: string;
  owner_label: string;
  consumer_labels: string[];
  /** Where the recording has them: relation id → grantees. */
  grants?: Record<string, string[]>;
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

/** `loadFixture(name)` for the recorded fixtures in `fixtures/` beside the test module `moduleUrl`. */
export function fixtureLoader<N extends string>(moduleUrl: string): (name: N) => Fixture {
  const here = dirname(fileURLToPath(moduleUrl));
  return (name) => JSON.parse(readFileSync(join(here, "fixtures", `${name}.json`), "utf8")) as Fixture;
}

/** `relatedModel()`: provider and requirer (2 units each unless told), related on `endpoint`, leaders /0. */
export function relatedModelFor(endpoint: string, interfaceName: string) {
  return (
    options: { uuid?: string; providerUnits?: number; requirerUnits?: number } = {},
  ): { model: JujuModel; relationId: number } => {
    const model = new JujuModel(options.uuid ? { uuid: options.uuid } : {});
    model.addApplication("provider", {
      endpoints: { [endpoint]: `provides:${interfaceName}` },
      units: options.providerUnits ?? 2,
    });
    model.addApplication("requirer", {
      endpoints: { [endpoint]: `requires:${interfaceName}` },
      units: options.requirerUnits ?? 2,
    });
    const relationId = model.addRelation(`provider:${endpoint}`, `requirer:${endpoint}`);
    return { model, relationId };
  };
}

export interface HookOutcome {
  ok: boolean;
  error?: unknown;
  commit?: CommitResult;
}

/** A Simulation runner for an in-process charm built by `setup` (the core's). */
export const inProcess = charmRunner;

/** Run one hook on the model in place; commit on success, roll back on failure, like Juju. */
export async function runHook(
  model: JujuModel,
  event: HookEvent,
  setup: (charm: Charm) => void | Promise<void>,
): Promise<HookOutcome> {
  const context = hookContextFor(model, event);
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  try {
    await inProcess(setup)(backend, context);
    return { ok: true, commit: backend.commit() };
  } catch (error) {
    backend.rollback();
    return { ok: false, error };
  }
}

/**
 * Put a recorded provider's secrets into the model (owner label, content, granted to the relation),
 * with `map` applied to labels and content (recorded request ids → ours). Returns recorded URI → our
 * URI, to rewrite recorded bags with.
 */
export function seedRecordedSecrets(
  model: JujuModel,
  snapshot: RecordedSnapshot,
  relationId: number,
  map: ReadonlyMap<string, string> = new Map(),
  options: { revision?: "first" | "latest" } = {},
): Map<string, string> {
  const uris = new Map<string, string>();
  for (const [uri, s] of Object.entries(snapshot.secrets)) {
    const revisions = Object.keys(s.content_by_revision)
      .map(Number)
      .sort((a, b) => a - b);
    const pick = options.revision === "first" ? revisions[0]! : revisions[revisions.length - 1]!;
    const ours = model.addSecret({
      owner: s.owner.replace(/^application:/, ""),
      content: rewriteBag(s.content_by_revision[String(pick)]!, map),
      label: rewrite(s.owner_label, map),
      grants: [{ relationId }],
    });
    uris.set(uri, ours);
  }
  return uris;
}

/** The provider rotated a secret: a new revision with `content` (as `secret-set` would). */
export function addRevision(model: JujuModel, uri: string, content: Bag): number {
  const s = model.secret(uri)!;
  const revision = s.latestRevision + 1;
  s.revisions.push({ revision, content: { ...content } });
  s.latestRevision = revision;
  return revision;
}

/** Replace every occurrence of each key by its value. */
export function rewrite(text: string, replacements: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [from, to] of replacements) out = out.split(from).join(to);
  return out;
}

export function rewriteBag(bag: Bag, replacements: ReadonlyMap<string, string>): Bag {
  return Object.fromEntries(Object.entries(bag).map(([k, v]) => [k, rewrite(v, replacements)]));
}

/** Collects wrapper events as `[unit, name, payload]`. */
export class EventLog {
  readonly entries: { unit: string; name: string; payload: unknown }[] = [];
  record(unit: string, name: string, payload: unknown): void {
    this.entries.push({ unit, name, payload });
  }
  names(unit?: string): string[] {
    return this.entries.filter((e) => unit === undefined || e.unit === unit).map((e) => e.name);
  }
  of<T = unknown>(name: string, unit?: string): T[] {
    return this.entries
      .filter((e) => e.name === name && (unit === undefined || e.unit === unit))
      .map((e) => e.payload as T);
  }
  clear(): void {
    this.entries.length = 0;
  }
}
