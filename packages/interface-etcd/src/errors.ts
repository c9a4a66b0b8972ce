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

/** Writing a credentials file failed; names the path and the system error code, never the content. */
export class EtcdFileError extends CharmRelationsError {
  override name = "EtcdFileError";
  readonly path: string;
  readonly code: string | undefined;
  constructor(path: string, operation: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`etcd: cannot ${operation} ${path}${code ? ` (${code})` : ""}`);
    this.path = path;
    this.code = code;
  }
}
