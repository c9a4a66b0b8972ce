/**
 * The relation tools of a `MemoryBackend` session: relation-ids, relation-list, relation-get,
 * relation-set and relation-model-get, with Juju's permissions (a non-leader may not touch its app
 * bag), go-yaml's reading of relation-set's input, and Juju's output order.
 */

import { encodeRelationSettings } from "../backend/settings-file.js";
import type { Databag, RelationRef } from "../backend/types.js";
import { JujuYamlError, unmarshalStringMap } from "./juju-yaml.js";
import { fail, type HookSession, relationArg } from "./memory-session.js";
import { appOfUnit, isAppName, isUnitName } from "./model-names.js";
import type { RelationState } from "./model-state.js";

function isBroken(s: HookSession, rel: RelationState): boolean {
  return (
    rel.left.includes(s.unit) || (s.options.kind === "relation-broken" && s.options.relation?.id === rel.id)
  );
}

export function relationIds(s: HookSession, endpoint: string): number[] {
  return s.run("relation-ids", [endpoint, "--format=json"], () =>
    Object.values(s.working.relations)
      .filter((r) => r.endpoints.some((e) => e.app === s.app && e.endpoint === endpoint))
      .filter((r) => s.model.state.relations[String(r.id)] && !isBroken(s, r))
      .map((r) => r.id)
      .sort((a, b) => a - b),
  );
}

export function relationList(s: HookSession, relation: RelationRef): string[] {
  const arg = relationArg(relation);
  return s.run("relation-list", ["--format=json", "-r", arg], () => {
    const rel = s.relation(relation, "-r", arg);
    if (isBroken(s, rel)) return [];
    return [...(rel.members[s.unit] ?? [])].sort(byUnitNumber);
  });
}

export function relationRemoteApp(s: HookSession, relation: RelationRef): string | null {
  const arg = relationArg(relation);
  return s.run("relation-list", ["--format=json", "--app", "-r", arg], () =>
    s.model.remoteAppOf(s.relation(relation, "-r", arg), s.app),
  );
}

export function relationGet(
  s: HookSession,
  relation: RelationRef,
  unitOrApp: string,
  isApp: boolean,
): Record<string, string> {
  const arg = relationArg(relation);
  const argv = ["--format=json", "-r", arg, ...(isApp ? ["--app"] : []), "-", unitOrApp];
  return s.run("relation-get", argv, () => {
    const rel = s.relation(relation, "-r", arg);
    let name = unitOrApp;
    if (isApp) {
      if (isUnitName(name)) name = appOfUnit(name);
      else if (!isAppName(name)) fail(2, `invalid application name "${name}"`);
    } else if (!isUnitName(name)) {
      fail(
        2,
        isAppName(name)
          ? `expected unit name, got application name "${name}"`
          : `invalid unit name "${name}"`,
      );
    }
    const app = isApp ? name : appOfUnit(name);
    if (!rel.endpoints.some((e) => e.app === app)) fail(1, "permission denied");
    if (isApp) {
      // A non-leader may not read its own app bag, except in a peer relation.
      if (app === s.app && rel.endpoints.length === 2 && !s.model.isLeader(s.unit)) {
        fail(1, "permission denied");
      }
      return sortedBag(rel.appData[app]);
    }
    return sortedBag(rel.unitData[name]);
  });
}

/**
 * Juju's relation-set as `ProcessBackend` drives it: the data goes through the one stdin encoder and
 * back through go-yaml's rules (`unmarshalStringMap`), so what is stored is what Juju would store
 * (and an encoder that let Juju refuse or fold a value would fail here too).
 */
export function relationSet(s: HookSession, relation: RelationRef, data: Databag, isApp: boolean): void {
  const where = `${relationArg(relation)} ${isApp ? "app" : "unit"} databag`;
  const stdin = encodeRelationSettings(data, where);
  const arg = relationArg(relation);
  s.run("relation-set", ["-r", arg, ...(isApp ? ["--app"] : []), "--file", "-"], () => {
    s.relation(relation, "-r", arg);
    let settings: Map<string, string>;
    try {
      settings = unmarshalStringMap(stdin);
    } catch (e) {
      if (e instanceof JujuYamlError) fail(1, e.message);
      throw e;
    }
    applySettings(s, relation, settings, isApp);
  });
}

/** Apply decoded settings (`""` deletes) to this unit's or app's bag; the relation-set fake calls it too. */
export function applySettings(
  s: HookSession,
  relation: RelationRef,
  settings: ReadonlyMap<string, string>,
  isApp: boolean,
): void {
  if (isApp && !s.model.isLeader(s.unit)) fail(1, "cannot write relation settings");
  const rel = s.writableRelation(String(relation.id));
  const bags = isApp ? rel.appData : rel.unitData;
  const owner = isApp ? s.app : s.unit;
  const bag = new Map(Object.entries(bags[owner] ?? {}));
  for (const [k, v] of settings) {
    if (v === "") bag.delete(k);
    else bag.set(k, v);
  }
  // Entries, not assignment: a `__proto__` key is stored as Juju stores it.
  bags[owner] = Object.fromEntries(bag);
}

export function relationModelGet(s: HookSession, relation: RelationRef): string | null {
  // Juju < 3.6.2 has no relation-model-get: the tool is missing, which means "assume same model".
  if (!s.model.atLeast("3.6.2")) return null;
  const arg = relationArg(relation);
  return s.run("relation-model-get", ["--format=json", "-r", arg], () => {
    const rel = s.relation(relation, "-r", arg);
    return s.model.modelUuidOf(s.model.remoteAppOf(rel, s.app));
  });
}

/** Juju prints a databag from a Go map: keys sorted, whatever order they were written in. */
function sortedBag(bag: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(bag ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function byUnitNumber(a: string, b: string): number {
  const [pa, na] = [appOfUnit(a), Number(a.slice(a.lastIndexOf("/") + 1))];
  const [pb, nb] = [appOfUnit(b), Number(b.slice(b.lastIndexOf("/") + 1))];
  return pa === pb ? na - nb : pa < pb ? -1 : 1;
}
