/**
 * `KarapaceProvider`: the schema registry side of karapace_client (what karapace-operator offers on
 * its `karapace` endpoint). This class adds the interface's request and answer types and its value
 * spelling (`tls: enabled/disabled`); the engine does the protocol.
 *
 *   const registry = new KarapaceProvider(charm);
 *   registry.on("subjectRequested", ({ request }) => registry.publish(request, { username, password, … }));
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
import { karapaceClient } from "./definition.js";

/** A subject request as the provider sees it (one per relation): the common options and the subject. */
export interface KarapaceRequest extends EntityRequest {
  /** As sent. */
  readonly subject: string;
}

/** What a provider publishes; `undefined` leaves a field alone, `null` removes it. */
export interface KarapaceAnswer {
  /** `host:port` of the registry units, no scheme (written sorted, as karapace-operator does). */
  readonly endpoints?: readonly string[] | null;
  readonly username?: string | null;
  readonly password?: string | null;
  /** Written `enabled`/`disabled`. */
  readonly tls?: boolean | null;
  /** The subject echo (default: the requested one, written with the credentials). */
  readonly subject?: string | null;
  readonly entityName?: string | null;
  readonly entityPassword?: string | null;
}

/** `subjectRequested`, `subjectEntityRequested`, `subjectEntityPermissionsChanged`, `gone`, `invalid`. */
export type KarapaceProviderEvents = ProviderEvents<typeof karapaceClient, KarapaceRequest>;

const toRequest = (r: ProviderRequest): KarapaceRequest => ({ ...entityRequestOf(r), subject: r.resource });

export class KarapaceProvider extends InterfaceProvider<
  typeof karapaceClient,
  KarapaceRequest,
  KarapaceAnswer
> {
  constructor(charm: Charm, options: ProviderOptions = {}) {
    super(charm, karapaceClient, options, toRequest);
  }

  protected fieldsOf(
    a: KarapaceAnswer,
    request: KarapaceRequest | undefined,
  ): Record<string, string | undefined> {
    const echo = request && { subject: request.subject };
    return answerFields({ ...a }, { bool: "enabled", sorted: ["endpoints"], echo });
  }
}
