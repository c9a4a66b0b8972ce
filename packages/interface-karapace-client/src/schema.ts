/**
 * The karapace_client wire format as zod schemas: the single source of truth for parsing, the
 * TypeScript types and the published JSON Schema (interfaces-data-platform-more.md §5). The protocol's
 * keys come from the core's bag builders; this file adds the subject, the provider's fields and the
 * secret contents.
 *
 * What karapace-operator really writes: `endpoints` as `<host>:8081` without scheme (set with
 * `set_endpoint`), the subject echo, `relation-<id>` credentials, and `tls` as `enabled`/`disabled` in
 * `secret-tls` (no `tls-ca`, no `version`).
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

/** Karapace's REST port, as karapace-operator publishes it. */
export const DEFAULT_PORT = 8081;

/** A schema registry subject; the Python library refuses exactly the wildcard `*`. */
export const subjectName = resourceName().refine((v) => v !== "*", { message: "cannot be the wildcard *" });

const endpoints = () =>
  hostPortList({ portRange: true, message: "expected a comma list of host:port (port 0-65535)" });

// ---------------------------------------------------------------------------------------------
// Secret contents

/** `secret-user`: `relation-<id>` and its password (HTTP basic auth on the registry). */
export const userSecret = credentialsSecret();
/** `secret-tls`: `tls` is `enabled`/`disabled` (any boolean spelling is read); a CA only if some provider sends one. */
export const tlsSecret = tlsContentSecret();
/** `secret-entity`: a custom user or group created for an entity request. */
export const entitySecret = entityContentSecret();

const secrets = { user: userSecret, tls: tlsSecret, entity: entitySecret };

// ---------------------------------------------------------------------------------------------
// Databags

/** The requirer app bag, written by its leader in relation-created (`extra-user-roles`: `user` or `admin`). */
export const requirerAppV0 = v0RequirerApp({ subject: subjectName });

/** The provider app bag at any moment (everything optional: it fills up over the lifecycle). */
export const providerAppV0 = v0ProviderApp(
  { subject: z.string().min(1).optional(), endpoints: endpoints().optional() },
  secrets,
);

export { providerUnit, requirerUnit };

export type RequirerAppV0 = z.output<typeof requirerAppV0>;
export type ProviderAppV0 = z.output<typeof providerAppV0>;
export type UserSecret = z.output<typeof userSecret>;
export type TlsSecret = z.output<typeof tlsSecret>;
export type EntitySecret = z.output<typeof entitySecret>;

/** The published JSON Schemas (2020-12) of the databags and secrets, generated on demand (not at import). */
export const karapaceJsonSchemas = () =>
  wireJsonSchemas({
    requirerApp: requirerAppV0,
    requirerUnit,
    providerApp: providerAppV0,
    providerUnit,
    userSecret,
    tlsSecret,
    entitySecret,
  });
