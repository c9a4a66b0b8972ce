import { describe, expect, it } from "vitest";
import { hookContextFromEnv } from "../src/hook/context.js";
import {
  compareJujuVersions,
  type HookEvent,
  hookContextFor,
  JujuModel,
  jujuEnvFor,
  SimulationError,
  secretXid,
  unitTag,
} from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

function model() {
  const m = new JujuModel({ uuid: UUID, name: "demo" });
  m.addApplication("provider", {
    endpoints: { database: "provides:postgresql_client", peers: "peers:p" },
    units: 2,
  });
  m.addApplication("requirer", {
    endpoints: { database: { role: "requires", interface: "postgresql_client" } },
    units: 2,
    leader: 1,
  });
  const id = m.addRelation("provider:database", "requirer:database");
  return { m, id };
}

describe("JujuModel", () => {
  it("holds apps, units with addresses, leaders and relations with Juju's unit keys", () => {
    const { m, id } = model();
    expect(m.application("provider").units).toEqual(["provider/0", "provider/1"]);
    expect(m.leaderOf("provider")).toBe("provider/0");
    expect(m.leaderOf("requirer")).toBe("requirer/1");
    expect(m.unit("provider/0").address).toBe("10.1.0.10");
    expect(m.unitBag(id, "provider/0")).toEqual({});
    expect(m.unitBag(id, "provider/0", { jujuKeys: true })).toEqual({
      "egress-subnets": "10.1.0.10/32",
      "ingress-address": "10.1.0.10",
      "private-address": "10.1.0.10",
    });
    expect(m.relation(id).members["provider/0"]).toEqual(["requirer/0", "requirer/1"]);
    expect(m.relations({ app: "requirer" }).map((r) => r.id)).toEqual([id]);
  });

  it("round-trips through JSON without loss", () => {
    const { m, id } = model();
    m.setAppBag(id, "requirer", { database: "myapp" });
    m.addSecret({ owner: "provider", content: { password: "x" }, label: "l", grants: [{ relationId: id }] });
    const again = JujuModel.fromJSON(JSON.stringify(m.toJSON()));
    expect(again.toJSON()).toEqual(m.toJSON());
    // A copy, not a view.
    again.setAppBag(id, "requirer", {});
    expect(m.appBag(id, "requirer")).toEqual({ database: "myapp" });
  });

  it("refuses relations Juju would refuse", () => {
    const { m } = model();
    m.addApplication("other", { endpoints: { db: "requires:mysql_client" } });
    expect(() => m.addRelation("provider:database", "other:db")).toThrow(/interfaces differ/);
    expect(() => m.addRelation("provider:database", "requirer:database")).toThrow(/already exists/);
    expect(() => m.addRelation("provider:nope", "requirer:database")).toThrow(SimulationError);
    expect(() => m.addRelation("provider:database")).toThrow(/not a peer endpoint/);
    expect(() => m.addApplication("Bad_Name")).toThrow(/invalid application name/);
  });

  it("mints deterministic xids and prints URIs per Juju version", () => {
    const a = new JujuModel({ uuid: UUID });
    const b = new JujuModel({ uuid: UUID });
    const xa = [a.nextSecretXid(), a.nextSecretXid()];
    expect(xa).toEqual([b.nextSecretXid(), b.nextSecretXid()]);
    expect(xa[0]).not.toBe(xa[1]);
    for (const x of xa) expect(x).toMatch(/^[0-9a-v]{20}$/);
    expect(a.secretUri("0123456789abcdefghij")).toBe(`secret://${UUID}/0123456789abcdefghij`);
    expect(new JujuModel({ jujuVersion: "3.2.4" }).secretUri("0123456789abcdefghij")).toBe(
      "secret:0123456789abcdefghij",
    );
  });

  it("parses all three secret id forms", () => {
    expect(secretXid("9m4e2mr0ui3e8a215n4g")).toBe("9m4e2mr0ui3e8a215n4g");
    expect(secretXid("secret:9m4e2mr0ui3e8a215n4g")).toBe("9m4e2mr0ui3e8a215n4g");
    expect(secretXid(`secret://${UUID}/9m4e2mr0ui3e8a215n4g`)).toBe("9m4e2mr0ui3e8a215n4g");
    expect(secretXid("secret://not-a-uuid/9m4e2mr0ui3e8a215n4g")).toBeUndefined();
    expect(secretXid("secret:short")).toBeUndefined();
  });

  it("compares Juju versions numerically", () => {
    expect(compareJujuVersions("3.6.14", "3.6.2")).toBeGreaterThan(0);
    expect(compareJujuVersions("3.6", "3.6.0")).toBe(0);
    expect(compareJujuVersions("3.5.9", "3.6")).toBeLessThan(0);
    expect(unitTag("charmed-etcd/0")).toBe("unit-charmed-etcd-0");
  });

  it("sets up secrets directly, and forgets a removed unit's tracking and labels", () => {
    const { m, id } = model();
    const uri = m.addSecret({
      owner: "provider",
      content: { password: "one" },
      moreRevisions: [{ password: "two" }],
      grants: [{ relationId: id }],
      tracking: { "requirer/0": 1, "requirer/1": 2 },
      consumerLabels: { "requirer/0": "creds" },
    });
    const s = m.secret(uri)!;
    expect(s.latestRevision).toBe(2);
    expect(m.secretContent(uri, 1)).toEqual({ password: "one" });
    expect(m.secretContent(uri)).toEqual({ password: "two" });
    expect(s.grants).toEqual([{ relationId: id, kind: "application", target: "requirer" }]);
    expect(m.secretByLabel("creds", "requirer/0")?.xid).toBe(s.xid);
    m.removeUnit("requirer/0");
    expect(m.secret(uri)!.tracking).toEqual({ "requirer/1": 2 });
    expect(m.secret(uri)!.consumerLabels).toEqual({});
    expect(m.relation(id).members["provider/0"]).toEqual(["requirer/1"]);
    m.removeRelation(id);
    expect(m.secret(uri)!.grants).toEqual([]);
  });
});

describe("hook contexts and Juju's environment", () => {
  it("gives the spawned charm an environment that parses back to the same context", () => {
    const { m, id } = model();
    const uri = m.addSecret({
      owner: "provider",
      content: { p: "x" },
      label: "owner-label",
      consumerLabels: { "requirer/0": "mine" },
    });
    const events: HookEvent[] = [
      { unit: "provider/0", kind: "install" },
      { unit: "provider/0", kind: "relation-created", relationId: id },
      { unit: "provider/0", kind: "relation-changed", relationId: id, remoteUnit: "requirer/1" },
      { unit: "provider/0", kind: "relation-changed", relationId: id },
      {
        unit: "provider/1",
        kind: "relation-departed",
        relationId: id,
        remoteUnit: "requirer/0",
        departingUnit: "provider/1",
      },
      { unit: "requirer/0", kind: "relation-broken", relationId: id },
      { unit: "requirer/0", kind: "secret-changed", secretId: uri },
      { unit: "provider/0", kind: "secret-remove", secretId: uri, secretRevision: 1 },
      { unit: "provider/0", kind: "action", actionName: "rotate-password" },
    ];
    for (const event of events) {
      const ctx = hookContextFor(m, event, "/charm");
      const env = jujuEnvFor(ctx);
      expect(hookContextFromEnv(env)).toEqual(ctx);
      if (ctx.relation) expect(env.JUJU_REMOTE_UNIT).toBe(ctx.remoteUnit ?? "");
    }
    const changed = hookContextFor(m, events[6]!);
    expect(changed).toMatchObject({ secretId: uri, secretLabel: "mine", hookName: "secret-changed" });
    expect(hookContextFor(m, events[7]!)).toMatchObject({ secretLabel: "owner-label", secretRevision: 1 });
    expect(jujuEnvFor(hookContextFor(m, events[8]!))).toMatchObject({
      JUJU_DISPATCH_PATH: "actions/rotate-password",
      JUJU_HOOK_NAME: "",
      JUJU_ACTION_NAME: "rotate-password",
    });
    expect(jujuEnvFor(hookContextFor(m, events[2]!))).toMatchObject({
      JUJU_DISPATCH_PATH: "hooks/database-relation-changed",
      JUJU_RELATION: "database",
      JUJU_RELATION_ID: `database:${id}`,
      JUJU_REMOTE_APP: "requirer",
      JUJU_REMOTE_UNIT: "requirer/1",
      JUJU_MODEL_NAME: "demo",
      JUJU_MODEL_UUID: UUID,
      JUJU_VERSION: "3.6.14",
    });
  });
});
