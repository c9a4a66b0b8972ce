export * from "./common.js";
export * from "./definition.js";
export * from "./events.js";
export * from "./provider.js";
export * from "./requirer.js";
