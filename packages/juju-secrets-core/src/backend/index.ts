export * from "./process.js";
export * from "./types.js";
