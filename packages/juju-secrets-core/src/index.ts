/**
 * @charm-relations/juju-secrets-core: the Juju runtime (hook context, dispatch, hook-tool client,
 * model with per-hook caches) and the data-interfaces protocol (v0 flat, v1 requests, secrets,
 * snapshots, status, Python-compatible JSON, Fernet) that every interface package stands on.
 */
export * from "./backend/index.js";
export * from "./engine/index.js";
export * from "./errors.js";
export * from "./hook/index.js";
export * from "./model/index.js";
export * from "./protocol/index.js";
