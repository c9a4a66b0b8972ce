import { CharmRelationsError } from "@charm-relations/juju-secrets-core";

/**
 * A value given to the provider or requirer API is unusable. Names the argument and the rule, never
 * the value (it may be a private key).
 */
export class EtcdInputError extends CharmRelationsError {
  override name = "EtcdInputError";
  /** The argument or databag key concerned (`connection_string`, `client_key`, `paths.cert`, …). */
  readonly field: string;
  constructor(field: string, rule: string) {
    super(`etcd: invalid ${field}: ${rule}`);
    this.field = field;
  }
}

/** `saveClientCredentials` was called while no etcd unit has published all three PEMs. */
export class EtcdCredentialsUnavailableError extends CharmRelationsError {
  override name = "EtcdCredentialsUnavailableError";
  readonly endpoint: string;
  constructor(endpoint: string) {
    super(`etcd: no unit on endpoint "${endpoint}" has published client_cert, client_key and client_ca yet`);
    this.endpoint = endpoint;
  }
}

/**
 * A credentials or state file cannot be read or written, or something other than a regular file is at
 * its path. Names the path and the system error code (or what is there), never the content.
 */
export class EtcdFileError extends CharmRelationsError {
  override name = "EtcdFileError";
  readonly path: string;
  readonly code: string | undefined;
  constructor(path: string, operation: string, cause: unknown, detail?: string) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`etcd: cannot ${operation} ${path}${detail ? `: ${detail}` : code ? ` (${code})` : ""}`);
    this.path = path;
    this.code = code;
  }
}
