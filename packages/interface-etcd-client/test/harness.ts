/**
 * Test harness: in-process etcd_client charms (provider and requirer) that record every event they
 * get, and single hooks run on a persistent in-memory model (commit on success, roll back on failure).
 */
import type { Charm, Contract } from "@charm-relations/juju-secrets-core";
import {
  type CommitResult,
  charmRunner,
  type HookEvent,
  type HookRunner,
  hookContextFor,
  JujuModel,
  MemoryBackend,
  sessionOptionsFor,
} from "@charm-relations/juju-secrets-core/testing";
import {
  EtcdClientProvider,
  type EtcdClientProviderEvents,
  EtcdClientRequirer,
  type EtcdClientRequirerEvents,
} from "../src/index.js";
import { FIXTURE, fixtureSecret } from "./helpers.js";

export const ENDPOINT = "etcd-client";
export const SERVER_CA = fixtureSecret(FIXTURE.after_relate, "etcd-client.0.tls.secret").content_by_revision[
  "1"
]!["tls-ca"]!;
export const SERVER_CA_2 = fixtureSecret(FIXTURE.before_remove_relation, "etcd-client.0.tls.secret")
  .content_by_revision["2"]!["tls-ca"]!;

export interface LoggedEvent {
  unit: string;
  hook: string;
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads of many event types
  payload: any;
}

/** The core's in-process runner: a fresh Charm per hook, like `runCharm` in a real process. */
export const inProcess = charmRunner;

/** provider and requirer related on `etcd-client` (no hooks run). */
export function relatedModel(
  options: { uuid?: string; providerUnits?: number; requirerUnits?: number; requirerModel?: string } = {},
): { model: JujuModel; relationId: number } {
  const model = new JujuModel(options.uuid ? { uuid: options.uuid } : {});
  model.addApplication("provider", {
    endpoints: { [ENDPOINT]: "provides:etcd_client" },
    units: options.providerUnits ?? 1,
  });
  model.addApplication("requirer", {
    endpoints: { [ENDPOINT]: "requires:etcd_client" },
    units: options.requirerUnits ?? 2,
    ...(options.requirerModel ? { modelUuid: options.requirerModel } : {}),
  });
  const relationId = model.addRelation(`requirer:${ENDPOINT}`, `provider:${ENDPOINT}`);
  return { model, relationId };
}

export interface HookOutcome {
  ok: boolean;
  error?: unknown;
  commit?: CommitResult;
}

/** Run one hook on the model in place, as Juju would (commit on success, roll back on failure). */
export async function runHook(model: JujuModel, runner: HookRunner, event: HookEvent): Promise<HookOutcome> {
  const context = hookContextFor(model, event);
  const backend = new MemoryBackend(model, sessionOptionsFor(context));
  try {
    await runner(backend, context);
  } catch (error) {
    if (backend.isOpen) backend.rollback();
    return { ok: false, error };
  }
  return { ok: true, commit: backend.commit() };
}

export interface ProviderHarnessOptions {
  /** Answer clients (default true). */
  readonly answer?: boolean;
  readonly endpoints?: readonly string[];
  readonly version?: string;
  /** v0-era `password: ""` (default false). */
  readonly emptyPassword?: boolean;
  /** Record `requestInvalid` (else the default blocked status applies). */
  readonly listenInvalid?: boolean;
}

/** An etcd provider charm: answers each client with its CN as username; config `tls-ca` rotates the CA. */
export function etcdProvider(
  log: LoggedEvent[],
  options: ProviderHarnessOptions = {},
): (charm: Charm) => void {
  return (charm) => {
    const provider = new EtcdClientProvider(charm);
    const record = <K extends keyof EtcdClientProviderEvents>(event: K) =>
      provider.on(event, (payload) => {
        const p =
          event === "trustStoreRefresh"
            ? { ...payload, certificates: (payload as { certificates(): unknown }).certificates() }
            : payload;
        log.push({ unit: charm.unit, hook: charm.context.hookName, event, payload: p });
      });
    record("clientRequested");
    record("clientCertificateChanged");
    record("clientCertificateRejected");
    record("clientRemoved");
    record("trustStoreRefresh");
    record("gone");
    if (options.listenInvalid) record("invalid");
    const config = () => charm.model.config();
    const answer = (
      client: { relation: { endpoint: string; id: number }; requestId?: string },
      username: string,
    ) =>
      provider.publish(client, {
        username,
        endpoints: options.endpoints ?? ["10.1.0.10:2379"],
        version: String(config().version ?? options.version ?? "3.5.18"),
        tlsCa: String(config()["tls-ca"] ?? SERVER_CA),
        ...(options.emptyPassword ? { emptyPassword: true } : {}),
      });
    if (options.answer ?? true) {
      provider.on("clientRequested", (e) => answer(e, e.commonName));
      provider.on("clientCertificateChanged", (e) => {
        if (charm.model.isLeader() && e.commonNameChanged) answer(e, e.commonName);
      });
    }
    charm.on("configChanged", () => {
      if (!charm.model.isLeader()) return;
      const ca = config()["tls-ca"];
      if (typeof ca === "string") provider.publishAll({ tlsCa: ca });
      const eps = config().endpoints;
      const version = config().version;
      if (typeof eps === "string") {
        provider.publishAll({
          endpoints: eps.split(","),
          ...(typeof version === "string" ? { version } : {}),
        });
      }
    });
  };
}

export interface RequirerHarnessOptions {
  readonly prefix?: string;
  readonly cert?: string;
  readonly contract?: Contract;
  readonly listenInvalid?: boolean;
}

/** An etcd client charm; config `mtls-cert` overrides the certificate and is applied on config-changed. */
export function etcdRequirer(
  log: LoggedEvent[],
  options: RequirerHarnessOptions = {},
): (charm: Charm) => void {
  return (charm) => {
    const configured = charm.model.config()["mtls-cert"];
    const cert = typeof configured === "string" ? configured : options.cert;
    const requirer = new EtcdClientRequirer(charm, {
      endpoint: ENDPOINT,
      prefix: options.prefix ?? "/requirer/",
      ...(cert ? { mtlsCert: cert } : {}),
      ...(options.contract ? { contract: options.contract } : {}),
    });
    const events: (keyof EtcdClientRequirerEvents)[] = [
      "etcdReady",
      "endpointsChanged",
      "versionChanged",
      "caRotated",
      "credentialsRotated",
      "statusRaised",
      "statusResolved",
      "gone",
    ];
    if (options.listenInvalid) events.push("invalid");
    for (const event of events) {
      requirer.on(event, (payload) => {
        // Connection events log the connection itself (and the rotated groups), the others as they are.
        const {
          connection,
          relation: _r,
          remoteApp: _a,
          ...rest
        } = payload as unknown as Record<string, unknown>;
        const p = connection ? { ...(connection as object), ...rest } : payload;
        log.push({ unit: charm.unit, hook: charm.context.hookName, event, payload: p });
      });
    }
    charm.on("configChanged", () => {
      if (charm.model.isLeader() && cert) requirer.setMtlsCert(cert);
    });
  };
}

/** Replace every occurrence of each key of `map` in `text`. */
export function substitute(text: string, map: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(map)) out = out.split(from).join(to);
  return out;
}

export function eventsOf(log: LoggedEvent[], event: string, unit?: string): LoggedEvent[] {
  return log.filter((e) => e.event === event && (unit === undefined || e.unit === unit));
}
