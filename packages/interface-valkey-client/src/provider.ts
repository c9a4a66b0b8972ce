/**
 * `ValkeyProvider`: the Valkey side of `valkey_client`. It serves v1 requirers (several key-pattern
 * requests per relation) and v0 `DatabaseRequires` requirers on the same endpoint, tells the charm
 * which ACL users to create and delete, and publishes endpoints, credentials and TLS in the exact
 * spelling valkey-operator uses. The engine does the protocol.
 *
 *   const valkey = new ValkeyProvider(charm);
 *   valkey.on("resourceRequested", ({ request }) => valkey.publish(request, { username, password, … }));
 */

import type { Charm, Contract, RelationRef } from "@charm-relations/juju-secrets-core";
import {
  answerFields,
  InterfaceProvider,
  type ProviderEvents,
  type ProviderOptions,
  type ProviderRequest,
  parseAnswer,
  tlsAnswerFields,
} from "@charm-relations/juju-secrets-core/interface";
import { valkeyClient } from "./definition.js";
import { responseInput, type ValkeyResponseInput, valkeyUsername } from "./schema.js";

/** One request for a key pattern, as the provider charm sees it. */
export interface ValkeyRequest {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  readonly contract: Contract;
  /** v1 only (a v0 requirer has one implicit request per relation). */
  readonly requestId?: string;
  /** The key pattern, for both the key ACL (`~<resource>`) and the channel ACL (`&<resource>`). */
  readonly resource: string;
  /** The ACL user valkey-operator creates for it: `relation-<id>-<request-id>` or `relation-<id>`. */
  readonly username: string;
}

/** `resourceRequested`, `resourcesRequested` (bulk), `requestRemoved`, `invalid`, `gone`. */
export type ValkeyProviderEvents = ProviderEvents<typeof valkeyClient, ValkeyRequest>;

function toRequest(r: ProviderRequest): ValkeyRequest {
  return {
    relation: r.relation,
    remoteApp: r.remoteApp,
    contract: r.contract,
    ...(r.requestId ? { requestId: r.requestId } : {}),
    resource: r.resource,
    username: valkeyUsername(r.relation.id, r.contract === "v1" ? r.requestId : undefined),
  };
}

export class ValkeyProvider extends InterfaceProvider<
  typeof valkeyClient,
  ValkeyRequest,
  ValkeyResponseInput
> {
  constructor(charm: Charm, options: ProviderOptions = {}) {
    super(charm, valkeyClient, options, toRequest);
    // valkey-operator creates one user per key pattern; custom entities are not part of valkey_client.
    this.on("resourceEntityRequested", ({ relation }) =>
      charm.model.log(
        "WARNING",
        `${relation.endpoint}:${relation.id}: entity requests are not supported by valkey_client; ignored`,
      ),
    );
  }

  /** The same fields (endpoints, version, TLS …) to every answered request (leader); credentials are per request. */
  override publishAll(response: Omit<ValkeyResponseInput, "username" | "password">): void {
    this.publishAllShared(response);
  }

  /** Validated input → canonical fields in valkey-operator's spelling. */
  protected fieldsOf(
    input: ValkeyResponseInput,
    request: ValkeyRequest | undefined,
  ): Record<string, string | undefined> {
    const { tls, tlsCa, ...rest } = parseAnswer(responseInput, input);
    // The tls secret holds `tls-ca` only while TLS is on (interfaces.md §7).
    const tlsFields = tlsAnswerFields(tls, tlsCa, { on: "true", off: "false" });
    const fields = { ...answerFields(rest), ...tlsFields };
    // v0 requirers read the key pattern back as `database`, as valkey-operator echoes it.
    if (request?.contract === "v0") fields.database = request.resource;
    return fields;
  }
}
