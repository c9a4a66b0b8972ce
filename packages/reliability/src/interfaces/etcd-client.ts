/**
 * etcd_client through `@charm-relations/interface-etcd-client`: a provider charm shaped like
 * charmed-etcd (user = certificate CN, server CA per `rotate` generation) and client charms on v1 and
 * v0 whose certificate comes from config; lifecycle and hostile cases, both sides, both contracts.
 */

import { EtcdClientProvider, EtcdClientRequirer } from "@charm-relations/interface-etcd-client";
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import { charmRunner } from "@charm-relations/juju-secrets-core/testing";
import fc from "fast-check";
import { EventLog } from "../generic.js";
import { badHostPorts, type Hostile, type HostileTarget } from "../hostile.js";
import { providerBases, requirerBases, settledWorld, unknownResponse } from "../hostile-bases.js";
import { V0_ANSWER_ROLES, V0_REQUEST_ROLES, V1_ANSWER_ROLES, V1_REQUEST_ROLES } from "../hostile-generic.js";
import type { LifecycleSpec } from "../lifecycle.js";
import {
  CA_CERT,
  CLIENT1_CERT,
  CLIENT1_RENEWED_CERT,
  CLIENT2_CERT,
  KEY_CERT_SIGN_CERT,
  NO_CN_CERT,
} from "./etcd-certs.js";

const EP = "etcd-client";
const SUBJECT = "etcd_client";
/** Server CAs per `rotate` generation (any PEM will do for the wire). */
const SERVER_CAS = [CA_CERT, KEY_CERT_SIGN_CERT];
const CLIENT_CERTS: Record<string, string> = {
  "1": CLIENT1_CERT,
  renewed: CLIENT1_RENEWED_CERT,
  "2": CLIENT2_CERT,
};

export interface CharmOptions {
  readonly log?: EventLog;
}

export function etcdClientProvider(options: CharmOptions = {}): (charm: Charm) => void {
  return (charm) => {
    const provider = new EtcdClientProvider(charm, { endpoint: EP });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    const ca = () => SERVER_CAS[Number(charm.model.config().rotate ?? 0) % SERVER_CAS.length]!;
    const answer = (
      client: { relation: { endpoint: string; id: number }; requestId?: string },
      username: string,
    ) =>
      provider.publish(client, {
        username,
        endpoints: ["10.1.0.10:2379", "10.1.0.11:2379"],
        version: "3.6.5",
        tlsCa: ca(),
      });
    provider.on("clientRequested", (e) => {
      log("clientRequested", `${e.relation.id} ${e.commonName}`);
      answer(e, e.commonName);
    });
    provider.on("clientCertificateChanged", (e) => {
      log("clientCertificateChanged", `${e.relation.id} ${e.commonName} ${e.source}`);
      if (charm.model.isLeader() && e.commonNameChanged) answer(e, e.commonName);
    });
    provider.on("clientRemoved", (e) => log("clientRemoved", `${e.relation.id} ${e.commonName} ${e.reason}`));
    provider.on("gone", ({ relation }) => log("gone", String(relation.id)));
    // A real charm refuses the client with a status naming it (the library hands over a typed error).
    provider.on("clientCertificateRejected", (e) => charm.model.setStatus("blocked", e.error.message));
    if (options.log) provider.on("invalid", ({ error }) => log("invalid", error.message));
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) provider.publishAll({ tlsCa: ca() });
    });
    // Like most charms, report the workload status at the end of the hook (after the library ran).
    charm.on("relationBroken", () => charm.model.setStatus("active", ""));
  };
}

export function etcdClientRequirer(
  contract: Contract,
  defaultCert: string,
  options: CharmOptions = {},
): (charm: Charm) => void {
  return (charm) => {
    const chosen = charm.model.config().cert;
    const cert = (typeof chosen === "string" && CLIENT_CERTS[chosen]) || defaultCert;
    const requirer = new EtcdClientRequirer(charm, {
      endpoint: EP,
      prefix: "/app/",
      mtlsCert: cert,
      contract,
    });
    const log = (e: string, d = "") => options.log?.add(charm.unit, e, d);
    requirer.on("etcdReady", ({ connection: c }) => log("ready", `${c.relation.id} ${c.username}`));
    requirer.on("caRotated", (c) => log("caRotated", String(c.relation.id)));
    requirer.on("credentialsRotated", ({ connection: c }) =>
      log("rotated", `${c.relation.id} ${c.username}`),
    );
    requirer.on("gone", ({ relation }) => log("gone", String(relation.id)));
    if (options.log) requirer.on("invalid", ({ error }) => log("invalid", error.message));
    charm.on("configChanged", () => {
      if (charm.model.isLeader()) requirer.setMtlsCert(cert);
    });
    // Like most charms, report the workload status at the end of the hook (after the library ran).
    charm.on("relationBroken", () => charm.model.setStatus("active", ""));
  };
}

export function etcdClientLifecycle(options: CharmOptions = {}): LifecycleSpec {
  const o = { log: options.log ?? new EventLog() };
  return {
    name: "etcd_client v1 + v0",
    apps: [
      {
        name: "etcd",
        units: 2,
        endpoints: { [EP]: "provides:etcd_client" },
        runner: charmRunner(etcdClientProvider(o)),
      },
      {
        name: "k8s",
        units: 2,
        endpoints: { [EP]: "requires:etcd_client" },
        runner: charmRunner(etcdClientRequirer("v1", CLIENT1_CERT, o)),
      },
      {
        name: "legacy",
        units: 1,
        endpoints: { [EP]: "requires:etcd_client" },
        runner: charmRunner(etcdClientRequirer("v0", CLIENT2_CERT, o)),
      },
    ],
    steps: [
      { op: "relate", a: `etcd:${EP}`, b: `k8s:${EP}` },
      { op: "relate", a: `etcd:${EP}`, b: `legacy:${EP}` },
      { op: "configure", app: "etcd", config: { rotate: "1" } },
      { op: "configure", app: "k8s", config: { cert: "renewed" } },
      { op: "configure", app: "k8s", config: { cert: "2" } },
      { op: "add-unit", app: "k8s" },
      { op: "set-leader", unit: "etcd/1" },
      { op: "configure", app: "etcd", config: { rotate: "2" } },
      { op: "set-leader", unit: "k8s/1" },
      { op: "remove-unit", unit: "k8s/2" },
      // Leaders leave while the relations live on (LP#1979811): nothing of the relation may go.
      { op: "remove-unit", unit: "etcd/1" },
      { op: "remove-unit", unit: "k8s/1" },
      { op: "remove-relation", index: 0 },
      { op: "remove-relation", index: 1 },
    ],
  };
}

/** The requirer's mTLS secret gets a certificate the provider must refuse (a CA, no CN, garbage). */
function badCertCase(uriOf: (bag: Record<string, string>) => string | undefined): fc.Arbitrary<Hostile> {
  return fc
    .constantFrom(
      CA_CERT,
      NO_CN_CERT,
      "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----",
      "garbage",
    )
    .map((pem) => ({
      category: "value the interface refuses",
      key: "mtls-cert",
      expect: "error" as const,
      note: `mtls secret content = ${pem.slice(0, 30)}…`,
      apply: (bag: Record<string, string>) => bag,
      bagValid: true,
      model: (m, bag) => {
        const uri = uriOf(bag);
        const s = uri ? m.secret(uri) : undefined;
        if (!s) return;
        // A new revision, as the requirer's secret-set would make; the provider sees it on its next read.
        s.latestRevision += 1;
        s.revisions.push({ revision: s.latestRevision, content: { "mtls-cert": pem } });
      },
    }));
}

export function etcdClientTargets(): HostileTarget[] {
  const world = async () => {
    const w = await settledWorld(etcdClientLifecycle());
    return { state: w.state, v1: w.relations[0]!, v0: w.relations[1]! };
  };
  const firstMtls = (bag: Record<string, string>) =>
    (JSON.parse(bag.requests ?? "[]") as Record<string, string>[])[0]?.["secret-mtls"];
  return [
    {
      name: "etcd_client provider v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: etcdClientProvider(),
      roles: {
        ...V1_REQUEST_ROLES,
        v1: { ...V1_REQUEST_ROLES.v1!, secretUris: ["secret-mtls"], free: ["resource"] },
      },
      extra: (_v, base) => (base === "fresh" ? [badCertCase(firstMtls)] : []),
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v1, local: "etcd", remote: "k8s" });
      },
    },
    {
      name: "etcd_client provider v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: etcdClientProvider(),
      roles: {
        ...V0_REQUEST_ROLES,
        secretUris: ["secret-mtls", "encryption-secret"],
        free: ["prefix"],
        immutable: ["prefix"],
      },
      extra: (_v, base) => (base === "fresh" ? [badCertCase((bag) => bag["secret-mtls"])] : []),
      bases: async () => {
        const w = await world();
        return providerBases(w.state, { relationId: w.v0, local: "etcd", remote: "legacy" });
      },
    },
    {
      name: "etcd_client requirer v1",
      subject: SUBJECT,
      endpoint: EP,
      setup: etcdClientRequirer("v1", CLIENT1_CERT),
      // `encryption-secret` and plain `uris`/`tls-ca` only matter cross-model / without secrets: not here.
      roles: {
        ...V1_ANSWER_ROLES,
        v1: {
          ...V1_ANSWER_ROLES.v1!,
          unknownResponse,
          strict: { endpoints: badHostPorts },
          free: ["version"],
        },
      },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v1, local: "k8s", remote: "etcd" });
      },
    },
    {
      name: "etcd_client requirer v0",
      subject: SUBJECT,
      endpoint: EP,
      setup: etcdClientRequirer("v0", CLIENT2_CERT),
      roles: {
        ...V0_ANSWER_ROLES,
        strict: { endpoints: badHostPorts },
        free: ["version", "prefix"],
      },
      bases: async () => {
        const w = await world();
        return requirerBases(w.state, { relationId: w.v0, local: "legacy", remote: "etcd" });
      },
    },
  ];
}
