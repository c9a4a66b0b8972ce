/**
 * Test charms on the generic engines, configured like two real interfaces: `postgresql_client` (v0
 * flat) and `valkey_client` (v1 requests, answering v0 requirers flat too). Providers draw a password
 * per request and keep it (a real charm stores it in its database; here it is the secret itself), and
 * rotate it when the `rotate` config option changes.
 */

import { createHash, randomBytes } from "node:crypto";
import type { Charm, RelationRef } from "@charm-relations/juju-secrets-core";
import {
  DataProvider,
  DataRequirer,
  defineInterface,
  type InterfaceDefinition,
  type ProviderRequest,
} from "@charm-relations/juju-secrets-core/interface";
import { charmRunner, type HookRunner } from "@charm-relations/juju-secrets-core/testing";

export const PG: InterfaceDefinition = defineInterface({
  name: "postgresql_client",
  defaultEndpoint: "database",
  contracts: { requirer: ["v0"], provider: ["v0", "v1"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"] },
});

export const KV: InterfaceDefinition = defineInterface({
  name: "valkey_client",
  defaultEndpoint: "client",
  contracts: { requirer: ["v1", "v0"], provider: ["v1", "v0"] },
  resourceKey: "database",
  ready: { default: ["username", "password", "endpoints"] },
  responseExtraKeys: ["sentinel-endpoints", "mode"],
  v0Keys: { "sentinel-endpoints": "sentinel_endpoints" },
  trailingMtlsCert: true,
});

/**
 * How providers make passwords: `random` (a fresh seed per charm setup, like a real charm's random
 * password) or `derived` (a fixed seed, so replays of one hook produce identical secrets). Either way
 * the password of a request is stable for one `rotate` generation, as a real charm keeps it.
 */
export type PasswordMode = "random" | "derived";

export function passwordSeed(mode: PasswordMode): string {
  return mode === "random" ? randomBytes(16).toString("hex") : "derived";
}

export function makePassword(seed: string, key: string): string {
  return `pw-${createHash("sha256").update(`${seed}|${key}`).digest("hex").slice(0, 32)}`;
}

/** Every event a test charm saw: `unit event detail`. Shared by the units of a simulation. */
export class EventLog {
  readonly lines: string[] = [];
  add(unit: string, event: string, detail = ""): void {
    this.lines.push(`${unit} ${event}${detail ? ` ${detail}` : ""}`);
  }
  of(event: string): string[] {
    return this.lines.filter((l) => l.split(" ")[1] === event);
  }
}

export interface GenericOptions {
  readonly passwords?: PasswordMode;
  readonly log?: EventLog;
}

function requestKey(r: ProviderRequest): string {
  return `${r.relation.endpoint}:${r.relation.id}:${r.requestId ?? "v0"}:${r.resource}`;
}

/** Fields for one request; `generation` comes from the `rotate` config option. */
function pgFields(r: ProviderRequest, password: string): Record<string, string> {
  const user = `relation-${r.relation.id}`;
  return {
    database: r.resource,
    endpoints: "10.1.0.10:5432",
    "read-only-endpoints": "10.1.0.11:5432",
    version: "16.8.1",
    username: user,
    password,
    uris: `postgresql://${user}:${password}@10.1.0.10:5432/${r.resource}`,
    tls: "False",
    "tls-ca": "",
  };
}

function kvFields(r: ProviderRequest, password: string): Record<string, string> {
  return {
    endpoints: "10.1.0.10:6379",
    "read-only-endpoints": "10.1.0.10:6379",
    "sentinel-endpoints": "10.1.0.10:26379",
    mode: "sentinel",
    version: "9.0.1",
    username: r.requestId ? `relation-${r.relation.id}-${r.requestId}` : `relation-${r.relation.id}`,
    password,
    tls: "false",
  };
}

/**
 * A provider: answers each new request, re-publishes everything on config-changed (a rotation when
 * `rotate` changed, a no-op otherwise), and records its events.
 */
export function genericProvider(
  def: InterfaceDefinition,
  endpoint: string,
  options: GenericOptions = {},
): (charm: Charm) => void {
  const fields = def === PG ? pgFields : kvFields;
  const seed = passwordSeed(options.passwords ?? "derived");
  return (charm) => {
    const provider = new DataProvider(charm, endpoint, def);
    const log = (event: string, detail = "") => options.log?.add(charm.unit, event, detail);
    const answer = (r: ProviderRequest) => {
      const generation = String(charm.model.config().rotate ?? "0");
      const password = makePassword(seed, `${requestKey(r)}#${generation}`);
      provider.publishFields(
        { relation: r.relation, ...(r.requestId ? { requestId: r.requestId } : {}) },
        fields(r, password),
      );
    };
    provider.events.on("requested", ({ request }) => {
      log("requested", request.resource);
      answer(request);
    });
    provider.events.on("requestRemoved", ({ request }) => log("requestRemoved", request.resource));
    // Without a listener the engine sets a blocked status naming relation and key (hostile cases).
    if (options.log) provider.events.on("invalid", ({ error }) => log("requestInvalid", error.message));
    provider.events.on("gone", ({ relation }) => log("gone", String(relation.id)));
    // Re-publish everything: a rotation when `rotate` changed, a no-op (no write at all) otherwise.
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      for (const r of provider.requests()) {
        const published = provider.published({
          relation: r.relation,
          ...(r.requestId ? { requestId: r.requestId } : {}),
        });
        if (published.password !== undefined) answer(r); // unanswered ones get `requested`
      }
    });
  };
}

export interface GenericRequirerOptions extends GenericOptions {
  readonly contract?: "v0" | "v1";
  readonly resources?: readonly string[];
}

/** A requirer that records created / changed / rotated / invalid / gone events. */
export function genericRequirer(
  def: InterfaceDefinition,
  endpoint: string,
  options: GenericRequirerOptions = {},
): (charm: Charm) => void {
  const contract = options.contract ?? "v0";
  const resources = options.resources ?? [contract === "v0" ? "myapp" : "app:*"];
  return (charm) => {
    const requirer = new DataRequirer(charm, endpoint, def, {
      contract,
      requests: resources.map((resource) => ({ resource })),
    });
    const log = (event: string, detail = "") => options.log?.add(charm.unit, event, detail);
    const at = (r: { relation: RelationRef; requestId?: string }) =>
      `${r.relation.id}${r.requestId ? `/${r.requestId}` : ""}`;
    requirer.events.on("created", ({ connection: answer }) =>
      log("created", `${at(answer)} ${answer.resource} ${answer.raw.username}`),
    );
    requirer.events.on("changed", ({ connection: answer, keys }) =>
      log("changed", `${at(answer)} ${keys.join(",")}`),
    );
    requirer.events.on("credentialsRotated", ({ connection: answer, groups }) =>
      log("rotated", `${at(answer)} ${groups.join(",")}`),
    );
    requirer.events.on("gone", ({ relation }) => log("gone", String(relation.id)));
    charm.on("configChanged", () => {
      const drop = charm.model.config().drop;
      if (charm.model.isLeader() && typeof drop === "string" && drop !== "") requirer.removeRequest(drop);
    });
  };
}

export const runners = {
  pgProvider: (o: GenericOptions = {}, endpoint = "database"): HookRunner =>
    charmRunner(genericProvider(PG, endpoint, o)),
  pgRequirer: (o: GenericRequirerOptions = {}, endpoint = "database"): HookRunner =>
    charmRunner(genericRequirer(PG, endpoint, o)),
  kvProvider: (o: GenericOptions = {}, endpoint = "client"): HookRunner =>
    charmRunner(genericProvider(KV, endpoint, o)),
  kvRequirer: (o: GenericRequirerOptions = {}, endpoint = "client"): HookRunner =>
    charmRunner(genericRequirer(KV, endpoint, o)),
};
