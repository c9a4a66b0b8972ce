/**
 * The part of a connection every data_interfaces v0 interface reads the same way (mysql, mongodb,
 * postgresql, opensearch, karapace …): relation, credentials, CA, entity and whether the provider
 * wrote the credentials in plain text. An interface's `connection` adds its own fields around it.
 */

import { isNoneCa } from "../protocol/codecs.js";
import type { RelationRef } from "../types.js";
import type { Answer } from "./definition.js";

export interface CredentialConnection {
  readonly relation: RelationRef;
  readonly remoteApp: string | null;
  /** Absent for entity requests answered with the entity only. */
  readonly username?: string;
  readonly password?: string;
  /** PEM CA chain; undefined when none was published (or a "none" spelling: `""`, `disabled`). */
  readonly tlsCa?: string;
  /** Entity requests: the created user or group. */
  readonly entityName?: string;
  readonly entityPassword?: string;
  /** `plain`: the provider wrote credentials as plain keys (a requirer that sent no `requested-secrets`). */
  readonly mode: "secrets" | "plain";
}

/** The answer fields `credentialConnection` reads (canonical names). */
export interface CredentialFields {
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly "tls-ca"?: string | undefined;
  readonly "entity-name"?: string | undefined;
  readonly "entity-password"?: string | undefined;
}

/** The common part of a connection, from the resolved answer. */
export function credentialConnection(f: CredentialFields, a: Answer): CredentialConnection {
  return {
    relation: a.relation,
    remoteApp: a.remoteApp,
    ...(f.username !== undefined ? { username: f.username } : {}),
    ...(f.password !== undefined ? { password: f.password } : {}),
    ...(f["tls-ca"] !== undefined && !isNoneCa(f["tls-ca"]) ? { tlsCa: f["tls-ca"] } : {}),
    ...(f["entity-name"] !== undefined ? { entityName: f["entity-name"] } : {}),
    ...(f["entity-password"] ? { entityPassword: f["entity-password"] } : {}),
    mode: f.username !== undefined && !a.secrets.includes("user") ? "plain" : "secrets",
  };
}
