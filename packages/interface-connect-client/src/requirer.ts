/**
 * `ConnectRequirer`: the Kafka Connect integrator side of `connect_client`. It sends the plugin URL
 * (or `NOT-REQUIRED`) with the secret lists in relation-created, and hands out the provider's REST
 * endpoints, basic-auth credentials and TLS CA as a typed integration.
 *
 *   const connect = new ConnectRequirer(charm, { pluginUrl: "https://…/plugin.tar" });
 *   connect.on("integrationCreated", ({ connection }) => …);
 */

import type { Charm, RelationRef } from "@charm-relations/juju-secrets-core";
import { ProtocolEncodeError } from "@charm-relations/juju-secrets-core";
import {
  InterfaceRequirer,
  type RequirerEvents,
  type RequirerOptionsWith,
} from "@charm-relations/juju-secrets-core/interface";
import { connectClient } from "./definition.js";
import { NOT_REQUIRED, pluginUrlProblem } from "./schema.js";

export interface ConnectRequestOptions {
  /**
   * The http(s) URL serving the connector plugin as one tarball, reachable from every Kafka Connect
   * worker, or `NOT_REQUIRED` (`"NOT-REQUIRED"`) for integrators that need no plugin (MirrorMaker).
   * It is sent once per relation: kafka-connect-operator only reacts when it is first added.
   */
  readonly pluginUrl: string;
}

/** `{ endpoint?, contract?, pluginUrl }`, or `{ endpoint?, request: () => ({ pluginUrl }) }`. */
export type ConnectRequirerOptions = RequirerOptionsWith<ConnectRequestOptions>;

/** `integrationCreated`, `endpointsChanged`, `credentialsRotated`, … (all `{ relation, remoteApp, connection }`). */
export type ConnectRequirerEvents = RequirerEvents<typeof connectClient>;

export class ConnectRequirer extends InterfaceRequirer<typeof connectClient, ConnectRequestOptions> {
  constructor(charm: Charm, options: ConnectRequirerOptions) {
    super(charm, connectClient, options, ({ pluginUrl }) => {
      const problem = typeof pluginUrl === "string" ? pluginUrlProblem(pluginUrl) : "expected a string";
      // A bad URL would reach the provider, which cannot download it and never answers: fail here.
      if (problem) throw new ProtocolEncodeError("pluginUrl", problem);
      return [{ resource: pluginUrl }];
    });
  }

  /** The plugin URL sent to providers; `null` for `NOT-REQUIRED`. */
  get pluginUrl(): string | null {
    const url = this.requests[0]?.resource;
    return url === undefined || url === NOT_REQUIRED ? null : url;
  }

  /**
   * The connector name kafka-connect-operator expects (its cleanup regex `.+?r<id>_<32 hex>$`):
   * `<integratorName>_r<relation-id>_<model uuid without dashes>`.
   */
  connectorName(relation: RelationRef | number, integratorName: string): string {
    const relationId = typeof relation === "number" ? relation : relation.id;
    return connectorName({ integratorName, relationId, modelUuid: this.charm.model.modelUuid });
  }
}

/**
 * `<integratorName>_r<relationId>_<modelUuid without dashes>`: the name kafkacl integrators give their
 * connector, which kafka-connect-operator matches to delete it when the relation goes.
 */
export function connectorName(parts: {
  integratorName: string;
  relationId: number;
  modelUuid: string;
}): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(parts.integratorName)) {
    throw new ProtocolEncodeError("integratorName", "use letters, digits, '_', '.' or '-' only");
  }
  return `${parts.integratorName}_r${parts.relationId}_${parts.modelUuid.replace(/-/g, "")}`;
}
