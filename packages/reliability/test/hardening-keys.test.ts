/**
 * Issue 15 classes 5 and 6: remote names used as keys (own-property semantics), and secret URIs with
 * surrounding blanks (one normalisation, for validation and for the hook tool).
 */
import type { Charm } from "@charm-relations/juju-secrets-core";
import { DEFAULT_REQUESTED_SECRETS, pyDumps } from "@charm-relations/juju-secrets-core/protocol";
import { charmRunner, JujuModel, MemoryBackend } from "@charm-relations/juju-secrets-core/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  blockedMessages,
  changed,
  hostileHook,
  resetProvider,
  runnerOf,
  type WorldName,
  world,
} from "../src/hardening.js";
import { removeCharmDirs } from "../src/lifecycle.js";

afterAll(removeCharmDirs);

describe("class 5: remote names are own keys, never inherited members", () => {
  const names = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf", "isPrototypeOf"];

  it.each(names)("requested-secrets naming %s keeps every credential in secrets", async (name) => {
    const w = await world("postgresql");
    const rel = w.relations[0]!; // postgresql ↔ app, v0
    const r = await hostileHook(
      runnerOf("postgresql", "postgresql"),
      w.state,
      changed("postgresql/0", rel),
      (m) => {
        // A fresh provider (nothing answered yet) and a request naming an Object.prototype member.
        resetProvider(m, rel, "postgresql");
        const bag = m.appBag(rel, "app");
        m.setAppBag(rel, "app", {
          ...bag,
          "requested-secrets": pyDumps([...DEFAULT_REQUESTED_SECRETS, name]),
        });
      },
    );
    expect(r.ok, String(r.error)).toBe(true);
    const own = JujuModel.fromJSON(r.state).appBag(rel, "postgresql");
    expect(Object.keys(own)).toContain("secret-user");
    for (const k of ["password", "uris", "username"]) expect(own[k], k).toBeUndefined();
  });

  it("a local databag deletes and sets own keys named after Object.prototype members", async () => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const runner = charmRunner((charm: Charm) => {
      charm.on("relationChanged", () => {
        const bag = charm.model.relation({ endpoint: "database", id: rel }).localApp;
        bag.delete("constructor");
        bag.set("__proto__", "kept");
        bag.set("toString", "kept too");
      });
    });
    const r = await hostileHook(runner, w.state, changed("postgresql/0", rel), (m) => {
      m.setAppBag(rel, "postgresql", { ...m.appBag(rel, "postgresql"), constructor: "old" });
    });
    expect(r.ok, String(r.error)).toBe(true);
    const own = r.state.relations[String(rel)]!.appData.postgresql!;
    expect(Object.hasOwn(own, "constructor")).toBe(false);
    expect(Object.getOwnPropertyDescriptor(own, "__proto__")?.value).toBe("kept");
    expect(Object.hasOwn(own, "toString") && own.toString).toBe("kept too");
  });

  it("MemoryBackend stores and returns a __proto__ key as Juju does", async () => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const model = JujuModel.fromJSON(w.state);
    const b = new MemoryBackend(model, { unit: "postgresql/0" });
    const data = Object.fromEntries([
      ["__proto__", "a"],
      ["constructor", "b"],
    ]);
    b.relationSet({ endpoint: "database", id: rel }, data, true);
    const read = b.relationGet({ endpoint: "database", id: rel }, "postgresql", true);
    expect(Object.getOwnPropertyDescriptor(read, "__proto__")?.value).toBe("a");
    expect(Object.hasOwn(read, "constructor") && read.constructor).toBe("b");
    b.commit();
    const stored = model.appBag(rel, "postgresql");
    expect(Object.hasOwn(stored, "__proto__")).toBe(true);
  });

  it("a remote __proto__ key is part of the requirer's snapshot like any other key", async () => {
    const w = await world("postgresql");
    const rel = w.relations[0]!;
    const r = await hostileHook(runnerOf("postgresql", "app"), w.state, changed("app/0", rel), (m) => {
      m.setAppBag(rel, "postgresql", { ...m.appBag(rel, "postgresql"), ["__proto__"]: "x" });
    });
    expect(r.ok, String(r.error)).toBe(true);
    const data = JSON.parse(JujuModel.fromJSON(r.state).unitBag(rel, "app/0").data ?? "{}");
    expect(Object.hasOwn(data, "__proto__")).toBe(true);
  });
});

describe("class 6: secret URIs with surrounding blanks are read as ops reads them (trimmed)", () => {
  const cases: [WorldName, string, number][] = [
    ["valkey", "client", 0],
    ["valkey", "legacy", 1],
    ["connect", "sink", 0],
    ["connect", "mirror", 1],
    ["etcdClient", "k8s", 0],
    ["etcdClient", "legacy", 1],
    ["postgresql", "app", 0],
    ["postgresql", "reports", 1],
  ];
  const pad = (v: unknown, blanks: [string, string]) =>
    typeof v === "string" && v.startsWith("secret:") ? `${blanks[0]}${v}${blanks[1]}` : v;

  it.each(cases)("%s requirer %s", async (name, app, index) => {
    const w = await world(name);
    const rel = w.relations[index]!;
    const provider = Object.keys(w.state.relations[String(rel)]!.appData).find((a) => a !== app)!;
    const units = w.state.applications[app]!.units;
    for (const blanks of [
      [" ", ""],
      ["", "\t"],
      ["\n", " "],
    ] as [string, string][]) {
      const r = await hostileHook(runnerOf(name, app), w.state, changed(`${app}/0`, rel), (m) => {
        // Nothing processed yet on the requirer side: the answer is new, its secrets must be read.
        for (const u of units) {
          const { data: _drop, ...rest } = m.unitBag(rel, u);
          m.setUnitBag(rel, u, rest);
        }
        const bag = m.appBag(rel, provider);
        const padded: Record<string, string> = {};
        for (const [k, v] of Object.entries(bag))
          padded[k] = k.startsWith("secret-") ? (pad(v, blanks) as string) : v;
        if (bag.requests) {
          const objects = JSON.parse(bag.requests) as Record<string, unknown>[];
          padded.requests = pyDumps(
            objects.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, pad(v, blanks)]))),
          );
        }
        m.setAppBag(rel, provider, padded);
      });
      expect(r.ok, `${JSON.stringify(blanks)}: ${String(r.error)}`).toBe(true);
      expect(blockedMessages(r), JSON.stringify(blanks)).toEqual([]);
      expect(JujuModel.fromJSON(r.state).unitBag(rel, `${app}/0`).data, JSON.stringify(blanks)).toBeDefined();
    }
  });
});
