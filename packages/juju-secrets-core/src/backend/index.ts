export * from "./process.js";
export * from "./settings-file.js";
export * from "./types.js";
