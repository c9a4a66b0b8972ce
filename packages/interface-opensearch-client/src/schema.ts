/**
 * The opensearch_client wire format as zod schemas: the single source of truth for parsing, the
 * TypeScript types and the published JSON Schema (interfaces-data-platform-more.md §3). The protocol's
 * keys come from the core's bag builders; this file adds the index, the provider's fields and the
 * secret contents.
 *
 * What opensearch-operator really writes: `endpoints` as `<ip>:9200` without scheme, `version` from
 * `GET /`, the admin CA chain as `tls-ca` in `secret-tls` (never `tls`: OpenSearch always runs TLS).
 */

import {
  credentialsSecret,
  entityContentSecret,
  hostPortList,
  providerUnit,
  requirerUnit,
  resourceName,
  tlsContentSecret,
  v0ProviderApp,
  v0RequirerApp,
  wireJsonSchemas,
} from "@charm-relations/juju-secrets-core/schema";
import * as z from "zod";

/** OpenSearch's HTTP port, as opensearch-operator publishes it. */
export const DEFAULT_PORT = 9200;

/** An index name as sent and echoed (the provider decides what it creates; it may differ). */
export const indexName = resourceName();

const endpoints = () =>
  hostPortList({ portRange: true, message: "expected a comma list of host:port (port 0-65535)" });

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: `opensearch-client_<id>` (or `kibanaserver`) and its password. */
export const userSecret = credentialsSecret();
/** `secret-tls`: the admin CA chain (PEM); `tls` is never written by OpenSearch but read if present. */
export const tlsSecret = tlsContentSecret();
/** `secret-entity`: a custom user or group created for an entity request. */
export const entitySecret = entityContentSecret();

const secrets = { user: userSecret, tls: tlsSecret, entity: entitySecret };

// ---------------------------------------------------------------------------------------------
// Databags

/** The requirer app bag, written by its leader in relation-created (`extra-user-roles`: `admin`, `default`, `kibana_server`). */
export const requirerAppV0 = v0RequirerApp({ index: indexName });

/** The provider app bag at any moment (everything optional: it fills up over the lifecycle). */
export const providerAppV0 = v0ProviderApp(
  { index: indexName.optional(), endpoints: endpoints().optional(), version: z.string().min(1).optional() },
  secrets,
);

export { providerUnit, requirerUnit };

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
export type EntitySecret = z.output<typeof entitySecret>;

/** The published JSON Schemas (2020-12) of the databags and secrets, generated on demand (not at import). */
export const opensearchJsonSchemas = () =>
  wireJsonSchemas({
    requirerApp: requirerAppV0,
    requirerUnit,
    providerApp: providerAppV0,
    providerUnit,
    userSecret,
    tlsSecret,
    entitySecret,
  });
