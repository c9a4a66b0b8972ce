/**
 * Regressions found by the reliability suite (packages/reliability): a hook-tool failure during
 * secret cleanup must fail the hook instead of orphaning the secret; garbage printed by secret-add
 * is an error, not a URI; the in-memory Juju prints databags with sorted keys, as Juju does.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessBackend } from "../src/backend/process.js";
import type { Backend, SecretInfo } from "../src/backend/types.js";
import { removeOwnedSecretsForRelation } from "../src/engine/common.js";
import { defineInterface } from "../src/engine/definition.js";
import { DataProvider } from "../src/engine/provider.js";
import { DataRequirer } from "../src/engine/requirer.js";
import { HookToolError, SecretNotFoundError } from "../src/errors.js";
import { Model } from "../src/model/model.js";
import { pyDumps } from "../src/protocol/json.js";
import { computeRequestId } from "../src/protocol/v1.js";
import {
  charmRunner,
  hookContextFor,
  JujuModel,
  MemoryBackend,
  runOnce,
  sessionOptionsFor,
} from "../src/testing/index.js";

const UUID = "8c7e20bb-710f-4f64-b51d-4acb46656498";

function world() {
  const model = new JujuModel({ uuid: UUID });
  model.addApplication("provider", { endpoints: { database: "provides:postgresql_client" }, units: 1 });
  model.addApplication("requirer", { endpoints: { database: "requires:postgresql_client" }, units: 1 });
  const id = model.addRelation("provider:database", "requirer:database");
  const uri = model.addSecret({
    owner: "provider",
    label: `database.${id}.user.secret`,
    content: { username: "u", password: "p-123456789" },
    grants: [{ relationId: id }],
  });
  return { model, id, uri };
}

/** A backend whose secret-info-get fails with `error` for every id. */
function failingInfo(inner: Backend, error: () => Error): Backend {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "secretInfoGet")
        return (_: unknown): SecretInfo => {
          throw error();
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

function brokenHookModel(model: JujuModel, id: number, wrap: (b: Backend) => Backend) {
  const context = hookContextFor(model, { unit: "provider/0", kind: "relation-broken", relationId: id });
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  return { backend, model: new Model(wrap(backend), context) };
}

describe("secret cleanup on relation-broken", () => {
  it("a failing secret-info-get fails the cleanup instead of skipping (and orphaning) the secret", () => {
    const { model, id, uri } = world();
    const toolError = () =>
      new HookToolError({
        tool: "secret-info-get",
        argv: [],
        exitCode: 1,
        stdout: "",
        stderr: "ERROR connection is shut down\n",
      });
    const { backend, model: m } = brokenHookModel(model, id, (b) => failingInfo(b, toolError));
    expect(() => removeOwnedSecretsForRelation(m, { endpoint: "database", id })).toThrow(
      /connection is shut down/,
    );
    backend.rollback();
    expect(model.secret(uri)).toBeDefined(); // still there: the retried hook will remove it
    const retry = brokenHookModel(model, id, (b) => b);
    expect(removeOwnedSecretsForRelation(retry.model, { endpoint: "database", id })).toEqual([
      `database.${id}.user.secret`,
    ]);
    retry.backend.commit();
    expect(model.secret(uri)).toBeUndefined();
  });

  it("a secret that vanished meanwhile (not found) is still skipped", () => {
    const { model, id } = world();
    const notFound = () =>
      new SecretNotFoundError({
        tool: "secret-info-get",
        argv: [],
        exitCode: 1,
        stdout: "",
        stderr: "ERROR not found\n",
      });
    const { model: m } = brokenHookModel(model, id, (b) => failingInfo(b, notFound));
    expect(removeOwnedSecretsForRelation(m, { endpoint: "database", id })).toEqual([]);
  });
});

describe("ProcessBackend.secretAdd output", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function backendPrinting(stdout: string): ProcessBackend {
    const dir = mkdtempSync(join(tmpdir(), "engine-reliability-"));
    dirs.push(dir);
    writeFileSync(join(dir, "out"), stdout);
    writeFileSync(join(dir, "secret-add"), `#!/bin/sh\ncat "${join(dir, "out")}"\n`);
    chmodSync(join(dir, "secret-add"), 0o755);
    return new ProcessBackend({ env: { PATH: `${dir}:${process.env.PATH ?? ""}` }, onWarning: () => {} });
  }

  it("garbage instead of a URI is a HookToolError, never returned as a URI", () => {
    const garbage = "\u0000\u001b[31m<<garbage>> {not json\n";
    const b = backendPrinting(garbage);
    let error: unknown;
    try {
      b.secretAdd({ password: "s3cret-value-123" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HookToolError);
    expect((error as HookToolError).message).toBe(
      `secret-add output is not a secret URI (${garbage.length} chars)`,
    );
    expect((error as HookToolError).message).not.toContain("s3cret");
  });

  it("accepts both URI forms Juju prints", () => {
    expect(backendPrinting(`secret://${UUID}/d2fjn1fmp25004or68b0\n`).secretAdd({ k1x: "v" })).toBe(
      `secret://${UUID}/d2fjn1fmp25004or68b0`,
    );
    expect(backendPrinting("secret:d2fjn1fmp25004or68b0\n").secretAdd({ k1x: "v" })).toBe(
      "secret:d2fjn1fmp25004or68b0",
    );
  });
});

describe("MemoryBackend.relationGet", () => {
  it("returns keys sorted, like Juju's Go-map JSON (and the hook-tool fakes)", () => {
    const { model, id } = world();
    model.setAppBag(id, "provider", { version: "1", "secret-user": "x", endpoints: "e", "secret-tls": "y" });
    const b = new MemoryBackend(model, { unit: "requirer/0" });
    expect(Object.keys(b.relationGet({ endpoint: "database", id }, "provider", true))).toEqual([
      "endpoints",
      "secret-tls",
      "secret-user",
      "version",
    ]);
  });
});

describe("requirer: malformed provider answers are the provider's error, never a crash", () => {
  const DEF = defineInterface({
    name: "t",
    defaultEndpoint: "database",
    contracts: { requirer: ["v0", "v1"], provider: ["v0", "v1"] },
    resourceKey: "database",
    ready: { default: ["username", "password", "endpoints"] },
  });

  function requirerWorld(contract: "v0" | "v1") {
    const { model, id, uri } = world();
    const created: string[] = [];
    const runner = charmRunner((charm) => {
      const r = new DataRequirer(charm, "database", DEF, { contract, requests: [{ resource: "app:*" }] });
      r.events.on("created", (e) => void created.push(e.connection.resource));
    });
    return { model, id, uri, created, runner };
  }
  const changed = (id: number) => ({ unit: "requirer/0", kind: "relation-changed" as const, relationId: id });
  const blockedMessage = (calls: readonly { tool: string; argv: readonly string[] }[]) =>
    calls.find((c) => c.tool === "status-set" && c.argv.includes("blocked"))?.argv.at(-1) ?? "";

  it("v0: a secret-user that is not a secret URI blocks, naming relation and key; nothing is written", async () => {
    const { model, id, runner } = requirerWorld("v0");
    model.setAppBag(id, "provider", { endpoints: "10.0.0.1:5432", "secret-user": "secret:not-a-uri" });
    const out = await runOnce(runner, model, changed(id));
    expect(out.ok).toBe(true);
    expect(out.calls.map((c) => c.tool)).not.toContain("secret-get");
    expect(blockedMessage(out.calls)).toMatch(
      new RegExp(`^database:${id} provider app databag key "secret-user": expected a secret URI`),
    );
    expect(out.commit?.databags).toEqual([]);
  });

  it("v0: an unknown spelling of subordinated blocks instead of being read as false", async () => {
    const { model, id, uri, runner, created } = requirerWorld("v0");
    model.setAppBag(id, "provider", { endpoints: "e:1", "secret-user": uri, subordinated: "y" });
    const out = await runOnce(runner, model, changed(id));
    expect(blockedMessage(out.calls)).toContain('key "subordinated": expected a boolean');
    expect(created).toEqual([]);
  });

  it("v1: a request-id that does not match sha256(resource:salt), or a duplicate, blocks", async () => {
    const { model, id, uri, runner, created } = requirerWorld("v1");
    const salt = "abcdefghABCDEFGH";
    const good = {
      resource: "app:*",
      "request-id": computeRequestId("app:*", salt),
      salt,
      endpoints: "e:1",
      "secret-user": uri,
    };
    model.setAppBag(id, "provider", {
      version: "v1",
      requests: pyDumps([{ ...good, "request-id": "0000000000000000" }]),
    });
    let out = await runOnce(runner, model, changed(id));
    expect(blockedMessage(out.calls)).toContain('key "requests[0].request-id": does not match');
    model.setAppBag(id, "provider", { version: "v1", requests: pyDumps([good, good]) });
    out = await runOnce(runner, model, changed(id));
    expect(blockedMessage(out.calls)).toContain('key "requests[1].request-id": duplicate request id');
    expect(out.commit?.databags).toEqual([]);
    expect(created).toEqual([]);
  });

  it('v1: remote JSON is parsed as JSON: `1, "r": [<valid response>]` is refused, as json.loads refuses it', async () => {
    // Pasting the raw text into a JSON document (`{"r": ${raw}}`) would read this as a valid answer.
    const { model, id, uri, runner, created } = requirerWorld("v1");
    const salt = "abcdefghABCDEFGH";
    const valid = {
      resource: "app:*",
      "request-id": computeRequestId("app:*", salt),
      salt,
      endpoints: "e:1",
      "secret-user": uri,
    };
    model.setAppBag(id, "provider", { version: "v1", requests: `1, "r": ${pyDumps([valid])}` });
    let out = await runOnce(runner, model, changed(id));
    expect(out.ok).toBe(true);
    expect(blockedMessage(out.calls)).toMatch(
      new RegExp(
        `^database:${id} provider app databag key "requests": expected a JSON array of response objects`,
      ),
    );
    expect(out.commit?.databags).toEqual([]);
    expect(created).toEqual([]);
    // The same for the status list next to a valid answer.
    model.setAppBag(id, "provider", {
      version: "v1",
      requests: pyDumps([valid]),
      status: `1, "r": [{"code": 4001, "message": "m", "resolution": "r"}]`,
    });
    out = await runOnce(runner, model, changed(id));
    expect(blockedMessage(out.calls)).toContain('key "status": expected a JSON array of');
    expect(created).toEqual([]);
  });

  it("v1: a response to a resource this charm does not request is ignored (a withdrawn request's leftover)", async () => {
    const { model, id, uri, runner, created } = requirerWorld("v1");
    const salt = "abcdefghABCDEFGH";
    const ours = {
      resource: "app:*",
      "request-id": computeRequestId("app:*", salt),
      salt,
      endpoints: "e:1",
      "secret-user": uri,
    };
    const other = { ...ours, resource: "gone:*", "request-id": computeRequestId("gone:*", salt) };
    model.setAppBag(id, "provider", { version: "v1", requests: pyDumps([other, ours]) });
    const out = await runOnce(runner, model, changed(id));
    expect(out.ok).toBe(true);
    expect(created).toEqual(["app:*"]);
    expect(Object.keys(JSON.parse(out.model.unitBag(id, "requirer/0").data!))).toEqual([ours["request-id"]]);
  });
});

describe("provider: remote JSON is parsed as JSON", () => {
  it('v1 `requests` of `1, "r": [<valid request>]` is refused (typed, blocked), no request event, nothing written', async () => {
    const { model, id } = world();
    const requested: string[] = [];
    const runner = charmRunner((charm) => {
      const p = new DataProvider(
        charm,
        "database",
        defineInterface({
          name: "t",
          defaultEndpoint: "database",
          contracts: { requirer: ["v0"], provider: ["v0", "v1"] },
          resourceKey: "database",
          ready: { default: ["username"] },
        }),
      );
      p.events.on("requested", (e) => void requested.push(e.request.resource));
    });
    const salt = "abcdefghABCDEFGH";
    const request = { resource: "app:*", "request-id": computeRequestId("app:*", salt), salt };
    model.setAppBag(id, "requirer", { version: "v1", requests: `1, "r": ${pyDumps([request])}` });
    const out = await runOnce(runner, model, {
      unit: "provider/0",
      kind: "relation-changed",
      relationId: id,
    });
    expect(out.ok).toBe(true);
    const blocked = out.calls.find((c) => c.tool === "status-set" && c.argv.includes("blocked"));
    expect(blocked?.argv.at(-1)).toMatch(
      new RegExp(
        `^database:${id} requirer app databag key "requests": expected a JSON array of request objects`,
      ),
    );
    expect(requested).toEqual([]);
    expect(out.commit?.databags).toEqual([]);
  });
});
