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
import { type Charm, runCharmIfMain } from "@charm-relations/juju-secrets-core";

export const ENDPOINT = "connect-client";

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
    charm.on("collectStatus", (e) => e.add("blocked", `invalid plugin-url: ${problem}`));
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
  let invalid: string | undefined;
  requirer.on("invalid", ({ relation, error }) => {
    model.log("WARNING", error.message);
    invalid = `unusable answer on ${relation.endpoint}:${relation.id}: ${error.key ?? "see juju debug-log"}`;
  });

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    if (invalid) return e.add("blocked", invalid); // this hook's problem; the next hook re-evaluates
    const ready = requirer.connections();
    if (ready.length === 0) e.add("waiting", `waiting for Kafka Connect (plugin ${pluginUrl})`);
    else e.add("active", `ready: ${ready.map(describe).join("; ")}`);
  });
  // A leader change or a late valid config must still send the request (same-hook rule inside).
  charm.on("configChanged", () => requirer.ensureRequests());
}

void runCharmIfMain(import.meta.url, setup);
