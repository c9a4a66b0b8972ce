import { describe, expect, it } from "vitest";
import {
  connectionUri,
  databaseNameProblem,
  generatePassword,
  isPrefixRequest,
  normaliseRoles,
  prefixOf,
  readOnlyDatabaseName,
  relationUsername,
  validateExtraUserRoles,
} from "../src/index.js";

describe("extra-user-roles validation (postgresql charm rules)", () => {
  it("accepts keywords, admin and charmed_* roles case-insensitively, lower-cased and de-duplicated", () => {
    expect(validateExtraUserRoles("CREATEDB,CREATEROLE,createdb")).toEqual({
      roles: ["createdb", "createrole"],
      invalid: [],
      ok: true,
    });
    expect(validateExtraUserRoles(["SUPERUSER", "admin", "charmed_read", "Charmed_DML"]).ok).toBe(true);
    expect(normaliseRoles(" default , admin ,")).toEqual(["default", "admin"]);
  });

  it("rejects unknown roles unless they exist in the database, with the charm's Blocked text", () => {
    const bad = validateExtraUserRoles(["default", "admin", "drop_everything"]);
    expect(bad).toEqual({
      roles: ["default", "admin", "drop_everything"],
      invalid: ["default", "drop_everything"],
      ok: false,
      message: "invalid role(s) for extra user roles",
    });
    expect(validateExtraUserRoles(["default"], { existingRoles: ["DEFAULT"] }).ok).toBe(true);
    expect(validateExtraUserRoles(["charmed_read"], { predefinedRoles: [] }).ok).toBe(false);
    expect(validateExtraUserRoles([]).ok).toBe(true);
  });
});

describe("database names", () => {
  it("prefix requests", () => {
    expect(isPrefixRequest("myapp*")).toBe(true);
    expect(isPrefixRequest("myapp")).toBe(false);
    expect(prefixOf("myapp*")).toBe("myapp");
    expect(prefixOf("myapp")).toBe("myapp");
  });

  it("the names postgresql 16/edge refuses", () => {
    expect(databaseNameProblem("myapp")).toBeUndefined();
    expect(databaseNameProblem("abc*")).toBeUndefined();
    expect(databaseNameProblem("ab*")).toBe("Prefix too short");
    expect(databaseNameProblem("postgres")).toBe('"postgres" is reserved');
    expect(databaseNameProblem("template1*")).toBe('"template1" is reserved');
    expect(databaseNameProblem("x".repeat(49))).toBeUndefined();
    expect(databaseNameProblem("x".repeat(50))).toBe("longer than 49 characters");
    expect(databaseNameProblem("")).toBe("empty database name");
  });

  it("pgbouncer's read-only database name stays below 64 characters", () => {
    expect(readOnlyDatabaseName("myapp")).toBe("myapp_readonly");
    expect(readOnlyDatabaseName("x".repeat(55))).toBe("x".repeat(55));
    expect(readOnlyDatabaseName("x".repeat(54))).toBe(`${"x".repeat(54)}_readonly`);
  });
});

describe("usernames, URIs, passwords", () => {
  it("the real charms' usernames and uris bytes", () => {
    expect(relationUsername(4)).toBe("relation-4");
    expect(relationUsername(4, "pgbouncer")).toBe("relation_id_4");
    // The recorded uris value (fixture revision 1).
    expect(
      connectionUri({
        username: "relation-0",
        password: "03e46721fbb4139b883356f13d49aaa1",
        endpoint: "10.1.0.10:5432",
        database: "myapp",
      }),
    ).toBe("postgresql://relation-0:03e46721fbb4139b883356f13d49aaa1@10.1.0.10:5432/myapp");
    expect(connectionUri({ username: "u@x", password: "p/:w", endpoint: "h:1", database: "d" })).toBe(
      "postgresql://u%40x:p%2F%3Aw@h:1/d",
    );
  });

  it("random alphanumeric passwords of the requested length", () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generatePassword(16)).toHaveLength(16);
    expect(new Set(Array.from({ length: 50 }, () => generatePassword())).size).toBe(50);
  });
});
