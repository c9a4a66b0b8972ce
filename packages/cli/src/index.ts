/**
 * @charm-relations/cli as a library: the same commands the `charm-relations` binary runs, for scripts
 * and tests — the interface registry, validation of databags and `juju show-unit` dumps, and the
 * lifecycle simulation with its transcript.
 */

export type {
  EventDetail,
  Scenario,
  ScenarioApp,
  ScenarioContext,
  ScenarioRun,
} from "@charm-relations/juju-secrets-core/testing";
export { UsageError } from "./args.js";
export {
  type ClassifiedInput,
  classifyInput,
  type DumpRelation,
  InputError,
  parseJsonInput,
  parseShowUnit,
} from "./input.js";
export {
  type BagSchemas,
  findInterface,
  INTERFACE_NAMES,
  INTERFACES,
  type InterfaceEntry,
  type InterfaceName,
  interfacesForEndpoint,
  type JsonSchema,
} from "./interfaces.js";
export { COMMANDS, generalHelp, main, renderValidation } from "./main.js";
export { colorEnabled, type Io, type OutStream, Progress, Style } from "./output.js";
export { REGISTRY, type RegistryEntry } from "./registry.js";
export { displayValue, renderDemoSummary, renderReport } from "./render.js";
export {
  type HookView,
  PHASES,
  type PhaseName,
  type PhaseReport,
  redactValue,
  type SimulateOptions,
  type SimulationReport,
  simulate,
} from "./simulate.js";
export {
  type BagCheck,
  type ContractChoice,
  checkBag,
  detectContract,
  guessSide,
  type ValidationReport,
  type Violation,
  validateDatabag,
  validateDump,
} from "./validate.js";
