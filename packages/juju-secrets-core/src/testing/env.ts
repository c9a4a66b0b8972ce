/**
 * `jujuEnvFor`: the environment Juju gives a charm process for a hook (juju-hook-tools.md §2), used
 * by the process runner to spawn a real charm entry point against the hook-tool fakes.
 */

import type { HookContext } from "../hook/types.js";

let contextCounter = 0;

/**
 * The JUJU_* variables for `ctx`. Variables Juju always sets are present even when empty; relation
 * hooks always carry `JUJU_REMOTE_UNIT` (empty for relation-created, relation-broken and app-bag
 * changes); `JUJU_SECRET_REVISION` only when > 0, like Juju.
 */
export function jujuEnvFor(ctx: HookContext): Record<string, string> {
  contextCounter += 1;
  const isAction = ctx.kind === "action";
  const env: Record<string, string> = {
    JUJU_DISPATCH_PATH: ctx.dispatchPath,
    JUJU_HOOK_NAME: isAction ? "" : ctx.hookName,
    JUJU_UNIT_NAME: ctx.unitName,
    JUJU_MODEL_NAME: ctx.modelName,
    JUJU_MODEL_UUID: ctx.modelUuid,
    JUJU_VERSION: ctx.jujuVersion,
    JUJU_CHARM_DIR: ctx.charmDir ?? "",
    CHARM_DIR: ctx.charmDir ?? "",
    JUJU_CONTEXT_ID: `${ctx.unitName}-${ctx.hookName}-${contextCounter}`,
    JUJU_AGENT_SOCKET_ADDRESS: "",
    JUJU_AGENT_SOCKET_NETWORK: "",
    JUJU_API_ADDRESSES: "",
    JUJU_MACHINE_ID: "",
    JUJU_PRINCIPAL_UNIT: ctx.principalUnit ?? "",
    JUJU_AVAILABILITY_ZONE: ctx.availabilityZone ?? "",
    CLOUD_API_VERSION: "",
    JUJU_CHARM_HTTP_PROXY: "",
    JUJU_CHARM_HTTPS_PROXY: "",
    JUJU_CHARM_FTP_PROXY: "",
    JUJU_CHARM_NO_PROXY: "",
  };
  if (ctx.relation) {
    env.JUJU_RELATION = ctx.relation.endpoint;
    env.JUJU_RELATION_ID = `${ctx.relation.endpoint}:${ctx.relation.id}`;
    env.JUJU_REMOTE_UNIT = ctx.remoteUnit ?? "";
    env.JUJU_REMOTE_APP = ctx.remoteApp ?? "";
    if (ctx.departingUnit) env.JUJU_DEPARTING_UNIT = ctx.departingUnit;
  }
  if (ctx.secretId) {
    env.JUJU_SECRET_ID = ctx.secretId;
    env.JUJU_SECRET_LABEL = ctx.secretLabel ?? "";
    if (ctx.secretRevision !== undefined && ctx.secretRevision > 0) {
      env.JUJU_SECRET_REVISION = String(ctx.secretRevision);
    }
  }
  if (isAction) {
    const uuid = ctx.actionUuid ?? String(contextCounter);
    env.JUJU_ACTION_NAME = ctx.actionName ?? ctx.hookName;
    env.JUJU_ACTION_UUID = uuid;
    env.JUJU_ACTION_TAG = `action-${uuid}`;
  }
  const optional: [string, string | undefined][] = [
    ["JUJU_STORAGE_ID", ctx.storageId],
    ["JUJU_STORAGE_LOCATION", ctx.storageLocation],
    ["JUJU_STORAGE_KIND", ctx.storageKind],
    ["JUJU_WORKLOAD_NAME", ctx.workloadName],
    ["JUJU_NOTICE_ID", ctx.noticeId],
    ["JUJU_NOTICE_TYPE", ctx.noticeType],
    ["JUJU_NOTICE_KEY", ctx.noticeKey],
    ["JUJU_PEBBLE_CHECK_NAME", ctx.pebbleCheckName],
  ];
  for (const [name, value] of optional) if (value) env[name] = value;
  return env;
}
