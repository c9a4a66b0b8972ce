import { describe, expect, it } from "vitest";
import { MongodbProvider } from "../src/index.js";
import {
  ConformanceError,
  charmRunner,
  providerConformance,
  referenceProvider,
  referenceRequirer,
  requirerConformance,
} from "../src/testing.js";

describe("providerConformance against this package's reference provider", () => {
  for (const check of providerConformance({ runner: referenceProvider() })) it(check.name, check.run);
});

describe("requirerConformance against this package's reference requirer", () => {
  for (const check of requirerConformance({ runner: referenceRequirer() })) it(check.name, check.run);
});

describe("the suites catch broken charms", () => {
  const byName = (checks: { name: string; run: () => Promise<void> }[], start: string) =>
    checks.find((c) => c.name.startsWith(start))!;

  it("a provider that writes the password in plain text despite requested-secrets fails", async () => {
    const leaky = charmRunner((charm) => {
      const p = new MongodbProvider(charm);
      p.on("databaseRequested", ({ request }) => {
        p.publish(request, { endpoints: "10.1.0.10", username: "u" });
        charm.model.relation(request.relation).localApp.set("password", "leaked");
      });
    });
    const check = byName(providerConformance({ runner: leaky }), "answers a database request");
    await expect(check.run()).rejects.toThrow(ConformanceError);
    await expect(check.run()).rejects.toThrow(
      '"password" was requested as a secret but written in plain text',
    );
  });

  it("a provider that re-creates a secret on broken fails the cleanup check", async () => {
    let n = 0;
    const hoarder = charmRunner((charm) => {
      const p = new MongodbProvider(charm);
      p.on("databaseRequested", ({ request }) =>
        p.publish(request, { username: "u", password: `p${++n}`, endpoints: "10.1.0.10" }),
      );
      charm.on("relationBroken", (e) => {
        if (charm.model.isLeader())
          charm.model.secrets.add({ password: "x" }, { label: `database.${e.relation.id}.user.secret` });
      });
    });
    const check = byName(providerConformance({ runner: hoarder }), "cleans up");
    await expect(check.run()).rejects.toThrow("secrets left behind after relation-broken");
  });

  it("a requirer that sends requested-secrets a hook after the database fails the same-hook rule", async () => {
    const late = charmRunner((charm) => {
      charm.on("relationCreated", (e) => {
        if (charm.model.isLeader()) e.relation.localApp.set("database", "myapp");
      });
      charm.on("relationJoined", (e) => {
        if (charm.model.isLeader()) e.relation.localApp.set("requested-secrets", '["username", "password"]');
      });
    });
    const check = byName(requirerConformance({ runner: late }), "asks in relation-created");
    await expect(check.run()).rejects.toThrow(
      "requested-secrets must be written in the same hook as database",
    );
  });
});
