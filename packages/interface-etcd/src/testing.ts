/**
 * Test helpers for charms using the legacy `etcd` interface: databag builders in the exact shape
 * layer-etcd writes, and checks a charm author can run on the bags their own charm produced.
 */

import { parseBag } from "@charm-relations/juju-secrets-core/schema";
import type { RemoteDataError } from "@charm-relations/juju-secrets-core";
import { ETCD_KEYS, type EtcdClientCredentials, etcdProviderUnitSchema, etcdRequirerUnitSchema } from "./schema.js";

export interface EtcdProviderBagInput {
  /** A ready connection string, or the member URLs (sorted and joined as layer-etcd does). */
  readonly connectionString?: string | readonly string[];
  /** `""` (or omitted) is written as no key, as Juju stores an empty value. */
  readonly version?: string;
  readonly credentials?: EtcdClientCredentials;
}

/** A provider unit databag as layer-etcd leaves it (without Juju's own address keys). */
export function etcdProviderUnitBag(input: EtcdProviderBagInput = {}): Record<string, string> {
  const bag: Record<string, string> = {};
  const cs = input.connectionString;
  if (cs !== undefined) {
    const value = typeof cs === "string" ? cs : [...new Set(cs)].sort().join(",");
    if (value !== "") bag[ETCD_KEYS.connectionString] = value;
  }
  if (input.version) bag[ETCD_KEYS.version] = input.version;
  if (input.credentials) {
    bag[ETCD_KEYS.clientCa] = input.credentials.ca;
    bag[ETCD_KEYS.clientCert] = input.credentials.cert;
    bag[ETCD_KEYS.clientKey] = input.credentials.key;
  }
  return bag;
}

/** The `https://<address>:<port>` URLs layer-etcd builds from member addresses (port 2379 by default). */
export function etcdMemberUrls(addresses: readonly string[], port = 2379, scheme = "https"): string[] {
  return [...addresses].sort().map((a) => `${scheme}://${a}:${port}`);
}

export type EtcdBagCheck = { readonly ok: true } | { readonly ok: false; readonly error: RemoteDataError };

const REF = { endpoint: "etcd", id: 0 } as const;

/** Does a provider unit bag your charm wrote parse as the real requirers expect? */
export function checkEtcdProviderUnitBag(bag: Readonly<Record<string, string>>): EtcdBagCheck {
  const r = parseBag(etcdProviderUnitSchema, bag, { relation: REF, side: "provider", bag: "unit" });
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}

/** The requirer must write nothing but Juju's own keys. */
export function checkEtcdRequirerUnitBag(bag: Readonly<Record<string, string>>): EtcdBagCheck {
  const r = parseBag(etcdRequirerUnitSchema, bag, { relation: REF, side: "requirer", bag: "unit" });
  return r.ok ? { ok: true } : { ok: false, error: r.error };
}
