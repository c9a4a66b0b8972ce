/**
 * Issue 15 class 1 at run time: a 1 MB adversarial value goes through every zod schema every interface
 * package exports, in every field (and in every string inside JSON-valued fields), and through the
 * charms' hooks. Backtracking patterns would hang here (a test that hangs, not a timed one).
 */
import { toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import { afterAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { blockedMessages, changed, hostileHook, runnerOf, world } from "../src/hardening.js";
import { removeCharmDirs } from "../src/lifecycle.js";
import { exportedZodSchemas } from "../src/published.js";

afterAll(removeCharmDirs);

const MB = 1_000_000;
const fill = (unit: string, size = MB, tail = "\u0000") =>
  unit.repeat(Math.ceil(size / unit.length)).slice(0, size) + tail;

/** Inputs that make backtracking patterns of the shapes found in issue 15 blow up. */
const ADVERSARIAL: Record<string, string> = {
  "comma list of blanks": `10.0.0.1:1${fill(", ")}`,
  "host:port items": fill("a:1,"),
  "blank runs": `a${fill(" ")}`,
  "PEM header, no footer": `-----BEGIN CERTIFICATE-----${fill("A\n")}`,
  "PEM headers repeated": fill("-----BEGIN CERTIFICATE-----"),
  "private key header, no footer": `-----BEGIN PRIVATE KEY-----${fill("A")}`,
  "URL items": fill("https://a "),
  "postgres URIs": fill("postgresql://a"),
  "scheme runs": fill("a://"),
  "trailing slashes": `a:1${fill("/")}`,
  padding: fill("="),
  "secret prefix": fill("secret:"),
  "word runs": fill("ab-"),
  NULs: fill("\0 "),
  "boolean spellings": fill("true "),
  "JSON brackets": fill("["),
};

/** A value of the schema's wire shape with `adv` in every string (JSON-valued fields recursively). */
function instance(js: Record<string, unknown>, adv: string, depth = 0): unknown {
  if (depth > 6) return adv;
  if (Array.isArray(js.anyOf) || Array.isArray(js.oneOf)) {
    const first = ((js.anyOf ?? js.oneOf) as Record<string, unknown>[]).find((s) => s.type !== "null");
    return first ? instance(first, adv, depth + 1) : null;
  }
  // Native JSON (the schemas do not care about Python's bytes; pyDumps of MBs is the slow part here).
  if (js.contentSchema)
    return JSON.stringify(instance(js.contentSchema as Record<string, unknown>, adv, depth + 1));
  if (js.type === "object" || js.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((js.properties ?? {}) as Record<string, Record<string, unknown>>))
      out[k] = instance(v, adv, depth + 1);
    return out;
  }
  if (js.type === "array") return [instance((js.items ?? {}) as Record<string, unknown>, adv, depth + 1)];
  if (js.type === "integer" || js.type === "number") return 1;
  if (js.type === "boolean") return true;
  return adv;
}

describe("class 1: 1 MB adversarial values are handled in linear time", () => {
  const schemas = exportedZodSchemas();

  it("covers every schema", () => {
    expect(schemas.length).toBeGreaterThan(30);
  });

  const wire = new Map<z.ZodType, Record<string, unknown>>();
  const wireOf = (schema: z.ZodType) => {
    if (!wire.has(schema)) wire.set(schema, toWireJsonSchema(schema));
    return wire.get(schema)!;
  };

  it.each(Object.entries(ADVERSARIAL))(
    "every schema of every interface package: %s",
    { timeout: 600_000 },
    (_n, adv) => {
      for (const [name, schema] of schemas) {
        const value = instance(wireOf(schema as z.ZodType), adv);
        // Parsing must end (ok or not); the result itself is the schema's business.
        const r = (schema as z.ZodType).safeParse(value);
        expect(typeof r.success, name).toBe("boolean");
      }
    },
  );

  const hooks: [
    string,
    "postgresql" | "etcdClient" | "etcdLegacy" | "connect" | "valkey",
    string,
    number,
    string,
  ][] = [
    [
      "postgresql requirer, exponential endpoints (86 bytes → 12 s on main)",
      "postgresql",
      "app",
      0,
      "endpoints",
    ],
    ["postgresql requirer, quadratic uris", "postgresql", "app", 0, "uris"],
    ["connect requirer, quadratic endpoints", "connect", "sink", 0, "endpoints"],
    ["valkey requirer, endpoints", "valkey", "legacy", 1, "endpoints"],
    ["etcd_client requirer, endpoints", "etcdClient", "legacy", 1, "endpoints"],
  ];
  it.each(hooks)(
    "%s: refused in a hook that ends",
    { timeout: 600_000 },
    async (_n, name, app, index, key) => {
      const w = await world(name);
      const rel = w.relations[index]!;
      const provider = Object.keys(w.state.relations[String(rel)]!.appData).find((a) => a !== app)!;
      for (const adv of [
        `10.0.0.1:5432${", ".repeat(60)}x`,
        `10.0.0.1:1${fill(", ", 200_000)}`,
        fill("postgresql://a", 200_000),
        fill("https://a ", 200_000),
      ]) {
        const r = await hostileHook(runnerOf(name, app), w.state, changed(`${app}/0`, rel), (m) =>
          m.setAppBag(rel, provider, { ...m.appBag(rel, provider), [key]: adv }),
        );
        expect(r.ok || r.error instanceof Error).toBe(true);
        if (r.ok) expect(blockedMessages(r).every((b) => b.includes(`:${rel}`))).toBe(true);
      }
    },
  );

  it("legacy etcd requirer: 729 kB certificate and key values without a footer", {
    timeout: 600_000,
  }, async () => {
    const w = await world("etcdLegacy");
    const rel = w.relations[0]!;
    const unit = Object.keys(w.state.relations[String(rel)]!.unitData).find((u) => u.startsWith("etcd/"))!;
    for (const key of ["client_cert", "client_key", "client_ca"]) {
      const r = await hostileHook(runnerOf("etcdLegacy", "kcp"), w.state, changed("kcp/0", rel, unit), (m) =>
        m.setUnitBag(rel, unit, {
          ...m.unitBag(rel, unit),
          [key]: `-----BEGIN CERTIFICATE-----${fill("A\n", 729_000, "")}-----BEGIN PRIVATE KEY-----`,
        }),
      );
      expect(r.ok, String(r.error)).toBe(true);
      expect(blockedMessages(r).join(" ")).toContain(key);
    }
  });
});
