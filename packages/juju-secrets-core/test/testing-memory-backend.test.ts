import { describe, expect, it } from "vitest";
import type { RelationRef } from "../src/backend/types.js";
import {
  HookToolError,
  LeadershipError,
  PermissionDeniedError,
  RelationDataAccessError,
  RelationNotFoundError,
  SecretLabelConflictError,
  SecretNotFoundError,
} from "../src/errors.js";
import { JujuModel, MemoryBackend, type MemoryBackendOptions } from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

function world(jujuVersion?: string) {
  const model = new JujuModel({ uuid: UUID, ...(jujuVersion ? { jujuVersion } : {}) });
  model.addApplication("provider", {
    endpoints: { database: "provides:postgresql_client", peers: "peers:provider_peers" },
    units: 2,
  });
  model.addApplication("requirer", { endpoints: { database: "requires:postgresql_client" }, units: 2 });
  const id = model.addRelation("provider:database", "requirer:database");
  const peer = model.addRelation("provider:peers");
  const ref: RelationRef = { endpoint: "database", id };
  const open = (unit: string, extra: Partial<MemoryBackendOptions> = {}) =>
    new MemoryBackend(model, { unit, ...extra });
  return { model, id, peer, ref, open };
}

/** Run `fn` and return the typed error it throws. */
function caught(fn: () => unknown): HookToolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HookToolError) return e;
    throw e;
  }
  throw new Error("expected a hook-tool error");
}

describe("MemoryBackend: relation data", () => {
  it("lists relations, units and the remote app like the tools do", () => {
    const { open, ref, id, peer } = world();
    const b = open("provider/0");
    expect(b.relationIds("database")).toEqual([id]);
    expect(b.relationIds("peers")).toEqual([peer]);
    expect(b.relationIds("nope")).toEqual([]);
    expect(b.relationList(ref)).toEqual(["requirer/0", "requirer/1"]);
    expect(b.relationRemoteApp(ref)).toBe("requirer");
    expect(b.relationList({ endpoint: "peers", id: peer })).toEqual(["provider/1"]);
    expect(b.relationRemoteApp({ endpoint: "peers", id: peer })).toBe("provider");
  });

  it("gives unit bags Juju's own address keys", () => {
    const { open, ref, model } = world();
    const bag = open("provider/0").relationGet(ref, "requirer/1", false);
    const address = model.unit("requirer/1").address;
    expect(bag).toEqual({
      "egress-subnets": `${address}/32`,
      "ingress-address": address,
      "private-address": address,
    });
  });

  it("lets the leader read its own app bag with its pending writes (read-your-writes)", () => {
    const { open, ref, model, id } = world();
    model.setAppBag(id, "provider", { old: "1", gone: "x" });
    const b = open("provider/0");
    b.relationSet(ref, { endpoints: "10.1.0.10:5432", gone: "" }, true);
    expect(b.relationGet(ref, "provider", true)).toEqual({ old: "1", endpoints: "10.1.0.10:5432" });
    // Not committed yet: the model (and every other unit) still has the old bag.
    expect(model.appBag(id, "provider")).toEqual({ old: "1", gone: "x" });
    const result = b.commit();
    expect(model.appBag(id, "provider")).toEqual({ old: "1", endpoints: "10.1.0.10:5432" });
    expect(result.databags).toEqual([
      {
        relationId: id,
        bag: "app",
        owner: "provider",
        set: { endpoints: "10.1.0.10:5432" },
        deleted: ["gone"],
      },
    ]);
  });

  it('sees its own unit bag writes, and `""` deletes a key', () => {
    const { open, ref, model, id } = world();
    const b = open("requirer/1");
    b.relationSet(ref, { a: "1", b: "2" }, false);
    b.relationSet(ref, { a: "" }, false);
    expect(b.relationGet(ref, "requirer/1", false)).toMatchObject({ b: "2" });
    expect(b.relationGet(ref, "requirer/1", false)).not.toHaveProperty("a");
    b.commit();
    expect(model.unitBag(id, "requirer/1")).toEqual({ b: "2" });
  });

  it("serves remote bags as a snapshot taken when the hook started", () => {
    const { open, ref, model, id } = world();
    const reader = open("requirer/0");
    const writer = open("provider/0");
    writer.relationSet(ref, { endpoints: "h:1" }, true);
    writer.commit();
    expect(reader.relationGet(ref, "provider", true)).toEqual({});
    expect(model.appBag(id, "provider")).toEqual({ endpoints: "h:1" });
    expect(open("requirer/0").relationGet(ref, "provider", true)).toEqual({ endpoints: "h:1" });
  });

  it("refuses app writes and own-app reads from a non-leader with Juju's errors", () => {
    const { open, ref, model, id } = world();
    const b = open("provider/1");
    const write = caught(() => b.relationSet(ref, { x: "1" }, true));
    expect(write).toBeInstanceOf(LeadershipError);
    expect(write.stderr).toBe("ERROR cannot write relation settings\n");
    expect(write.exitCode).toBe(1);
    expect(write.message).toContain("cannot write relation settings");
    const read = caught(() => b.relationGet(ref, "provider", true));
    expect(read).toBeInstanceOf(PermissionDeniedError);
    expect(read.stderr).toBe("ERROR permission denied\n");
    b.commit();
    expect(model.appBag(id, "provider")).toEqual({});
  });

  it("lets any unit read a peer relation's app bag, but only the leader write it", () => {
    const { open, peer, model } = world();
    model.setAppBag(peer, "provider", { k: "v" });
    const peers = { endpoint: "peers", id: peer };
    expect(open("provider/1").relationGet(peers, "provider", true)).toEqual({ k: "v" });
    expect(caught(() => open("provider/1").relationSet(peers, { k: "w" }, true))).toBeInstanceOf(
      LeadershipError,
    );
  });

  it("rejects non-string values with a typed error naming the key, and writes nothing", () => {
    const { open, ref, model, id } = world();
    const b = open("requirer/0");
    expect(() => b.relationSet(ref, { port: 5432 as unknown as string }, false)).toThrow(
      RelationDataAccessError,
    );
    expect(() => b.relationSet(ref, { port: 5432 as unknown as string }, false)).toThrow(/key "port"/);
    b.commit();
    expect(model.unitBag(id, "requirer/0")).toEqual({});
    expect(model.calls("requirer/0")).toEqual([]);
  });

  it("answers an unknown relation id with exit 2 and Juju's text", () => {
    const { open } = world();
    const err = caught(() =>
      open("provider/0").relationGet({ endpoint: "database", id: 9 }, "requirer/0", false),
    );
    expect(err).toBeInstanceOf(RelationNotFoundError);
    expect(err.exitCode).toBe(2);
    expect(err.stderr).toBe('ERROR invalid value "database:9" for option -r: relation not found\n');
  });

  it("rejects an app name where a unit is expected", () => {
    const { open, ref } = world();
    const err = caught(() => open("provider/0").relationGet(ref, "requirer", false));
    expect(err.exitCode).toBe(2);
    expect(err.stderr).toBe('ERROR expected unit name, got application name "requirer"\n');
  });

  it("drops every buffered write on rollback but keeps status and logs", () => {
    const { open, ref, model, id } = world();
    const before = model.toJSON();
    const b = open("provider/0", { hookName: "database-relation-changed", relation: ref });
    b.relationSet(ref, { endpoints: "x" }, true);
    b.relationSet(ref, { mine: "y" }, false);
    const uri = b.secretAdd({ password: "s3cret" }, { label: "l" });
    b.statusSet("blocked", "broken on purpose", false);
    b.jujuLog("WARNING", "about to fail");
    b.rollback();
    expect(model.state.relations).toEqual(before.relations);
    expect(model.secret(uri)).toBeUndefined();
    expect(model.unitStatus("provider/0")).toEqual({ status: "blocked", message: "broken on purpose" });
    expect(model.logs("provider/0").map((l) => l.message)).toEqual([`database:${id}: about to fail`]);
    expect(() => b.relationIds("database")).toThrow(/already rolled-back/);
  });

  it("hides a broken relation from relation-ids and relation-list in relation-broken", () => {
    const { open, ref, id } = world();
    const b = open("requirer/0", {
      kind: "relation-broken",
      relation: ref,
      hookName: "database-relation-broken",
    });
    expect(b.relationIds("database")).toEqual([]);
    expect(b.relationList(ref)).toEqual([]);
    // The relation itself is still addressable in its broken hook (ops gives the handler a relation object).
    expect(b.relationGet(ref, "requirer/0", false)).toBeDefined();
    expect(open("requirer/0").relationIds("database")).toEqual([id]);
  });

  it("answers relation-model-get with the remote app's model, and not at all before Juju 3.6.2", () => {
    const cross = new JujuModel({ uuid: UUID });
    cross.addApplication("db", { endpoints: { database: "provides:postgresql_client" } });
    const remoteUuid = "11111111-2222-4333-8444-555555555555";
    cross.addApplication("app", {
      endpoints: { database: "requires:postgresql_client" },
      modelUuid: remoteUuid,
    });
    const id = cross.addRelation("db:database", "app:database");
    expect(new MemoryBackend(cross, { unit: "db/0" }).relationModelGet({ endpoint: "database", id })).toBe(
      remoteUuid,
    );
    expect(new MemoryBackend(cross, { unit: "app/0" }).relationModelGet({ endpoint: "database", id })).toBe(
      UUID,
    );
    const old = world("3.6.1");
    expect(old.open("provider/0").relationModelGet(old.ref)).toBeNull();
    expect(old.model.calls()).toEqual([]);
  });
});

describe("MemoryBackend: secrets", () => {
  /** Provider leader creates an app secret and grants it to the relation; committed. */
  function withSecret(jujuVersion?: string) {
    const w = world(jujuVersion);
    const owner = w.open("provider/0");
    const uri = owner.secretAdd({ username: "u", password: "p1" }, { label: "database.0.user.secret" });
    owner.secretGrant(uri, w.ref);
    owner.commit();
    return { ...w, uri, xid: w.model.secret(uri)!.xid };
  }

  it("prints URIs as secret://<model-uuid>/<xid> with a 20-char base32hex xid", () => {
    const { uri, xid } = withSecret();
    expect(xid).toMatch(/^[0-9a-v]{20}$/);
    expect(uri).toBe(`secret://${UUID}/${xid}`);
    expect(withSecret("3.1.8").uri).toMatch(/^secret:[0-9a-v]{20}$/);
  });

  it("tracks the first read, then serves tracked, --peek and --refresh revisions as Juju does", () => {
    const { open, uri, model } = withSecret();
    const first = open("requirer/0");
    expect(first.secretGet({ id: uri })).toEqual({ username: "u", password: "p1" });
    first.commit();
    expect(model.secret(uri)!.tracking).toEqual({ "requirer/0": 1 });

    const rotate = open("provider/0");
    rotate.secretSet(uri, { content: { username: "u", password: "p2" } });
    rotate.commit();
    expect(model.secret(uri)!.latestRevision).toBe(2);

    const c = open("requirer/0");
    expect(c.secretGet({ id: uri })).toEqual({ username: "u", password: "p1" });
    expect(c.secretGet({ id: uri, peek: true })).toEqual({ username: "u", password: "p2" });
    expect(c.secretGet({ id: uri })).toEqual({ username: "u", password: "p1" });
    c.commit();
    expect(model.secret(uri)!.tracking["requirer/0"]).toBe(1);

    const aborted = open("requirer/0");
    expect(aborted.secretGet({ id: uri, refresh: true })).toEqual({ username: "u", password: "p2" });
    aborted.rollback();
    expect(model.secret(uri)!.tracking["requirer/0"]).toBe(1);

    const r = open("requirer/0");
    expect(r.secretGet({ id: uri, refresh: true })).toEqual({ username: "u", password: "p2" });
    expect(r.secretGet({ id: uri })).toEqual({ username: "u", password: "p2" });
    const commit = r.commit();
    expect(commit.secrets.tracking).toEqual([
      { xid: model.secret(uri)!.xid, unit: "requirer/0", revision: 2 },
    ]);
    expect(model.secret(uri)!.tracking["requirer/0"]).toBe(2);
  });

  it("denies ungranted consumers and reports unknown secrets by xid", () => {
    const { open, uri, model } = withSecret();
    const strangerOwner = new MemoryBackend(model, { unit: "provider/0" });
    const hidden = strangerOwner.secretAdd({ token: "t0k" });
    strangerOwner.commit();
    const denied = caught(() => open("requirer/0").secretGet({ id: hidden }));
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    expect(denied.stderr).toBe("ERROR permission denied\n");
    const missing = caught(() => open("requirer/0").secretGet({ id: "secret:0123456789abcdefghij" }));
    expect(missing).toBeInstanceOf(SecretNotFoundError);
    expect(missing.stderr).toBe('ERROR secret "0123456789abcdefghij" not found\n');
    expect(open("requirer/0").secretGet({ id: uri })).toHaveProperty("password");
    const bad = caught(() => open("requirer/0").secretGet({ id: "not-a-uri" }));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('ERROR secret URI "not-a-uri" not valid\n');
  });

  it("binds a consumer label with id + label, resolves label-only reads, and refuses a second binding", () => {
    const { open, uri, model, xid } = withSecret();
    const owner = open("provider/0");
    const other = owner.secretAdd({ token: "t" });
    owner.secretGrant(other, { endpoint: "database", id: 0 });
    owner.commit();

    const c = open("requirer/0");
    c.secretGet({ id: uri, label: "creds" });
    expect(c.secretGet({ label: "creds" })).toEqual({ username: "u", password: "p1" });
    const conflict = caught(() => c.secretGet({ id: other, label: "creds" }));
    expect(conflict).toBeInstanceOf(SecretLabelConflictError);
    expect(conflict.stderr).toBe(
      'ERROR secret label "creds" for consumer "unit-requirer-0" already exists\n',
    );
    c.commit();
    expect(model.state.secrets[xid]!.consumerLabels).toEqual({ "requirer/0": "creds" });
    // Labels are private to each unit.
    const notMine = caught(() => open("requirer/1").secretGet({ label: "creds" }));
    expect(notMine).toBeInstanceOf(SecretNotFoundError);
    expect(notMine.stderr).toBe('ERROR secret owned by "requirer/1" with label "creds" not found\n');
  });

  it("updates the owner label when the owner reads with id + label", () => {
    const { open, uri, xid } = withSecret();
    const b = open("provider/0");
    b.secretGet({ id: uri, label: "renamed" });
    expect(b.secretInfoGet({ label: "renamed" }).id).toBe(xid);
    expect(b.secretGet({ label: "renamed" })).toEqual({ username: "u", password: "p1" });
  });

  it("refuses a second owned secret with the same label", () => {
    const { open } = withSecret();
    const err = caught(() =>
      open("provider/0").secretAdd({ other: "x" }, { label: "database.0.user.secret" }),
    );
    expect(err).toBeInstanceOf(SecretLabelConflictError);
    expect(err.stderr).toBe('ERROR secret with label "database.0.user.secret" already exists\n');
  });

  it("makes no revision for unchanged content (Juju >= 3.6) and at most one per hook", () => {
    const { open, uri, model } = withSecret();
    const same = open("provider/0");
    same.secretSet(uri, { content: { password: "p1", username: "u" } });
    expect(same.commit().secrets.updated).toEqual([]);
    expect(model.secret(uri)!.latestRevision).toBe(1);

    const twice = open("provider/0");
    twice.secretSet(uri, { content: { username: "u", password: "p2" } });
    twice.secretSet(uri, { content: { username: "u", password: "p3" } });
    twice.commit();
    expect(model.secret(uri)!.latestRevision).toBe(2);
    expect(model.secretContent(uri)).toEqual({ username: "u", password: "p3" });

    const back = open("provider/0");
    back.secretSet(uri, { content: { username: "u", password: "p9" } });
    back.secretSet(uri, { content: { username: "u", password: "p3" } });
    back.commit();
    expect(model.secret(uri)!.latestRevision).toBe(2);
  });

  it("does mint a revision for unchanged content before Juju 3.6", () => {
    const { open, uri, model } = withSecret("3.5.4");
    const b = open("provider/0");
    b.secretSet(uri, { content: { username: "u", password: "p1" } });
    b.commit();
    expect(model.secret(uri)!.latestRevision).toBe(2);
  });

  it("lets a plain owner read see committed content; --peek sees the pending update", () => {
    const { open, uri } = withSecret();
    const b = open("provider/0");
    b.secretSet(uri, { content: { username: "u", password: "new" } });
    expect(b.secretGet({ id: uri })).toEqual({ username: "u", password: "p1" });
    expect(b.secretGet({ id: uri, peek: true })).toEqual({ username: "u", password: "new" });
    const created = b.secretAdd({ token: "fresh" });
    expect(b.secretGet({ id: created })).toEqual({ token: "fresh" });
  });

  it("gates app-owned secret management on leadership, not unit-owned ones", () => {
    const { open, uri } = withSecret();
    const b = open("provider/1");
    for (const attempt of [
      () => b.secretAdd({ token: "x" }),
      () => b.secretSet(uri, { content: { password: "z" } }),
      () => b.secretGrant(uri, { endpoint: "database", id: 0 }),
      () => b.secretRemove(uri),
    ]) {
      const err = caught(attempt);
      expect(err).toBeInstanceOf(LeadershipError);
      expect(err.stderr).toBe("ERROR this unit is not the leader\n");
    }
    const own = b.secretAdd({ token: "x" }, { owner: "unit" });
    expect(b.secretIds()).toEqual([secretXidOf(own)]);
    // Non-leaders of the owning app can read app secrets (as consumers).
    expect(b.secretGet({ id: uri })).toEqual({ username: "u", password: "p1" });
  });

  it("includes pending creates in secret-ids and secret-info-get, with grants as access", () => {
    const { open, xid, model, id } = withSecret();
    const b = open("provider/0");
    const fresh = b.secretAdd(
      { token: "t" },
      { label: "fresh", description: "d", rotate: "daily", expire: "2030-01-02T03:04:05Z" },
    );
    const freshXid = secretXidOf(fresh);
    expect(b.secretIds()).toEqual([xid, freshXid].sort());
    expect(b.secretInfoGet({ label: "fresh" })).toEqual({
      id: freshXid,
      revision: 1,
      label: "fresh",
      owner: "application",
      description: "d",
      rotation: "daily",
      expiry: "2030-01-02T03:04:05Z",
    });
    expect(b.secretInfoGet({ id: `secret:${xid}` }).access).toEqual([
      { target: "application-requirer", scope: "relation-requirer.database#provider.database", role: "view" },
    ]);
    // Not the owner: not found (secret-info-get is an ownership test).
    const err = caught(() => open("requirer/0").secretInfoGet({ id: xid }));
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect(err.stderr).toBe(`ERROR secret "${xid}" not found\n`);
    expect(model.relation(id).id).toBe(id);
  });

  it("revokes grants and removes secrets or single revisions", () => {
    const { open, uri, model, ref } = withSecret();
    const b = open("provider/0");
    b.secretRevoke(uri, ref);
    b.commit();
    expect(caught(() => open("requirer/0").secretGet({ id: uri }))).toBeInstanceOf(PermissionDeniedError);

    const set = open("provider/0");
    set.secretSet(uri, { content: { password: "p2" } });
    set.commit();
    const rm = open("provider/0");
    rm.secretRemove(uri, 1);
    expect(rm.commit().secrets.revisionsRemoved).toEqual([{ xid: model.secret(uri)!.xid, revision: 1 }]);
    expect(model.secret(uri)!.revisions.map((r) => r.revision)).toEqual([2]);
    const all = open("provider/0");
    all.secretRemove(uri);
    expect(all.commit().secrets.removed).toHaveLength(1);
    expect(model.secret(uri)).toBeUndefined();
  });

  it("validates grants like secret-grant's argument checks", () => {
    const { open, uri, ref } = withSecret();
    const wrongUnit = caught(() => open("provider/0").secretGrant(uri, ref, "provider/1"));
    expect(wrongUnit.exitCode).toBe(2);
    expect(wrongUnit.stderr).toBe(
      'ERROR cannot specify unit "provider/1" in relation to application "requirer"\n',
    );
    const b = open("provider/0");
    const unitOnly = b.secretAdd({ token: "t" });
    b.secretGrant(unitOnly, ref, "requirer/1");
    b.secretGrant(unitOnly, ref, "requirer/1");
    const err = caught(() => b.secretGrant(unitOnly, ref));
    expect(err.stderr).toBe(
      "ERROR any unit level grants need to be revoked before granting access to the corresponding application\n",
    );
    b.commit();
    expect(open("requirer/1").secretGet({ id: unitOnly })).toEqual({ token: "t" });
    expect(caught(() => open("requirer/0").secretGet({ id: unitOnly }))).toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("validates content like Juju: key syntax, emptiness, base64 size", () => {
    const { open } = world();
    const b = open("provider/0");
    const badKey = caught(() => b.secretAdd({ Bad_Key: "x" }));
    expect(badKey.exitCode).toBe(2);
    expect(badKey.stderr).toBe('ERROR key "Bad_Key" not valid\n');
    const empty = caught(() => b.secretAdd({}));
    expect(empty.stderr).toBe("ERROR missing secret value or filename\n");
    const big = caught(() => b.secretAdd({ blob: "x".repeat(750_001) }));
    expect(big.exitCode).toBe(1);
    expect(big.stderr).toBe('ERROR base64 encoded secret content for key "blob" too large: 1000004 bytes\n');
    expect(big.message).not.toContain("xxxx");
    // Empty values are fine (real providers store tls-ca: "").
    expect(() => b.secretAdd({ "tls-ca": "", tls: "False" })).not.toThrow();
    const expire = caught(() => b.secretAdd({ token: "t" }, { expire: "soon" }));
    expect(expire.stderr).toBe('ERROR expire time or duration "soon" not valid\n');
    const uri = b.secretAdd({ token: "t" }, { expire: "24h" });
    const expiry = Date.parse(b.secretInfoGet({ id: uri }).expiry ?? "");
    expect(Math.abs(expiry - (Date.now() + 24 * 3600e3))).toBeLessThan(60_000);
  });

  it("logs every call with ops' argv and never a secret value", () => {
    const { open, ref } = withSecret();
    const b = open("provider/0", { hookName: "database-relation-changed" });
    const uri = b.secretAdd({ password: "hunter2-super-secret" }, { label: "x" });
    b.secretSet(uri, { content: { password: "another-secret-value" } });
    b.relationGet(ref, "requirer/0", false);
    b.statusSet("active", "ready", true);
    const calls = b.model.calls("provider/0").filter((c) => c.hook === "database-relation-changed");
    const text = JSON.stringify(b.model.state.calls);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("another-secret");
    expect(calls.map((c) => [c.tool, c.argv])).toEqual([
      ["secret-add", ["--label", "x", "--owner", "application", "password#file=<redacted>"]],
      ["secret-set", [uri, "password#file=<redacted>"]],
      ["relation-get", ["--format=json", "-r", "database:0", "-", "requirer/0"]],
      ["status-set", ["--application=True", "active", "--", "ready"]],
    ]);
    expect(calls.every((c) => c.exitCode === 0)).toBe(true);
  });
});

describe("MemoryBackend: status, version, config, network", () => {
  it("applies status at once, app status for the leader only", () => {
    const { open, model } = world();
    const leader = open("provider/0");
    leader.statusSet("waiting", "for db", true);
    expect(model.appStatus("provider")).toEqual({ status: "waiting", message: "for db" });
    expect(leader.statusGet(true)).toEqual({ status: "waiting", message: "for db" });
    const err = caught(() => open("provider/1").statusGet(true));
    expect(err).toBeInstanceOf(LeadershipError);
    expect(err.stderr).toBe("ERROR finding application status: this unit is not the leader\n");
    const bad = caught(() => leader.statusSet("happy" as "active", "", false));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe(
      'ERROR invalid status "happy", expected one of [maintenance blocked waiting active]\n',
    );
    expect(model.application("provider").statusHistory.map((s) => s.status)).toEqual(["waiting"]);
  });

  it("records the workload version and serves config and network info", () => {
    const model = new JujuModel({ uuid: UUID });
    model.addApplication("db", { endpoints: { database: "provides:pg" }, config: { port: 5432 } });
    const b = new MemoryBackend(model, { unit: "db/0" });
    b.applicationVersionSet("16.8.1");
    expect(model.unit("db/0").workloadVersion).toBe("16.8.1");
    expect(b.configGet()).toEqual({ port: 5432 });
    const net = b.networkGet("database");
    expect(net["ingress-addresses"]).toEqual([model.unit("db/0").address]);
    expect(caught(() => b.networkGet("nope")).stderr).toBe(
      'ERROR no network config found for binding "nope"\n',
    );
    expect(b.isLeader()).toBe(true);
  });
});

function secretXidOf(uri: string): string {
  return uri.slice(uri.lastIndexOf("/") + 1).replace(/^secret:/, "");
}
