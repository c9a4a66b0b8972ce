/**
 * ACL rules the way valkey-operator writes them for its client users (interfaces.md §4.5): one user
 * per request, read/write/pub-sub on the requested key pattern only, password stored as SHA-256.
 */

import { createHash } from "node:crypto";

/** Command categories valkey-operator grants a client user. */
export const CLIENT_ACL_PERMISSIONS = "-@all +@read +@write +@keyspace +@pubsub +@transaction +info";

/**
 * `user <name> on #<sha256(password)> <permissions> ~<pattern> &<pattern>`: the pattern applies to
 * keys (`~`) and pub/sub channels (`&`). The password itself never appears in the rule.
 */
export function valkeyAclRule(user: {
  readonly username: string;
  readonly password: string;
  readonly resource: string;
}): string {
  for (const [field, value] of [
    ["username", user.username],
    ["resource", user.resource],
  ] as const) {
    // One token each: whitespace would add rules of its own.
    if (!/^[^\s\u0000-\u001f\u007f]+$/u.test(value))
      throw new TypeError(`valkeyAclRule: ${field} must be one token without whitespace`);
  }
  const hash = createHash("sha256").update(user.password, "utf8").digest("hex");
  return `user ${user.username} on #${hash} ${CLIENT_ACL_PERMISSIONS} ~${user.resource} &${user.resource}`;
}

/** A whole ACL file: the default user disabled, then one rule per client user, sorted by name. */
export function valkeyAclFile(
  users: readonly { username: string; password: string; resource: string }[],
): string {
  const rules = [...users]
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
    .map(valkeyAclRule);
  return ["user default off", ...rules].join("\n") + "\n";
}
