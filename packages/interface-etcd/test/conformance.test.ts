import { describe, expect, it } from "vitest";
import { EtcdProvider, EtcdRequirer } from "../src/index.js";
import { checkEtcdProviderCharm, checkEtcdRequirerCharm } from "../src/testing.js";
import { CREDS_1, charmRunner } from "./helpers.js";

const goodProvider = charmRunner((charm) => {
  const etcd = new EtcdProvider(charm);
  etcd.on("connected", () => {
    etcd.setConnectionString(["https://10.5.0.11:2379", "https://10.5.0.12:2379"], "3.4.22");
    etcd.setClientCredentials(CREDS_1);
  });
});

describe("conformance runs", () => {
  it("a provider built on EtcdProvider passes", async () => {
    const report = await checkEtcdProviderCharm(goodProvider);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("finds a leader-only provider, per-unit values, app-bag writes and rewrites", async () => {
    const leaderOnly = charmRunner((charm) => {
      const etcd = new EtcdProvider(charm);
      etcd.on("connected", () => {
        if (!charm.model.isLeader()) return;
        etcd.setConnectionString(`https://${charm.unit.replace("/", "-")}:2379`);
        for (const rel of etcd.relations) {
          rel.localApp.set("connection_string", "https://x:1");
          rel.localUnit.set("counter", String(Date.now() + Math.random()));
        }
      });
    });
    const report = await checkEtcdProviderCharm(leaderOnly);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        "charm/1 published no connection_string",
        expect.stringMatching(/^charm\/1 and charm\/0 publish different connection_string, counter$/),
        "the provider wrote its application databag",
        "charm/0: a second relation-changed wrote its databag again",
      ]),
    );
  });

  it("reports a provider whose hooks fail, by unit and error name only", async () => {
    const crashing = charmRunner((charm) => {
      const etcd = new EtcdProvider(charm);
      etcd.on("connected", () => etcd.setClientCredentials({ ...CREDS_1, cert: "garbage" }));
    });
    const report = await checkEtcdProviderCharm(crashing, { units: 1 });
    expect(report.problems[0]).toMatch(
      /^relating: charm\/0 failed db-relation-(joined|changed): EtcdInputError$/,
    );
  });

  it("a requirer built on EtcdRequirer passes; one that writes its bag does not", async () => {
    const good = charmRunner((charm) => {
      const etcd = new EtcdRequirer(charm, { endpoint: "etcd", stateDir: false });
      etcd.on("available", () => charm.model.setStatus("active", "ready"));
    });
    const ok = await checkEtcdRequirerCharm(good);
    expect(ok.problems).toEqual([]);
    expect(ok.simulation.model.unitStatus("charm/1")).toEqual({ status: "active", message: "ready" });

    const chatty = charmRunner((charm) => {
      const etcd = new EtcdRequirer(charm, { endpoint: "etcd", stateDir: false });
      etcd.on("connected", (e) => {
        charm.model.relation(e.relation).localUnit.set("hello", "etcd");
      });
    });
    const bad = await checkEtcdRequirerCharm(chatty);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toContain("charm/0 wrote hello in its unit databag");
  });
});
