/**
 * `OpenSearchProvider`: the OpenSearch side of opensearch_client (what opensearch-operator offers on
 * its `opensearch-client` endpoint). This class adds the interface's request and answer types; the
 * engine does the protocol.
 *
 *   const search = new OpenSearchProvider(charm);
 *   search.on("indexRequested", ({ request }) => search.publish(request, { username, password, … }));
 */

import type { Charm } from "@charm-relations/juju-secrets-core";
import {
  answerFields,
  type EntityRequest,
  entityRequestOf,
  InterfaceProvider,
  type ProviderEvents,
  type ProviderOptions,
  type ProviderRequest,
} from "@charm-relations/juju-secrets-core/interface";
import { opensearchClient } from "./definition.js";

/** An index request as the provider sees it (one per relation): the common options and the index. */
export interface OpenSearchRequest extends EntityRequest {
  /** As sent. */
  readonly index: string;
}

/** What a provider publishes; `undefined` leaves a field alone, `null` removes it. */
export interface OpenSearchAnswer {
  /** The index as created (default: the requested one, written with the credentials). */
  readonly index?: string | null;
  /** `host:port` of the nodes, no scheme (written sorted, as opensearch-operator does). */
  readonly endpoints?: readonly string[] | null;
  readonly version?: string | null;
  readonly username?: string | null;
  readonly password?: string | null;
  /** The admin CA chain (PEM). */
  readonly tlsCa?: string | null;
  readonly entityName?: string | null;
  readonly entityPassword?: string | null;
}

/** `indexRequested`, `indexEntityRequested`, `indexEntityPermissionsChanged`, `gone`, `invalid`. */
export type OpenSearchProviderEvents = ProviderEvents<typeof opensearchClient, OpenSearchRequest>;

const toRequest = (r: ProviderRequest): OpenSearchRequest => ({ ...entityRequestOf(r), index: r.resource });

export class OpenSearchProvider extends InterfaceProvider<
  typeof opensearchClient,
  OpenSearchRequest,
  OpenSearchAnswer
> {
  constructor(charm: Charm, options: ProviderOptions = {}) {
    super(charm, opensearchClient, options, toRequest);
  }

  protected fieldsOf(
    a: OpenSearchAnswer,
    request: OpenSearchRequest | undefined,
  ): Record<string, string | undefined> {
    return answerFields({ ...a }, { sorted: ["endpoints"], echo: request && { index: request.index } });
  }
}
