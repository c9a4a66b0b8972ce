/**
 * connect_client through `@charm-relations/interface-connect-client`: a provider charm shaped like
 * kafka-connect-operator (REST user per request, password stable per `rotate` generation) and
 * integrators on v0 (kafka-connect-operator's contract) and v1; lifecycle and hostile cases.
 */

import { ConnectProvider, ConnectRequirer } from "@charm-relations/interface-connect-client";
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { EventLog, makePassword, type PasswordMode, passwordSeed } from "../generic.js";
import type { HostileTarget } from "../hostile.js";
import { providerBases, requirerBases, settledWorld, unknownResponse } from "../hostile-bases.js";
import { V0_ANSWER_ROLES, V0_REQUEST_ROLES, V1_ANSWER_ROLES, V1_REQUEST_ROLES } from "../hostile-generic.js";
import type { LifecycleSpec } from "../lifecycle.js";

const EP = "connect-client";
const SUBJECT = "connect_client";
const PLUGIN = "https://plugins.example.com/s3-sink-1.2.tar";

export interface CharmOptions {
  readonly passwords?: PasswordMode;
  readonly log?: EventLog;
}

/** Departure markers go to the default place: the unit's charm directory. */
export function connectProvider(options: CharmOptions = {}): (charm: Charm) => void {
  const seed = passwordSeed(options.passwords ?? "derived");
  return (charm) => {
    const provider = new ConnectProvider(charm, { endpoint: EP });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    const answer = (r: {
      relation: { endpoint: string; id: number };
      requestId?: string;
      username: string;
    }) =>
      provider.publish(r, {
        endpoints: ["http://10.1.0.10:8083", "http://10.1.0.11:8083"],
        username: r.username,
        password: makePassword(seed, `${r.username}#${String(charm.model.config().rotate ?? "0")}`),
        tls: false,
      });
    provider.on("integrationRequested", ({ request }) => {
      log("integrationRequested", `${request.relation.id} ${request.pluginUrl}`);
      answer(request);
    });
    provider.on("integrationRemoved", (e) => log("integrationRemoved", `${e.relation.id} ${e.username}`));
    if (options.log) provider.on("invalid", ({ error }) => log("invalid", error.message));
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      for (const r of provider.answeredRequests()) answer(r);
    });
    // Like most charms, report the workload status at the end of the hook (after the library ran).
    charm.on("relationBroken", () => charm.model.setStatus("active", ""));
  };
}

export function connectRequirer(contract: Contract, options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const requirer = new ConnectRequirer(charm, { endpoint: EP, pluginUrl: PLUGIN, contract });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    requirer.on("integrationCreated", ({ connection: integration }) =>
      log("created", `${integration.relation.id} ${integration.username}`),
    );
    requirer.on("credentialsRotated", ({ connection: integration, groups }) =>
      log("rotated", `${integration.relation.id} ${groups.join(",")}`),
    );
    requirer.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) requirer.on("invalid", ({ error }) => log("invalid", error.message));
  };
}

export function connectLifecycle(options: CharmOptions = {}): LifecycleSpec {
  const o = { passwords: options.passwords ?? "derived", log: options.log ?? new EventLog() };
  return {
    name: "connect_client v0 + v1",
    apps: [
      {
        name: "connect",
        units: 2,
        endpoints: { [EP]: "provides:connect_client" },
        runner: charmRunner(connectProvider(o)),
      },
      {
        name: "sink",
        units: 2,
        endpoints: { [EP]: "requires:connect_client" },
        runner: charmRunner(connectRequirer("v0", o)),
      },
      {
        name: "mirror",
        units: 1,
        endpoints: { [EP]: "requires:connect_client" },
        runner: charmRunner(connectRequirer("v1", o)),
      },
    ],
    steps: [
      { op: "relate", a: `connect:${EP}`, b: `sink:${EP}` },
      { op: "relate", a: `connect:${EP}`, b: `mirror:${EP}` },
      { op: "configure", app: "connect", config: { rotate: "1" } },
      { op: "add-unit", app: "sink" },
      { op: "set-leader", unit: "connect/1" },
      { op: "configure", app: "connect", config: { rotate: "2" } },
      { op: "set-leader", unit: "sink/1" },
      { op: "remove-unit", unit: "sink/2" },
      // Leaders leave while the relations live on (LP#1979811): nothing of the relation may go.
      { op: "remove-unit", unit: "connect/1" },
      { op: "remove-unit", unit: "sink/1" },
      { op: "remove-relation", index: 0 },
      { op: "remove-relation", index: 1 },
    ],
  };
}

/** Plugin URLs kafka-connect-operator cannot download (the package refuses them). */
const badPluginUrl = fc.constantFrom(
  "ftp://x/y.tar",
  "file:///etc/passwd",
  "not a url",
  "http://",
  "NOT_REQUIRED",
);
/** REST endpoints that are not http(s) URLs, or carry credentials. */
const badRest = fc.constantFrom("10.1.0.10:8083", "ftp://10.1.0.10", "http://user:pw@10.1.0.10:8083", "nope");

export function connectTargets(): HostileTarget[] {
  const world = async () => {
    const w = await settledWorld(connectLifecycle());
    return { state: w.state, v0: w.relations[0]!, v1: w.relations[1]! };
  };
  return [
    {
      name: "connect_client provider v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: connectProvider(),
      roles: {
        ...V0_REQUEST_ROLES,
        strict: { "plugin-url": badPluginUrl },
        immutable: ["plugin-url"],
        free: ["plugin-url"],
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v0, local: "connect", remote: "sink" });
      },
    },
    {
      name: "connect_client provider v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: connectProvider(),
      roles: {
        ...V1_REQUEST_ROLES,
        v1: {
          ...V1_REQUEST_ROLES.v1!,
          strict: { ...V1_REQUEST_ROLES.v1!.strict, resource: badPluginUrl },
          free: ["resource"],
        },
      },
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v1, local: "connect", remote: "mirror" });
      },
    },
    {
      name: "connect_client requirer v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: connectRequirer("v0"),
      roles: { ...V0_ANSWER_ROLES, strict: { endpoints: badRest }, free: ["endpoints"] },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v0, local: "sink", remote: "connect" });
      },
    },
    {
      name: "connect_client requirer v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: connectRequirer("v1"),
      roles: {
        ...V1_ANSWER_ROLES,
        v1: { ...V1_ANSWER_ROLES.v1!, unknownResponse, strict: { endpoints: badRest }, free: ["endpoints"] },
      },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v1, local: "mirror", remote: "connect" });
      },
    },
  ];
}
