/**
 * The unit tools of a `MemoryBackend` session: is-leader, config-get and network-get read the model;
 * juju-log, status-set and application-version-set change it at once (Juju does not roll them back
 * when the hook fails).
 */

import type { LogLevel, NetworkInfo, RelationRef, StatusInfo, StatusName } from "../backend/types.js";
import { fail, type HookSession, relationArg } from "./memory-session.js";
import { cloneJson } from "./model-names.js";
import type { StatusRecord } from "./model-state.js";

const STATUSES: readonly string[] = ["maintenance", "blocked", "waiting", "active"];

export function isLeader(s: HookSession): boolean {
  return s.run("is-leader", ["--format=json"], () => s.model.isLeader(s.unit));
}

export function configGet(s: HookSession): Record<string, unknown> {
  return s.run("config-get", ["--format=json"], () => cloneJson(s.model.application(s.app).config));
}

export function networkGet(s: HookSession, binding: string, relation?: RelationRef): NetworkInfo {
  const argv = ["--format=json", ...(relation ? ["-r", relationArg(relation)] : []), binding];
  return s.run("network-get", argv, () => {
    if (relation) s.relation(relation, "-r", relationArg(relation));
    if (!s.model.application(s.app).endpoints[binding]) {
      fail(1, `no network config found for binding "${binding}"`);
    }
    const address = s.model.unit(s.unit).address;
    const cidr = `${address.split(".").slice(0, 3).join(".")}.0/24`;
    return {
      "bind-addresses": [
        {
          "mac-address": "",
          "interface-name": "eth0",
          addresses: [{ hostname: "", value: address, cidr, address, "address-type": "ipv4" }],
          macaddress: "",
          interfacename: "eth0",
        },
      ],
      "egress-subnets": [`${address}/32`],
      "ingress-addresses": [address],
    };
  });
}

export function jujuLog(s: HookSession, level: LogLevel, message: string): void {
  s.run("juju-log", ["--log-level", level, "--", message], () => {
    const rel = s.options.relation;
    const prefix = rel ? `${rel.endpoint}:${rel.id}: ` : "";
    s.model.state.logs.push({
      seq: s.model.nextSeq(),
      unit: s.unit,
      ...s.hookField(),
      level,
      message: prefix + message,
    });
  });
}

export function statusSet(s: HookSession, status: StatusName, message: string, isApp: boolean): void {
  const argv = [`--application=${isApp ? "True" : "False"}`, status, "--", message];
  s.run("status-set", argv, () => {
    if (!STATUSES.includes(status)) {
      fail(2, `invalid status "${status}", expected one of [maintenance blocked waiting active]`);
    }
    if (isApp && !s.model.isLeader(s.unit)) fail(1, "this unit is not the leader");
    const target = isApp ? s.model.application(s.app) : s.model.unit(s.unit);
    target.status = { status, message };
    target.statusHistory.push({ seq: s.model.nextSeq(), status, message, ...s.hookField() });
  });
}

export function statusGet(s: HookSession, isApp: boolean): StatusInfo {
  const argv = ["--include-data", "--format=json", `--application=${isApp ? "true" : "false"}`];
  return s.run("status-get", argv, () => ownStatus(s, isApp));
}

function ownStatus(s: HookSession, isApp: boolean): StatusRecord {
  if (isApp && !s.model.isLeader(s.unit)) fail(1, "finding application status: this unit is not the leader");
  const status = isApp ? s.model.application(s.app).status : s.model.unit(s.unit).status;
  return { status: status.status, message: status.message };
}

/** status-get's full JSON (`--include-data`), as the fakes print it. */
export function statusDetails(s: HookSession, isApp: boolean): Record<string, unknown> {
  const details = (r: StatusRecord) => ({ message: r.message, status: r.status, "status-data": {} });
  const own = ownStatus(s, isApp);
  if (!isApp) return details(own);
  const units: Record<string, unknown> = {};
  for (const u of s.model.application(s.app).units) units[u] = details(s.model.unit(u).status);
  return { "application-status": { ...details(own), units } };
}

export function applicationVersionSet(s: HookSession, version: string): void {
  s.run("application-version-set", ["--", version], () => {
    const unit = s.model.unit(s.unit);
    unit.workloadVersion = version;
    unit.workloadVersionHistory.push(version);
  });
}
