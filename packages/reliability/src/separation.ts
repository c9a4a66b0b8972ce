/**
 * Secrets of different relations and requests must never mix: each published `secret-<group>` points
 * to its own secret, whose owner label, grant and every consumer label name that same relation and
 * request (and, optionally, whose username is that request's).
 */
import { parseSecretLabel } from "@charm-relations/juju-secrets-core/protocol";
import type { ModelState } from "@charm-relations/juju-secrets-core/testing";

export interface Response {
  readonly relation: number;
  readonly requestId: string | undefined;
  readonly uris: Record<string, string>;
}

/** Every response the provider published, per relation (v1 objects, or the flat v0 bag). */
export function responses(state: ModelState, provider: string): Response[] {
  const out: Response[] = [];
  for (const rel of Object.values(state.relations)) {
    const bag = rel.appData[provider];
    if (!bag) continue;
    if (bag.version === "v1" && bag.requests) {
      for (const r of JSON.parse(bag.requests) as Record<string, unknown>[]) {
        const uris = Object.fromEntries(
          Object.entries(r).filter(([k, v]) => k.startsWith("secret-") && typeof v === "string"),
        ) as Record<string, string>;
        out.push({ relation: rel.id, requestId: String(r["request-id"]), uris });
      }
    } else if (bag["secret-user"]) {
      const uris = Object.fromEntries(Object.entries(bag).filter(([k]) => k.startsWith("secret-")));
      out.push({ relation: rel.id, requestId: undefined, uris });
    }
  }
  return out;
}

/** Check that each response's secrets belong to it alone; returns problems. */
export function checkSeparation(
  state: ModelState,
  provider: string,
  options: {
    /** The requirers' endpoint name (their consumer labels start with it). */
    readonly requirerEndpoint: string;
    /** The username each response must carry, when the provider's naming is known. */
    readonly username?: (relation: number, requestId: string | undefined) => string;
  },
): string[] {
  const { requirerEndpoint } = options;
  const problems: string[] = [];
  const xidOf = (uri: string) => uri.slice(uri.lastIndexOf("/") + 1).replace(/^secret:/, "");
  const seen = new Set<string>();
  for (const r of responses(state, provider)) {
    const where = `relation ${r.relation}${r.requestId ? ` request ${r.requestId}` : ""}`;
    for (const [key, uri] of Object.entries(r.uris)) {
      const group = key.slice("secret-".length);
      const s = state.secrets[xidOf(uri)];
      if (!s) {
        problems.push(`${where}: ${key} points to a missing secret`);
        continue;
      }
      if (seen.has(s.xid)) problems.push(`${where}: ${key} shared with another response`);
      seen.add(s.xid);
      const label = parseSecretLabel(s.label ?? "");
      if (label?.relationId !== r.relation || label.requestId !== r.requestId || label.group !== group) {
        problems.push(`${where}: ${key} has owner label ${s.label}`);
      }
      if (s.grants.length !== 1 || s.grants[0]!.relationId !== r.relation) {
        problems.push(`${where}: ${key} granted to ${JSON.stringify(s.grants)}`);
      }
      const content = s.revisions.find((x) => x.revision === s.latestRevision)!.content;
      if (group === "user" && options.username) {
        const user = options.username(r.relation, r.requestId);
        if (content.username !== user)
          problems.push(`${where}: username ${content.username}, expected ${user}`);
      }
      const rel = state.relations[String(r.relation)]!;
      const requirerApp = rel.endpoints.find((e) => e.app !== provider)!.app;
      for (const [unit, consumer] of Object.entries(s.consumerLabels)) {
        const expected = `${requirerEndpoint}.${r.relation}.${r.requestId ? `${r.requestId}.` : ""}${group}.secret`;
        if (!unit.startsWith(`${requirerApp}/`))
          problems.push(`${where}: ${key} read by ${unit} of another app`);
        if (consumer !== expected)
          problems.push(`${where}: ${unit} labelled ${key} ${consumer}, expected ${expected}`);
      }
    }
  }
  return problems;
}
