/**
 * Example Kafka client charm on `kafka_client`. It asks for one topic (config `topic`, default
 * `<app>-events`) with roles (`producer,consumer`) and an optional consumer group prefix, over the v1
 * contract (kafka-operator since November 2025); `contract: v0` speaks like a data_interfaces
 * `KafkaRequires` client. With `mtls-cert` set it sends that client certificate (rotating it later
 * sends the new one) and expects the broker's SSL listener.
 *
 * - the answer, a broker move (`bootstrapServerChanged`), a password rotation or a TLS switch
 *   (`credentialsRotated`) re-render `<data-dir>/client.properties` (mode 0600) for the workload;
 * - status (collect-status): `blocked` without a relation, `waiting` until the credentials are
 *   readable, then `active` with `ready: …`. Logs name users and servers, never passwords.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KafkaConnection, KafkaRequirer, type KafkaRole } from "@charm-relations/interface-kafka-client";
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const PROPERTIES_FILE = "client.properties";

/** Java client properties for one connection (SCRAM-SHA-512 over SASL, or SSL with a client certificate). */
export function clientProperties(c: KafkaConnection, mtls: boolean): string {
  const protocol = c.tls ? (mtls ? "SSL" : "SASL_SSL") : "SASL_PLAINTEXT";
  const lines = [`bootstrap.servers=${c.bootstrapServer.join(",")}`, `security.protocol=${protocol}`];
  if (!mtls || !c.tls) {
    lines.push(
      "sasl.mechanism=SCRAM-SHA-512",
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${c.username}" password="${c.password}";`,
    );
  }
  if (c.consumerGroupPrefix) lines.push(`group.id=${c.consumerGroupPrefix}${c.topic}`);
  if (c.tlsCa)
    lines.push(
      "ssl.truststore.type=PEM",
      `ssl.truststore.certificates=${c.tlsCa.trim().replace(/\n/g, "\\n")}`,
    );
  return `${lines.join("\n")}\n`;
}

export function setup(charm: Charm): void {
  const model = charm.model;
  const cfg = () => model.config();
  const str = (key: string): string => (typeof cfg()[key] === "string" ? (cfg()[key] as string).trim() : "");
  const kafka = new KafkaRequirer(charm, {
    contract: str("contract") === "v0" ? "v0" : "v1",
    // Evaluated only when the request is written: no config read for it in other hooks.
    request: () => ({
      topic: str("topic") || `${charm.app}-events`,
      extraUserRoles: (str("roles") || "producer,consumer").split(",").map((r) => r.trim() as KafkaRole),
      ...(str("consumer-group-prefix") ? { consumerGroupPrefix: str("consumer-group-prefix") } : {}),
      ...(str("mtls-cert") ? { mtlsCert: str("mtls-cert") } : {}),
    }),
  });
  const dataDir = (): string => str("data-dir") || "/var/lib/kafka-client";

  /** Write what the workload needs; only when it changed (a real charm restarts its workload then). */
  const render = (): void => {
    const c = kafka.connection();
    const content = c ? clientProperties(c, str("mtls-cert") !== "") : "";
    const file = join(dataDir(), PROPERTIES_FILE);
    let current: string | undefined;
    try {
      current = readFileSync(file, "utf8");
    } catch {
      current = undefined;
    }
    if (current === content || (current === undefined && content === "")) return;
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
    model.log(
      "INFO",
      c ? `rendered ${file}: ${c.username} on ${c.bootstrapServer.join(",")}` : `emptied ${file}`,
    );
  };

  // Whatever the library reports may change the status; without a report, relation hooks keep it.
  let reported = false;
  const changed = () => {
    reported = true;
    render();
  };
  kafka.on("topicCreated", changed);
  kafka.on("bootstrapServerChanged", changed);
  kafka.on("credentialsRotated", changed);
  kafka.on("gone", changed);
  kafka.on("invalid", ({ error }) => {
    reported = true;
    model.log("WARNING", `ignoring Kafka data: ${error.message}`);
  });
  charm.on("configChanged", () => {
    // A new client certificate: the leader rotates it in place (one secret revision).
    const cert = str("mtls-cert");
    if (cert && model.isLeader() && model.relations(kafka.endpoint).length) kafka.setMtlsCert(cert);
  });
  charm.on("collectStatus", (e) => {
    // A relation hook the library found nothing new in costs no call for the status (it stands).
    const quiet = ["relation-changed", "relation-joined", "relation-departed"].includes(model.context.kind);
    if (quiet && !reported) return;
    // The connection first: in the hook of its relation it costs no relation-ids.
    const c = kafka.connection();
    if (c) return e.add("active", `ready: ${c.username} on topic ${c.topic} (${c.contract})`);
    if (model.relations(kafka.endpoint).length === 0)
      return e.add("blocked", "needs a kafka-client relation");
    e.add("waiting", "waiting for Kafka credentials");
  });
}

void runCharmIfMain(import.meta.url, setup);
