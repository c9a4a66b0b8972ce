/**
 * @charm-relations/interface-etcd: the legacy reactive `etcd` interface (layer-etcd's `db` endpoint,
 * kubernetes-control-plane's `etcd` endpoint). Plain unit-databag data, no secrets, no app databag.
 */
export { checkClientCredentials } from "./credentials.js";
export { etcdLegacy } from "./definition.js";
export { descriptor } from "./descriptor.js";
export { EtcdCredentialsUnavailableError, EtcdFileError, EtcdInputError } from "./errors.js";
export {
  EtcdProvider,
  type EtcdProviderEvents,
  type EtcdProviderOptions,
  type EtcdProviderRelationEvent,
  formatConnectionString,
} from "./provider.js";
export {
  type EtcdAvailableEvent,
  type EtcdConnection,
  type EtcdConnectionChangedEvent,
  type EtcdCredentialPaths,
  type EtcdInvalidEvent,
  EtcdRequirer,
  type EtcdRequirerEventBase,
  type EtcdRequirerEvents,
  type EtcdRequirerOptions,
  type EtcdSavedCredentials,
  type EtcdState,
  type EtcdTlsAvailableEvent,
  type EtcdUnavailableEvent,
  type EtcdUnavailableReason,
} from "./requirer.js";
export * from "./schema.js";
