/**
 * The secret tools of a `MemoryBackend` session: secret-add, secret-get (tracking, consumer labels,
 * `--peek`/`--refresh`), secret-info-get, secret-set (at most one new revision per hook), secret-grant,
 * secret-revoke, secret-remove and secret-ids, with Juju's owner and consumer rights.
 */

import type {
  RelationRef,
  RotatePolicy,
  SecretAccess,
  SecretAddOptions,
  SecretGetOptions,
  SecretInfo,
  SecretSetOptions,
} from "../backend/types.js";
import {
  checkContent,
  checkMetadata,
  contentArgs,
  metadataArgs,
  SECRET_KEY_RE,
  xidOf,
} from "./memory-secret-rules.js";
import { fail, type HookSession } from "./memory-session.js";
import type { JujuModel } from "./model.js";
import { appOfUnit, isAppName, isUnitName, sameJson, unitTag } from "./model-names.js";
import type { RelationState, SecretState } from "./model-state.js";

// ------------------------------------------------------------------------------------------
// Rights

function ownerApp(secret: SecretState): string {
  return secret.owner.kind === "application" ? secret.owner.app : appOfUnit(secret.owner.unit);
}

/** Owner rights: the owning unit, or the leader of the owning app. */
function canManage(s: HookSession, secret: SecretState): boolean {
  if (secret.owner.kind === "unit") return secret.owner.unit === s.unit;
  return secret.owner.app === s.app && s.model.isLeader(s.unit);
}

function canView(s: HookSession, secret: SecretState): boolean {
  if (canManage(s, secret)) return true;
  if (secret.owner.kind === "application" && secret.owner.app === s.app) return true;
  return secret.grants.some(
    (g) =>
      ((g.kind === "application" && g.target === s.app) || (g.kind === "unit" && g.target === s.unit)) &&
      s.model.hasRelation(g.relationId),
  );
}

function requireManage(s: HookSession, secret: SecretState): void {
  if (canManage(s, secret)) return;
  if (secret.owner.kind === "application" && secret.owner.app === s.app)
    fail(1, "this unit is not the leader");
  fail(1, "permission denied");
}

function owned(s: HookSession): SecretState[] {
  return Object.values(s.working.secrets).filter((x) => canManage(s, x));
}

function checkOwnerLabel(s: HookSession, secret: SecretState, label: string): void {
  const app = ownerApp(secret);
  const clash = Object.values(s.working.secrets).find(
    (o) => o.xid !== secret.xid && o.label === label && ownerApp(o) === app,
  );
  if (clash) fail(1, `secret with label "${label}" already exists`);
}

function applyMetadata(
  s: HookSession,
  secret: SecretState,
  options: SecretAddOptions | SecretSetOptions,
  expiry: string | undefined,
): void {
  if (options.label !== undefined) {
    checkOwnerLabel(s, secret, options.label);
    secret.label = options.label;
  }
  if (options.description !== undefined) secret.description = options.description;
  if (expiry !== undefined) secret.expiry = expiry;
  if (options.rotate !== undefined) secret.rotation = options.rotate as RotatePolicy;
}

// ------------------------------------------------------------------------------------------
// The tools

export function secretAdd(
  s: HookSession,
  content: Readonly<Record<string, string>>,
  options: SecretAddOptions = {},
): string {
  const owner = options.owner ?? "application";
  const argv = [...metadataArgs(options), "--owner", owner, ...contentArgs(content)];
  return s.run("secret-add", argv, () => {
    if (Object.keys(content ?? {}).length === 0) fail(2, "missing secret value or filename");
    const expiry = checkMetadata(options);
    if (owner !== "application" && owner !== "unit") fail(2, `secret owner "${owner}" not valid`);
    checkContent(content);
    if (owner === "application" && !s.model.isLeader(s.unit)) fail(1, "this unit is not the leader");
    const xid = s.model.nextSecretXid();
    const secret: SecretState = {
      xid,
      owner: owner === "unit" ? { kind: "unit", unit: s.unit } : { kind: "application", app: s.app },
      revisions: [{ revision: 1, content: { ...content } }],
      latestRevision: 1,
      tracking: {},
      consumerLabels: {},
      grants: [],
      removedRevisions: [],
      obsoleteNotified: [],
    };
    applyMetadata(s, secret, options, expiry);
    s.working.secrets[xid] = secret;
    return s.model.secretUri(xid);
  });
}

export function secretGet(s: HookSession, options: SecretGetOptions): Record<string, string> {
  const argv = [
    "--format=json",
    ...(options.id !== undefined ? [options.id] : []),
    ...(options.label !== undefined ? ["--label", options.label] : []),
    ...(options.refresh ? ["--refresh"] : []),
    ...(options.peek ? ["--peek"] : []),
  ];
  return s.run("secret-get", argv, () => {
    const { id, label } = options;
    const xid = id !== undefined && id !== "" ? xidOf(id, true) : undefined;
    if (xid === undefined && !label) fail(2, "require either a secret URI or label");
    if (options.peek && options.refresh) fail(2, "specify one of --peek or --refresh but not both");
    let found: SecretState | undefined;
    if (xid !== undefined) {
      found = s.working.secrets[xid];
      if (!found) fail(1, `secret "${xid}" not found`);
    } else {
      // Label only: owned secrets (incl. pending), then this unit's consumer labels, then (controller
      // side) owner labels of its app's secrets.
      const all = Object.values(s.working.secrets);
      found =
        all.find((x) => canManage(s, x) && x.label === label) ??
        all.find((x) => x.consumerLabels[s.unit] === label) ??
        all.find((x) => x.owner.kind === "application" && x.owner.app === s.app && x.label === label);
      if (!found) fail(1, `secret owned by "${s.unit}" with label "${label}" not found`);
    }
    let secret = found!;
    const writable = (): SecretState => (secret = s.writableSecret(secret.xid));
    if (canManage(s, secret)) {
      if (xid !== undefined && label && secret.label !== label) {
        checkOwnerLabel(s, secret, label);
        writable().label = label;
      }
      const committed = s.model.state.secrets[secret.xid];
      // A plain owner read sees the committed content; pending creates, --peek and --refresh see pending.
      const source = !committed || options.peek || options.refresh ? secret : committed;
      return revisionContent(source, source.latestRevision);
    }
    if (!canView(s, secret)) fail(1, "permission denied");
    if (xid !== undefined && label && secret.consumerLabels[s.unit] !== label) {
      const clash = Object.values(s.working.secrets).find(
        (o) => o.xid !== secret.xid && o.consumerLabels[s.unit] === label,
      );
      if (clash) fail(1, `secret label "${label}" for consumer "${unitTag(s.unit)}" already exists`);
      writable().consumerLabels[s.unit] = label;
    }
    let revision: number;
    if (options.peek) revision = secret.latestRevision;
    else {
      // --refresh tracks the latest; the first plain read tracks it too, later ones return the tracked one.
      const tracked = secret.tracking[s.unit] ?? secret.latestRevision;
      revision = options.refresh ? secret.latestRevision : tracked;
      if (secret.tracking[s.unit] !== revision) writable().tracking[s.unit] = revision;
    }
    return revisionContent(secret, revision);
  });
}

function revisionContent(secret: SecretState, revision: number): Record<string, string> {
  const rev = secret.revisions.find((r) => r.revision === revision);
  if (!rev) return fail(1, `secret "${secret.xid}" revision ${revision} not found`);
  return { ...rev.content };
}

export function secretInfoGet(
  s: HookSession,
  options: { readonly id: string } | { readonly label: string },
): SecretInfo {
  const byId = "id" in options;
  const argv = byId ? ["--format=json", options.id] : ["--format=json", "--label", options.label];
  return s.run("secret-info-get", argv, () => {
    if ("id" in options && "label" in options) fail(2, "specify either a secret URI or label but not both");
    const want = byId ? xidOf(options.id, true) : options.label;
    // By id: one lookup, not a scan of every secret (relation-broken asks about each owned one).
    const byXid = byId ? s.working.secrets[want] : undefined;
    const mine = byXid && canManage(s, byXid) ? byXid : undefined;
    const secret = byId ? mine : owned(s).find((x) => x.label === want);
    if (!secret) return fail(1, `secret "${want}" not found`);
    return info(s, secret);
  });
}

function info(s: HookSession, secret: SecretState): SecretInfo {
  const out: { -readonly [K in keyof SecretInfo]: SecretInfo[K] } = {
    id: secret.xid,
    revision: secret.latestRevision,
    owner: secret.owner.kind,
  };
  if (secret.label) out.label = secret.label;
  if (secret.description) out.description = secret.description;
  if (secret.rotation) out.rotation = secret.rotation;
  if (secret.expiry) out.expiry = secret.expiry;
  const access: SecretAccess[] = [];
  for (const g of secret.grants) {
    const rel = s.model.state.relations[String(g.relationId)] ?? s.working.relations[String(g.relationId)];
    if (!rel) continue;
    access.push({
      target: g.kind === "application" ? `application-${g.target}` : unitTag(g.target),
      scope: relationTag(s.model, rel),
      role: "view",
    });
  }
  if (access.length > 0) out.access = access;
  return out;
}

/** Juju's relation key (requirer first) as a relation tag: `relation-wordpress.db#mysql.server`. */
function relationTag(model: JujuModel, rel: RelationState): string {
  const role = (e: { app: string; endpoint: string }): string =>
    model.state.applications[e.app]?.endpoints[e.endpoint]?.role ?? "";
  const eps = [...rel.endpoints].sort((a, b) => {
    if (role(a) === role(b)) return a.app < b.app ? -1 : 1;
    return role(a) === "requires" ? -1 : 1;
  });
  return `relation-${eps.map((e) => `${e.app}.${e.endpoint}`).join("#")}`;
}

export function secretSet(s: HookSession, id: string, options: SecretSetOptions): void {
  const argv = [id, ...metadataArgs(options), ...contentArgs(options.content)];
  s.run("secret-set", argv, () => {
    const xid = xidOf(id, false);
    const expiry = checkMetadata(options);
    const content = options.content && Object.keys(options.content).length > 0 ? options.content : undefined;
    if (content) {
      for (const key of Object.keys(content)) if (!SECRET_KEY_RE.test(key)) fail(2, `key "${key}" not valid`);
    }
    const current = s.working.secrets[xid];
    if (!current) return fail(1, `secret "${xid}" not found`);
    requireManage(s, current);
    if (content) checkContent(content);
    const secret = s.writableSecret(xid);
    if (content) setContent(s, secret, content);
    applyMetadata(s, secret, options, expiry);
  });
}

/** New content: one new revision per hook at most; none when unchanged (Juju ≥ 3.6). */
function setContent(s: HookSession, secret: SecretState, content: Readonly<Record<string, string>>): void {
  const committed = s.model.state.secrets[secret.xid];
  if (!committed) {
    secret.revisions[secret.revisions.length - 1]!.content = { ...content };
    return;
  }
  const committedContent = committed.revisions.find((r) => r.revision === committed.latestRevision)?.content;
  const unchanged =
    s.model.atLeast("3.6") && committedContent !== undefined && sameJson(committedContent, content);
  const pending = secret.latestRevision > committed.latestRevision;
  if (pending && unchanged) {
    secret.revisions = secret.revisions.filter((r) => r.revision <= committed.latestRevision);
    secret.latestRevision = committed.latestRevision;
  } else if (pending) {
    secret.revisions[secret.revisions.length - 1]!.content = { ...content };
  } else if (!unchanged) {
    secret.latestRevision += 1;
    secret.revisions.push({ revision: secret.latestRevision, content: { ...content } });
  }
}

export function secretGrant(s: HookSession, id: string, relation: RelationRef, unit?: string): void {
  const argv = ["--relation", String(relation.id), ...(unit ? ["--unit", unit] : []), id];
  s.run("secret-grant", argv, () => {
    const xid = xidOf(id, false);
    const rel = s.relation(relation, "--relation", String(relation.id));
    const remoteApp = s.model.remoteAppOf(rel, s.app);
    if (unit !== undefined) {
      if (!isUnitName(unit)) fail(2, `unit "${unit}" not valid`);
      if (appOfUnit(unit) !== remoteApp) {
        fail(2, `cannot specify unit "${unit}" in relation to application "${remoteApp}"`);
      }
    }
    const secret = s.working.secrets[xid];
    if (!secret) return fail(1, `secret "${xid}" not found`);
    if (!canManage(s, secret)) {
      if (secret.owner.kind === "application" && secret.owner.app === s.app)
        fail(1, "this unit is not the leader");
      fail(1, `secret "${xid}" not found`);
    }
    const kind = unit !== undefined ? "unit" : "application";
    const target = unit ?? remoteApp;
    for (const g of secret.grants.filter((x) => x.relationId === rel.id)) {
      if (g.target === target || g.kind === "application") return; // already granted
      if (kind === "application") {
        fail(
          1,
          "any unit level grants need to be revoked before granting access to the corresponding application",
        );
      }
    }
    s.writableSecret(xid).grants.push({ relationId: rel.id, kind, target });
  });
}

/** secret-revoke with any of Juju's target forms (`--relation`, `--app`, `--unit`). */
export function revokeSecret(
  s: HookSession,
  argv: readonly string[],
  id: string,
  target: { relation?: RelationRef; relationFlag?: string; app?: string; unit?: string },
): void {
  s.run("secret-revoke", argv, () => {
    const xid = xidOf(id, false);
    let app = target.app;
    const unit = target.unit;
    if (app !== undefined && !isAppName(app)) fail(2, `application "${app}" not valid`);
    if (unit !== undefined && !isUnitName(unit)) fail(2, `unit "${unit}" not valid`);
    if (app !== undefined && unit !== undefined) fail(2, "specify only one of application or unit");
    if (target.relation) {
      const rel = s.relation(
        target.relation,
        target.relationFlag ?? "--relation",
        String(target.relation.id),
      );
      if (app !== undefined) fail(2, "do not specify both relation and app");
      app = s.model.remoteAppOf(rel, s.app);
    }
    if (app === undefined && unit === undefined) fail(2, "missing relation or application or unit");
    const current = s.working.secrets[xid];
    if (!current) return fail(1, `secret "${xid}" not found`);
    requireManage(s, current);
    const secret = s.writableSecret(xid);
    secret.grants = secret.grants.filter((g) =>
      unit !== undefined
        ? !(g.kind === "unit" && g.target === unit)
        : !(g.target === app || (g.kind === "unit" && appOfUnit(g.target) === app)),
    );
  });
}

export function secretRemove(s: HookSession, id: string, revision?: number): void {
  const argv = [id, ...(revision !== undefined ? ["--revision", String(revision)] : [])];
  s.run("secret-remove", argv, () => {
    const xid = xidOf(id, false);
    const current = s.working.secrets[xid];
    if (!current) return fail(1, `secret "${xid}" not found`);
    requireManage(s, current);
    if (revision !== undefined && revision > 0) {
      const secret = s.writableSecret(xid);
      secret.revisions = secret.revisions.filter((r) => r.revision !== revision);
      if (!secret.removedRevisions.includes(revision)) secret.removedRevisions.push(revision);
    } else {
      s.dropSecret(xid);
    }
  });
}

export function secretIds(s: HookSession): string[] {
  return s.run("secret-ids", ["--format=json"], () =>
    owned(s)
      .map((x) => x.xid)
      .sort(),
  );
}
