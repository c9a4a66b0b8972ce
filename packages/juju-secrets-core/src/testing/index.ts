/**
 * @charm-relations/juju-secrets-core/testing: an in-memory Juju model, a `MemoryBackend` with Juju's
 * hook semantics, executable hook-tool fakes over a state file, and a multi-charm lifecycle simulator.
 */
export * from "./bin.js";
export * from "./charm-runner.js";
export * from "./conformance.js";
export * from "./database-conformance.js";
export * from "./env.js";
export {
  goJson,
  type HookToolIO,
  type HookToolResult,
  hookToolMain,
  redactArgv,
  runHookTool,
} from "./hook-tool-cli.js";
export {
  JujuYamlError,
  parseYamlMapping,
  readYamlInput,
  unmarshalStringMap,
  type YamlValue,
} from "./juju-yaml.js";
export * from "./memory-backend.js";
export * from "./model.js";
export * from "./pki.js";
export * from "./reference-charms.js";
export * from "./scenario.js";
export * from "./seeded-scenario.js";
export * from "./simulation.js";
export * from "./state-file.js";
export * from "./v0-conformance.js";
