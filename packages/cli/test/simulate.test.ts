/**
 * `simulate` for every interface and every contract its scenario runs: every phase settles, no hook
 * fails, no secret is orphaned, the rotation really rotated, every requirer unit got its "ready"
 * event, and nothing secret reaches the report.
 */

import { derivedPassword } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import { INTERFACES } from "../src/interfaces.js";
import { type HookView, PHASES, type SimulationReport } from "../src/simulate.js";

/** The event each requirer emits once its answer is usable. */
const READY_EVENT: Record<string, string> = {
  postgresql_client: "databaseCreated",
  etcd_client: "etcdReady",
  etcd: "connectionChanged",
  valkey_client: "resourceCreated",
  connect_client: "integrationCreated",
  kafka_client: "topicCreated",
  opensearch_client: "indexCreated",
  karapace_client: "subjectAllowed",
  mysql_client: "databaseCreated",
  mongodb_client: "databaseCreated",
};

const hooksOf = (r: SimulationReport, phase?: string): HookView[] =>
  r.phases
    .filter((p) => phase === undefined || p.name === phase)
    .flatMap((p) => p.entries.filter((e): e is HookView => e.type === "hook"));

const cases = INTERFACES.flatMap((entry) =>
  entry.scenario.contracts.map((contract) => ({ entry, contract })),
);

describe.each(cases)("simulate $entry.name ($contract)", ({ entry, contract }) => {
  let report: SimulationReport;
  it("settles every phase with no failed hook and no orphaned secret", async () => {
    report = await entry.simulate({ contract });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.phases.map((p) => p.name)).toEqual([...PHASES]);
    expect(report.phases.every((p) => p.settled && p.failed.length === 0)).toBe(true);
    expect(report.totals.failedHooks).toBe(0);
    expect(report.orphanedSecrets).toEqual([]);
    expect(report.contract).toBe(contract);
    expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("gives every requirer unit its ready event, and the scaled-out unit too", () => {
    const ready = hooksOf(report).flatMap((h) =>
      h.events.filter((e) => e.name === READY_EVENT[entry.name]).map(() => h.unit),
    );
    const requirerUnits = [0, 1, 2].map((i) => `${report.requirer.app}/${i}`);
    // v1 valkey asks for two key patterns: one event per request and unit.
    for (const unit of requirerUnits) expect(ready).toContain(unit);
  });

  it("rotates credentials for real: a new secret revision (or new data in the legacy bags) reaches the requirer", () => {
    const rotate = hooksOf(report, "rotate");
    if (entry.name === "etcd") {
      // No secrets in the legacy protocol: new PEMs in the provider unit bags, noticed by every consumer unit.
      expect(rotate.some((h) => h.writes.some((w) => "client_cert" in w.set))).toBe(true);
      expect(
        rotate
          .filter((h) => h.events.some((e) => e.name === "credentialsChanged"))
          .map((h) => h.unit)
          .sort(),
      ).toEqual([`${report.requirer.app}/0`, `${report.requirer.app}/1`]);
    } else {
      expect(rotate.some((h) => h.secrets.updated.length > 0)).toBe(true);
      expect(
        rotate.some((h) => h.unit.startsWith(`${report.requirer.app}/`) && h.hook === "secret-changed"),
      ).toBe(true);
    }
  });

  it("removes the relation's secrets in the remove phase (owners clean up on relation-broken)", () => {
    const created = hooksOf(report).flatMap((h) => h.secrets.created.map((s) => s.id));
    const removed = hooksOf(report).flatMap((h) => h.secrets.removed.map((s) => s.id));
    expect(new Set(removed)).toEqual(new Set(created));
    // Removal happens on relation-broken, after the relation was asked to go.
    const removedIn = report.phases.filter((p) =>
      p.entries.some((e) => e.type === "hook" && e.secrets.removed.length > 0),
    );
    expect(removedIn.map((p) => p.name)).toEqual(created.length ? ["remove"] : []);
  });

  it("keeps credentials out of the report", () => {
    const text = JSON.stringify(report);
    // The demo charms derive their passwords from a seed and the relation id or the username.
    const usernames = hooksOf(report).flatMap((h) =>
      h.events.flatMap((e) => (typeof e.detail?.username === "string" ? [e.detail.username] : [])),
    );
    expect(entry.name === "etcd" || usernames.length > 0).toBe(true);
    for (const seed of ["1", "2"]) {
      expect(text).not.toContain(derivedPassword(seed, "pg", report.relationId ?? 0));
      for (const user of usernames) {
        expect(text).not.toContain(derivedPassword(seed, "valkey", user));
        expect(text).not.toContain(derivedPassword(seed, "connect", user));
      }
    }
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    expect(text).not.toMatch(/postgresql:\/\/[^"]*:[^"]*@/);
  });
});

describe("simulate options", () => {
  it("reports progress hook by hook, with the phase", async () => {
    const seen: string[] = [];
    const entry = INTERFACES.find((e) => e.name === "connect_client")!;
    const report = await entry.simulate({ onProgress: (p) => seen.push(p.phase) });
    expect(seen.length).toBe(report.totals.hooks);
    expect([...new Set(seen)]).toEqual([...PHASES]);
  });

  it("refuses a contract the scenario cannot run", async () => {
    const entry = INTERFACES.find((e) => e.name === "postgresql_client")!;
    await expect(entry.simulate({ contract: "v1" })).rejects.toThrow(/cannot be simulated with contract v1/);
  });

  it("turns a failing charm into problems, not an exception, and stops at that phase", async () => {
    const entry = INTERFACES.find((e) => e.name === "postgresql_client")!;
    const broken = {
      ...entry,
      scenario: {
        ...entry.scenario,
        build: (c: "v0" | "v1") => {
          const run = entry.scenario.build(c);
          return {
            ...run,
            requirer: {
              ...run.requirer,
              setup: (
                charm: Parameters<typeof run.requirer.setup>[0],
                ctx: Parameters<typeof run.requirer.setup>[1],
              ) => {
                charm.on("relationChanged", () => {
                  throw new Error("requirer bug");
                });
                return run.requirer.setup(charm, ctx);
              },
            },
          };
        },
      },
    };
    const { simulate } = await import("../src/simulate.js");
    const report = await simulate(broken);
    expect(report.ok).toBe(false);
    expect(report.phases.map((p) => p.name)).toEqual(["deploy", "relate"]);
    expect(report.problems[0]).toMatch(/^relate: myapp\/\d database-relation-changed failed: requirer bug$/);
    const failed = hooksOf(report).filter((h) => !h.ok);
    expect(failed[0]?.error).toEqual({ name: "Error", message: "requirer bug" });
    // A failed hook commits nothing.
    expect(failed.every((h) => h.writes.length === 0)).toBe(true);
  });
});
