/**
 * Checks on the client credentials a provider publishes. The legacy interface hands the same key,
 * certificate and CA to every consumer, so a wrong PEM breaks every client at once: parse them with
 * node:crypto before anything is written. Errors name the field, never its content.
 */

import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { PEM_PRIVATE_KEY, pemBlocks } from "@charm-relations/juju-secrets-core/protocol";
import { EtcdInputError } from "./errors.js";
import type { EtcdClientCredentials } from "./schema.js";

function requireString(field: string, value: unknown): string {
  if (typeof value !== "string") throw new EtcdInputError(field, `expected a string, got ${typeof value}`);
  if (value.trim() === "") throw new EtcdInputError(field, "must not be empty");
  return value;
}

function parseCertificates(field: string, pem: string): X509Certificate[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0)
    throw new EtcdInputError(field, "expected a PEM certificate (-----BEGIN CERTIFICATE-----)");
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new EtcdInputError(
        field,
        `certificate ${i + 1} of ${blocks.length} is not a parseable X.509 certificate`,
      );
    }
  });
}

function parsePrivateKey(field: string, pem: string): KeyObject {
  if (pemBlocks(pem, PEM_PRIVATE_KEY).length === 0) {
    throw new EtcdInputError(field, "expected a PEM private key (-----BEGIN … PRIVATE KEY-----)");
  }
  try {
    return createPrivateKey(pem);
  } catch {
    // node's message never quotes the key, but ours is the one the operator needs.
    throw new EtcdInputError(
      field,
      "not a parseable unencrypted private key (consumers cannot use a passphrase)",
    );
  }
}

/** Validate the three PEMs (shape, parse, key matches certificate); returns them unchanged. */
export function checkClientCredentials(credentials: EtcdClientCredentials): EtcdClientCredentials {
  if (credentials === null || typeof credentials !== "object") {
    throw new EtcdInputError("credentials", "expected an object { key, cert, ca }");
  }
  const key = requireString("client_key", credentials.key);
  const cert = requireString("client_cert", credentials.cert);
  const ca = requireString("client_ca", credentials.ca);
  const [leaf] = parseCertificates("client_cert", cert);
  parseCertificates("client_ca", ca);
  const keyObject = parsePrivateKey("client_key", key);
  let matches = false;
  try {
    matches = leaf?.checkPrivateKey(keyObject) ?? false;
  } catch {
    // A key of another algorithm than the certificate's: a mismatch like any other.
  }
  if (!matches) throw new EtcdInputError("client_key", "does not match the public key of client_cert");
  return { key, cert, ca };
}
