/**
 * Example Kafka Connect integrator charm on `connect_client`, in the spirit of kafkacl's
 * `BaseIntegrator` (interfaces.md §5.5), minus the connector itself:
 *
 * - it asks for the plugin at config `plugin-url` (an http(s) URL serving one tarball, typically the
 *   integrator's own little HTTP server), or `NOT-REQUIRED` for MirrorMaker-style integrators;
 * - when the provider answers (`integrationCreated`, on every unit) it works out the connector name
 *   kafka-connect-operator expects and the REST target (first endpoint + basic auth) a real
 *   integrator would POST its connector config to;
 * - endpoint changes and credential rotations are logged (Python's `KafkaConnectRequires` stays silent
 *   on rotations) and the status is refreshed: `active` with a message starting with `ready` once the
 *   integration is usable, `waiting` before, `blocked` for a bad `plugin-url`.
 */

import {
  type ConnectIntegration,
  ConnectRequirer,
  NOT_REQUIRED,
  pluginUrlProblem,
  restTarget,
} from "@charm-relations/interface-connect-client";
import { type Charm, type CharmEventName, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const ENDPOINT = "connect-client";

const STATUS_ON: readonly CharmEventName[] = [
  "install",
  "start",
  "configChanged",
  "updateStatus",
  "leaderElected",
  "relationCreated",
  "relationChanged",
  "relationBroken",
  "secretChanged",
];

export function setup(charm: Charm): void {
  const model = charm.model;
  const config = model.config();
  const pluginUrl =
    typeof config["plugin-url"] === "string" && config["plugin-url"] !== ""
      ? (config["plugin-url"] as string)
      : NOT_REQUIRED;
  const name =
    typeof config["integrator-name"] === "string" && config["integrator-name"] !== ""
      ? (config["integrator-name"] as string)
      : "example";
  const problem = pluginUrlProblem(pluginUrl);
  if (problem) {
    // Without a valid URL we ask for nothing: the provider could not install the plugin anyway.
    for (const event of STATUS_ON)
      charm.on(event, () => model.setStatus("blocked", `invalid plugin-url: ${problem}`));
    return;
  }
  const requirer = new ConnectRequirer(charm, { endpoint: ENDPOINT, pluginUrl });

  const describe = (i: ConnectIntegration) => {
    const target = restTarget(i);
    return `connector ${requirer.connectorName(i.relation, name)} via ${target.baseUrl} as ${i.username}, tls ${i.tls ? "on" : "off"}`;
  };

  requirer.on("integrationCreated", ({ connection: integration }) => {
    // A real integrator POSTs its connector config to `${restTarget(integration).baseUrl}/connectors` here.
    model.log(
      "INFO",
      `integration created on ${ENDPOINT}:${integration.relation.id}: ${describe(integration)}`,
    );
  });
  requirer.on("endpointsChanged", ({ connection: integration }) => {
    model.log(
      "INFO",
      `endpoints changed on ${ENDPOINT}:${integration.relation.id}: ${integration.endpoints.join(",")}`,
    );
  });
  requirer.on("credentialsRotated", ({ connection: integration, groups }) => {
    model.log("INFO", `credentials rotated on ${ENDPOINT}:${integration.relation.id} (${groups.join(", ")})`);
  });
  requirer.on("gone", ({ relation }) => {
    // kafka-connect-operator deletes this relation's connectors itself; stop local work here.
    model.log("INFO", `integration removed on ${ENDPOINT}:${relation.id}`);
  });
  let invalid = false;
  requirer.on("invalid", ({ relation, error }) => {
    invalid = true;
    model.log("WARNING", error.message);
    model.setStatus(
      "blocked",
      `unusable answer on ${relation.endpoint}:${relation.id}: ${error.key ?? "see juju debug-log"}`,
    );
  });

  const refresh = () => {
    if (invalid) return; // keep this hook's blocked status; the next hook re-evaluates
    const ready = requirer.connections();
    if (ready.length === 0) model.setStatus("waiting", `waiting for Kafka Connect (plugin ${pluginUrl})`);
    else model.setStatus("active", `ready: ${ready.map(describe).join("; ")}`);
  };
  for (const event of STATUS_ON) charm.on(event, refresh);
  // A leader change or a late valid config must still send the request (same-hook rule inside).
  charm.on("configChanged", () => requirer.ensureRequests());
}

void runCharmIfMain(import.meta.url, setup);
