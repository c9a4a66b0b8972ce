/**
 * Wire format of the legacy reactive `etcd` interface (interfaces.md §3.1): no app databag, no
 * secrets; every provider unit writes the same five plain keys in its own unit databag, and the
 * requirer writes nothing. These zod schemas are the single source of truth for parsing, the
 * TypeScript types and the published JSON Schema.
 */

import { PEM_CERTIFICATE, PEM_PRIVATE_KEY } from "@charm-relations/juju-secrets-core/protocol";
import { lazySchema, pemText, toWireJsonSchema } from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** The provider unit-bag keys, exactly as layer-etcd writes them (underscores, not dashes). */
export const ETCD_KEYS = {
  connectionString: "connection_string",
  version: "version",
  clientCa: "client_ca",
  clientCert: "client_cert",
  clientKey: "client_key",
} as const;

/** Every protocol key of a provider unit bag, in the order the real charm sets them. */
export const ETCD_PROVIDER_KEYS: readonly string[] = [
  ETCD_KEYS.clientCa,
  ETCD_KEYS.clientCert,
  ETCD_KEYS.clientKey,
  ETCD_KEYS.connectionString,
  ETCD_KEYS.version,
];

// One `scheme://host[:port][/path]` URL; `,` and whitespace separate items so they cannot occur inside.
const URL_ITEM = "[A-Za-z][A-Za-z0-9+.-]*://[^\\s,]+";
/** A comma list of URLs (whitespace around items tolerated), or the empty string. */
export const CONNECTION_STRING_PATTERN = new RegExp(`^(?:\\s*${URL_ITEM}\\s*(?:,\\s*${URL_ITEM}\\s*)*)?$`);
const URL_ITEM_PATTERN = new RegExp(`^${URL_ITEM}$`);
/** `3.4.22`, `3.5.9+k8s`, or empty (etcd 2.x): one line, no separators that would break a flag. */
export const VERSION_PATTERN = /^[0-9A-Za-z.+~_-]*$/;

/** Juju's own unit-bag keys: present in every real bag, never part of the protocol. */
const jujuUnitKeys = {
  "egress-subnets": z.string().optional(),
  "ingress-address": z.string().optional(),
  "private-address": z.string().optional(),
};

export const connectionStringSchema = lazySchema(() =>
  z
    .string()
    .regex(CONNECTION_STRING_PATTERN, { message: "expected a comma list of URLs (https://host:port,…)" })
    .describe(
      "Comma list of client URLs of every etcd member, e.g. https://10.5.0.11:2379,https://10.5.0.12:2379",
    ),
);

export const versionSchema = lazySchema(() =>
  z
    .string()
    .regex(VERSION_PATTERN, { message: "expected an etcd version such as 3.4.22 (empty means etcd 2.x)" })
    .describe("etcd server version (third token of `etcdctl version`); empty or absent means etcd 2.x"),
);

/** At least one certificate block (a CA bundle or a chain has several), found in one linear pass. */
export const certificatePemSchema = lazySchema(() =>
  pemText(PEM_CERTIFICATE, "expected a PEM certificate (-----BEGIN CERTIFICATE-----)"),
);

/** A PKCS#1 (`RSA`), SEC1 (`EC`), PKCS#8 or encrypted PKCS#8 private key block. */
export const privateKeyPemSchema = lazySchema(() =>
  pemText(PEM_PRIVATE_KEY, "expected a PEM private key (-----BEGIN … PRIVATE KEY-----)"),
);

/**
 * One provider unit databag. Every key is optional: a unit that has not configured etcd yet writes
 * nothing, and Juju deletes keys set to `""` (so an empty `version` arrives as an absent key).
 */
export const providerUnit = lazySchema(() =>
  z
    .looseObject({
      connection_string: connectionStringSchema.optional(),
      version: versionSchema.optional(),
      client_ca: certificatePemSchema
        .describe("PEM of the CA that signed the etcd server and client certificates")
        .optional(),
      client_cert: certificatePemSchema
        .describe("PEM of the etcd charm's client certificate, shared by every consumer")
        .optional(),
      client_key: privateKeyPemSchema
        .describe("PEM private key of client_cert, in plain relation data (legacy protocol)")
        .optional(),
      ...jujuUnitKeys,
    })
    .describe("Legacy etcd interface: a provider (etcd) unit databag"),
);

/** The requirer's unit databag: the legacy requirer writes nothing but Juju's own keys. */
export const requirerUnit = lazySchema(() =>
  z
    .strictObject({ ...jujuUnitKeys })
    .describe("Legacy etcd interface: a requirer unit databag (nothing is written)"),
);

/** The legacy interface has no application databag on either side. */
export const appBag = lazySchema(() =>
  z.strictObject({}).describe("Legacy etcd interface: application databags stay empty"),
);
/** The requirer's app databag (the one legacy contract, named v0 here): empty. */
export const requirerAppV0 = appBag;
/** The provider's app databag: empty. */
export const providerAppV0 = appBag;

export type EtcdProviderUnitData = z.output<typeof providerUnit>;
export type EtcdRequirerUnitData = z.output<typeof requirerUnit>;

/** The shared client credentials, PEM-encoded. `key` is a private key: never log it. */
export interface EtcdClientCredentials {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

/** JSON Schemas of the real databags (`{ app, unit }` per side), generated from the zod schemas. */
export function etcdJsonSchemas(): {
  readonly provider: { readonly app: Record<string, unknown>; readonly unit: Record<string, unknown> };
  readonly requirer: { readonly app: Record<string, unknown>; readonly unit: Record<string, unknown> };
} {
  return {
    provider: { app: toWireJsonSchema(appBag), unit: toWireJsonSchema(providerUnit) },
    requirer: { app: toWireJsonSchema(appBag), unit: toWireJsonSchema(requirerUnit) },
  };
}

/** Split a connection string into its URLs (trimmed, empty items dropped). */
export function parseConnectionString(connectionString: string): string[] {
  return connectionString
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Whether one item is a `scheme://…` URL the connection string may carry. */
export function isConnectionUrl(value: string): boolean {
  return URL_ITEM_PATTERN.test(value);
}

/**
 * The etcd major version a `version` value denotes: empty (or absent) means etcd 2.x (the interface
 * README's rule); undefined when the value does not start with a number.
 */
export function etcdMajorVersion(version: string | undefined): number | undefined {
  if (version === undefined || version.trim() === "") return 2;
  const m = /^v?(\d+)/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}
