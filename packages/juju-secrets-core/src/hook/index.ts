export * from "./charm.js";
export * from "./context.js";
export * from "./emitter.js";
export * from "./main.js";
export * from "./status-notes.js";
export * from "./types.js";
