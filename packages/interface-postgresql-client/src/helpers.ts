/**
 * What the PostgreSQL and PgBouncer charms decide about a request before they create anything
 * (interfaces.md §1.5): role validation, database-name rules, usernames and connection URIs. Pure
 * functions, so a provider charm can use them from any hook and test them without Juju.
 */

import { randomInt } from "node:crypto";

/** Role keywords PostgreSQL accepts in `extra-user-roles` besides existing roles (lower case). */
export const KEYWORD_ROLES: readonly string[] = ["createdb", "createrole", "superuser"];

/** `admin` is special: the postgresql charm turns it into `IN ROLE admin CREATEDB`. */
export const ADMIN_ROLE = "admin";

/** Predefined roles postgresql 16/edge lets a client ask for. */
export const PREDEFINED_ROLES: readonly string[] = [
  "charmed_stats",
  "charmed_read",
  "charmed_dml",
  "charmed_admin",
];

/** Names postgresql 16/edge refuses as client databases ("invalid database name"). */
export const RESERVED_DATABASES: readonly string[] = ["databases", "postgres", "template0", "template1"];

/** Longest database name postgresql 16/edge accepts for a client. */
export const MAX_DATABASE_NAME_LENGTH = 49;

export interface ExtraUserRolesCheck {
  /** Lower-cased, de-duplicated, in request order (what the charms pass to CREATE ROLE). */
  readonly roles: readonly string[];
  /** Entries that are neither a keyword, `admin`, an allowed predefined role nor an existing role. */
  readonly invalid: readonly string[];
  readonly ok: boolean;
  /** Blocked-status text the postgresql charm uses, when not ok. */
  readonly message?: string;
}

/** Lower-case and de-duplicate a role list (`CREATEDB,createdb` → `["createdb"]`). */
export function normaliseRoles(roles: readonly string[] | string): string[] {
  const list = typeof roles === "string" ? roles.split(",") : roles;
  const out: string[] = [];
  for (const r of list) {
    const role = r.trim().toLowerCase();
    if (role !== "" && !out.includes(role)) out.push(role);
  }
  return out;
}

/**
 * Validate `extra-user-roles` the way the postgresql charm does: every entry must be an existing role
 * (`existingRoles`, e.g. from `pg_roles`), a keyword (`createdb`, `createrole`, `superuser`), `admin`,
 * or an allowed predefined role (`charmed_*` by default). Anything else blocks the unit with
 * "invalid role(s) for extra user roles".
 */
export function validateExtraUserRoles(
  roles: readonly string[] | string,
  options: { readonly existingRoles?: Iterable<string>; readonly predefinedRoles?: readonly string[] } = {},
): ExtraUserRolesCheck {
  const normalised = normaliseRoles(roles);
  const existing = new Set([...(options.existingRoles ?? [])].map((r) => r.toLowerCase()));
  const predefined = options.predefinedRoles ?? PREDEFINED_ROLES;
  const invalid = normalised.filter(
    (r) => !KEYWORD_ROLES.includes(r) && r !== ADMIN_ROLE && !predefined.includes(r) && !existing.has(r),
  );
  return invalid.length
    ? { roles: normalised, invalid, ok: false, message: "invalid role(s) for extra user roles" }
    : { roles: normalised, invalid, ok: true };
}

/** A database request that ends in `*` asks for every database with that prefix. */
export function isPrefixRequest(database: string): boolean {
  return database.endsWith("*");
}

/** `myapp*` → `myapp`; a plain name is returned as is. */
export function prefixOf(database: string): string {
  return isPrefixRequest(database) ? database.slice(0, -1) : database;
}

/**
 * Why postgresql 16/edge would refuse this database name (Blocked "invalid database name"), or
 * undefined when it is acceptable. Prefix requests are checked on their prefix.
 */
export function databaseNameProblem(database: string): string | undefined {
  const name = prefixOf(database);
  if (name === "") return "empty database name";
  if (RESERVED_DATABASES.includes(name)) return `"${name}" is reserved`;
  if (name.length > MAX_DATABASE_NAME_LENGTH) return `longer than ${MAX_DATABASE_NAME_LENGTH} characters`;
  if (isPrefixRequest(database) && name.length < 3) return "Prefix too short";
  return undefined;
}

/** The relation user the real charms create: `relation-<id>` (postgresql) or `relation_id_<id>` (pgbouncer). */
export function relationUsername(
  relationId: number,
  style: "postgresql" | "pgbouncer" = "postgresql",
): string {
  return style === "pgbouncer" ? `relation_id_${relationId}` : `relation-${relationId}`;
}

/**
 * `postgresql://<username>:<password>@<endpoint>/<database>`, the `uris` value of the real charms.
 * Username and password are percent-encoded (the charms' random passwords need no encoding, so the
 * bytes match theirs).
 */
export function connectionUri(parts: {
  readonly username: string;
  readonly password: string;
  readonly endpoint: string;
  readonly database: string;
}): string {
  const user = encodeURIComponent(parts.username);
  const pass = encodeURIComponent(parts.password);
  return `postgresql://${user}:${pass}@${parts.endpoint}/${parts.database}`;
}

/** PgBouncer's read-only database name: `<db>_readonly`, or `<db>` if that would reach 64 characters. */
export function readOnlyDatabaseName(database: string): string {
  const name = `${database}_readonly`;
  return name.length >= 64 ? database : name;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random password from `[A-Za-z0-9]` (CSPRNG), like the charms' `new_password()`. */
export function generatePassword(length = 32): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
