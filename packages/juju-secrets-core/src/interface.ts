/**
 * @charm-relations/juju-secrets-core/interface: what an interface package is made of — one
 * `defineInterface({...})`, two thin classes on `InterfaceRequirer` / `InterfaceProvider`, and the
 * event and request types every package shares. The engines do the protocol.
 */
export type { EntityPermission, ProviderRequest, RequestSpec } from "./contract/types.js";
export { removeOwnedSecretsForRelation } from "./engine/common.js";
export * from "./engine/connection.js";
export * from "./engine/database.js";
export * from "./engine/definition.js";
export * from "./engine/descriptor.js";
export * from "./engine/events.js";
export * from "./engine/interface.js";
export {
  checkedOption,
  type EntityRequest,
  type EntityRequestOptions,
  entityRequestFields,
  entityRequestOf,
  type OptionSchema,
} from "./engine/options.js";
export {
  DataProvider,
  type DataProviderOptions,
  type PublishTarget,
  type RequestedEntityRead,
} from "./engine/provider.js";
export { DataRequirer, type DataRequirerOptions } from "./engine/requirer.js";
export { Emitter, type EventMap, type Handler } from "./hook/emitter.js";
export { DepartureMarker, type DepartureMarkerOptions } from "./model/departure.js";
export type { BagKind, Contract, RelationRef, Side } from "./types.js";
