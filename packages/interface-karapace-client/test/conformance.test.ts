/**
 * The exported conformance suites pass for this package's reference charms and catch the mistakes
 * they are meant to catch.
 */
import type { HookRunner } from "@charm-relations/juju-secrets-core/testing";
import { describe, expect, it } from "vitest";
import {
  ConformanceError,
  providerConformance,
  referenceProvider,
  referenceRequirer,
  requirerConformance,
} from "../src/testing.js";

describe("providerConformance", () => {
  for (const c of providerConformance({ runner: referenceProvider() }))
    it(`reference provider: ${c.name}`, c.run);

  it("fails a provider that publishes credentials in plain text although they were requested as secrets", async () => {
    const broken: HookRunner = async (b, ctx) => {
      if (ctx.kind !== "relation-changed" || !ctx.relation || !b.isLeader()) return;
      if (!b.relationGet(ctx.relation, ctx.remoteApp!, true).subject) return;
      b.relationSet(
        ctx.relation,
        { endpoints: "10.1.0.10:8081", subject: "test-subject", username: "u", password: "p" },
        true,
      );
    };
    await expect(providerConformance({ runner: broken })[0]!.run()).rejects.toThrow(ConformanceError);
  });
});

describe("requirerConformance", () => {
  for (const c of requirerConformance({ runner: referenceRequirer() }))
    it(`reference requirer: ${c.name}`, c.run);

  it("fails a requirer that sends the subject before requested-secrets (two hooks)", async () => {
    const split: HookRunner = async (b, ctx) => {
      if (!ctx.relation || !b.isLeader()) return;
      if (ctx.kind === "relation-created") b.relationSet(ctx.relation, { subject: "test-subject" }, true);
      if (ctx.kind === "relation-joined")
        b.relationSet(ctx.relation, { "requested-secrets": '["username", "password"]' }, true);
    };
    await expect(requirerConformance({ runner: split })[0]!.run()).rejects.toThrow(
      /requested-secrets must be written in the same hook/,
    );
  });
});
