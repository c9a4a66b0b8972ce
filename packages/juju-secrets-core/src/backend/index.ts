/**
 * @charm-relations/juju-secrets-core/backend: the seam between the runtime and Juju — one interface,
 * `ProcessBackend` spawning the real hook tools (`MemoryBackend` in `/testing` is the other).
 */

export {
  classifyHookToolFailure,
  type HookToolFailure,
  HookToolMissingError,
  SecretContentError,
  SecretLabelConflictError,
} from "../errors.js";
export * from "./process.js";
export * from "./settings-file.js";
export * from "./types.js";
