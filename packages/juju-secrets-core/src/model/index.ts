export * from "./departure.js";
export * from "./model.js";
