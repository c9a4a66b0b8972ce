export * from "./departure.js";
export * from "./model.js";
export type { WorkloadStatus } from "./status.js";
export type { UnitLocalState } from "./unit-state.js";
