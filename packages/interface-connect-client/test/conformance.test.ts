/**
 * The exported conformance suites: they pass for this package's reference charms, and they catch the
 * mistakes they are meant to catch (a broken provider, a broken requirer).
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

  it("fails a provider that writes tls as True/False and publishes credentials in plain text", async () => {
    // Hand-written against the hook tools: the mistakes a charm without this package could make.
    const broken: HookRunner = async (b, ctx) => {
      if (ctx.kind !== "relation-changed" || !ctx.relation || !b.isLeader()) return;
      const req = b.relationGet(ctx.relation, ctx.remoteApp!, true);
      if (!req["plugin-url"] || b.relationGet(ctx.relation, ctx.appName, true).endpoints) return;
      b.relationSet(
        ctx.relation,
        { endpoints: "http://10.1.0.10:8083", username: "relation-0", password: "pw", tls: "False" },
        true,
      );
    };
    const [first] = providerConformance({ runner: broken });
    await expect(first!.run()).rejects.toThrow(ConformanceError);
  });

  it("fails a provider that writes credentials before the request (premature write)", async () => {
    const eager: HookRunner = async (b, ctx) => {
      if (ctx.kind === "relation-created" && ctx.relation && b.isLeader()) {
        const uri = b.secretAdd(
          { username: "relation-0", password: "pw" },
          { label: `connect-client.${ctx.relation.id}.user.secret` },
        );
        b.secretGrant(uri, ctx.relation);
        b.relationSet(ctx.relation, { "secret-user": uri }, true);
      }
    };
    const premature = providerConformance({ runner: eager }).find((c) =>
      c.name.includes("before the request"),
    )!;
    await expect(premature.run()).rejects.toThrow(/premature write/);
  });
});

describe("requirerConformance", () => {
  for (const c of requirerConformance({
    runner: referenceRequirer({ pluginUrl: "http://10.1.1.200:8080/route/to/plugin" }),
  })) {
    it(`reference requirer: ${c.name}`, c.run);
  }

  it("fails a requirer that sends plugin-url before requested-secrets (two hooks)", async () => {
    const split: HookRunner = async (b, ctx) => {
      if (!ctx.relation || !b.isLeader()) return;
      if (ctx.kind === "relation-created")
        b.relationSet(ctx.relation, { "plugin-url": "NOT-REQUIRED" }, true);
      if (ctx.kind === "relation-joined")
        b.relationSet(ctx.relation, { "requested-secrets": '["username", "password"]' }, true);
    };
    const [first] = requirerConformance({ runner: split });
    await expect(first!.run()).rejects.toThrow(
      /requested-secrets must be the full default list, in the same hook/,
    );
  });
});
