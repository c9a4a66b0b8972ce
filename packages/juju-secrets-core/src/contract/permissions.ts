/** `entity-permissions` (protocol §4.10): the one reader of the list, for both contracts. */

import type { IssueCollector } from "./issues.js";
import type { EntityPermission } from "./types.js";

export const PERMISSIONS_RULE = "expected a JSON array of {resource_name, resource_type, privileges}";

function isPermission(p: unknown): p is EntityPermission {
  if (p === null || typeof p !== "object" || Array.isArray(p)) return false;
  const o = p as Record<string, unknown>;
  return (
    typeof o.resource_name === "string" &&
    typeof o.resource_type === "string" &&
    Array.isArray(o.privileges) &&
    o.privileges.every((x) => typeof x === "string")
  );
}

/** The parsed permissions, or undefined (issue recorded under `key`) when the value is not such a list. */
export function parsePermissions(
  issues: IssueCollector,
  key: string,
  value: unknown,
): EntityPermission[] | undefined {
  if (Array.isArray(value) && value.every(isPermission)) return value;
  issues.add(key, PERMISSIONS_RULE, value);
  return undefined;
}
