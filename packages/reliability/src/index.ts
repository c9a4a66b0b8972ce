/**
 * @charm-relations/reliability (private): the harness of the reliability suite — fault injection,
 * replays, retry and fault sweeps, secret hygiene and secret invariants, hostile databag generation —
 * and the charms and lifecycles it runs for the generic engines and every interface package.
 */
export * from "./fault-backend.js";
export * from "./generic.js";
export * from "./hostile.js";
export * from "./hostile-bases.js";
export * from "./hostile-generic.js";
export * from "./hygiene.js";
export * from "./lifecycle.js";
export * from "./observe.js";
export * from "./process-faults.js";
export * from "./registry.js";
export * from "./replay.js";
export * from "./secrets-check.js";
export * from "./separation.js";
export * from "./sweep.js";
export * from "./tally.js";
