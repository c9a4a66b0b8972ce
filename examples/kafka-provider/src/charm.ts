/**
 * Example Kafka broker charm serving `kafka_client` the way kafka-operator does:
 *
 * - every new topic request (v1 clients may send several per relation; v0 `KafkaRequires` clients one)
 *   gets a SCRAM user `relation-<id>-<request-id>` (v1) / `relation-<id>` (v0) with a random password,
 *   ACLs from its roles on the topic and its consumer group prefix; credentials, bootstrap servers and
 *   TLS are published in the same hook;
 * - a client certificate (`mtlsCertUpdated`) goes into the truststore and moves that client to the
 *   SSL listener (9094, like kafka-operator); withdrawn requests and broken relations drop their users;
 * - config changes (hosts, TLS) are re-published; the `rotate-passwords` action renews every password.
 *
 * It does not run Kafka: the leader renders `<data-dir>/clients.json` (mode 0600, password hashes
 * only) and the client certificates under `<data-dir>/truststore/`, what a real charm would apply.
 */

import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KafkaProvider, type KafkaRequest, responseInput } from "@charm-relations/interface-kafka-client";
import { type Charm, ProtocolEncodeError, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const CLIENTS_FILE = "clients.json";

/** One client user as the leader renders it. */
export interface Client {
  readonly username: string;
  readonly topic: string;
  readonly roles: readonly string[];
  readonly consumerGroupPrefix: string | null;
  readonly mtls: boolean;
  readonly passwordSha256: string;
}

const newPassword = (): string => randomBytes(16).toString("hex");

export function setup(charm: Charm): void {
  const model = charm.model;
  const kafka = new KafkaProvider(charm);
  let configError: string | undefined;
  /** Publish; a config value that cannot be published (a bad host) blocks instead of failing the hook. */
  const guarded = (publish: () => void): boolean => {
    try {
      publish();
      return true;
    } catch (e) {
      if (!(e instanceof ProtocolEncodeError)) throw e;
      configError = e.message;
      return false;
    }
  };
  const dataDir = (): string => {
    const v = model.config()["data-dir"];
    return typeof v === "string" && v !== "" ? v : "/var/lib/kafka";
  };
  const certFile = (relationId: number, requestId?: string) =>
    join(dataDir(), "truststore", `relation-${relationId}${requestId ? `-${requestId}` : ""}.pem`);

  /** Bootstrap servers for a client: SASL_PLAINTEXT 9092, SASL_SSL 9093, SSL 9094 for mTLS clients. */
  const shared = (mtls: boolean) => {
    const cfg = model.config();
    const tls = cfg.tls === true;
    const port = tls ? (mtls ? 9094 : 9093) : 9092;
    const hosts = String(cfg.hosts || "localhost")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    const ca = typeof cfg["tls-ca"] === "string" && cfg["tls-ca"] !== "" ? cfg["tls-ca"] : null;
    return { bootstrapServer: hosts.map((h) => `${h}:${port}`).sort(), tls, ...(tls ? { tlsCa: ca } : {}) };
  };

  /**
   * The leader's users (what a real charm turns into SCRAM users and ACLs), kept up to date entry by
   * entry so that no hook re-reads the published secrets: `change` edits the list, which is written
   * (mode 0600, password hashes only) when it differs.
   */
  const users = (change: (clients: Client[]) => Client[]): void => {
    if (!model.isLeader()) return;
    const file = join(dataDir(), CLIENTS_FILE);
    const before = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    const current = before ? (JSON.parse(before) as { clients: Client[] }).clients : [];
    const clients = change(current).sort((a, b) =>
      a.username < b.username ? -1 : a.username > b.username ? 1 : 0,
    );
    const content = `${JSON.stringify({ clients }, null, 2)}\n`;
    if (content === before) return;
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
    model.log(
      "INFO",
      `${clients.length} client user(s) rendered; a real charm updates SCRAM users and ACLs now`,
    );
  };
  const hash = (password: string) => createHash("sha256").update(password).digest("hex");
  const upsert = (request: KafkaRequest, password: string) =>
    users((list) => [
      ...list.filter((c) => c.username !== request.username),
      {
        username: request.username,
        topic: request.topic,
        roles: request.extraUserRoles,
        consumerGroupPrefix: request.consumerGroupPrefix ?? null,
        mtls: request.mtls,
        passwordSha256: hash(password),
      },
    ]);

  const answer = (request: KafkaRequest): void => {
    const password = newPassword();
    if (
      !guarded(() =>
        kafka.publish(request, { username: request.username, password, ...shared(request.mtls) }),
      )
    )
      return;
    upsert(request, password);
    model.log("INFO", `created user ${request.username} for topic ${request.topic} (${request.contract})`);
  };

  kafka.on("topicRequested", ({ request }) => answer(request));
  kafka.on("mtlsCertUpdated", ({ relation, requestId, cert }) => {
    // Every unit trusts the certificate (its own truststore); the leader moves the client to 9094.
    const file = certFile(relation.id, requestId);
    mkdirSync(join(dataDir(), "truststore"), { recursive: true });
    writeFileSync(file, cert, { mode: 0o600 });
    model.log("INFO", `trusting the client certificate of relation ${relation.id}`);
    const request = model.isLeader() ? kafka.request(relation, requestId) : undefined;
    if (request && kafka.credentials(request)) guarded(() => kafka.publish(request, shared(true)));
  });
  kafka.on("requestRemoved", ({ request }) => {
    rmSync(certFile(request.relation.id, request.requestId), { force: true });
    users((list) => list.filter((c) => c.username !== request.username));
  });
  kafka.on("gone", ({ relation, departing }) => {
    if (departing) return;
    const store = join(dataDir(), "truststore");
    const ours = (f: string) =>
      f === `relation-${relation.id}.pem` || f.startsWith(`relation-${relation.id}-`);
    if (existsSync(store)) for (const f of readdirSync(store).filter(ours)) rmSync(join(store, f));
    model.log("INFO", `dropping the users of relation ${relation.id}`);
    const base = `relation-${relation.id}`;
    users((list) => list.filter((c) => c.username !== base && !c.username.startsWith(`${base}-`)));
  });
  kafka.on("invalid", ({ error }) => model.log("WARNING", `ignoring a request: ${error.message}`));

  charm.on("configChanged", () => {
    // The one hook that reads the config anyway decides whether it can be served.
    const check = responseInput.safeParse({ bootstrapServer: shared(false).bootstrapServer });
    if (!check.success) configError = `hosts: ${check.error.issues[0]?.message ?? "invalid"}`;
    if (!model.isLeader() || configError) return;
    for (const request of kafka.answeredRequests())
      guarded(() => kafka.publish(request, shared(request.mtls)));
  });
  charm.on(
    "action",
    () => {
      for (const request of kafka.answeredRequests()) {
        const password = newPassword();
        kafka.publish(request, { password });
        upsert(request, password);
      }
      model.log("INFO", "rotated every client password");
    },
    { action: "rotate-passwords" },
  );
  // From this hook's own outcome, at no hook-tool cost: config-changed decides, a failed publish blocks,
  // and other hooks add nothing, so the unit keeps the status it has.
  charm.on("collectStatus", (e) => {
    if (configError) e.add("blocked", `invalid config: ${configError}`);
    else if (model.context.kind === "config-changed") e.add("active");
  });
}

void runCharmIfMain(import.meta.url, setup);
