/**
 * Juju's names and ids as the model checks them (application, unit, model uuid, secret URI), Juju
 * version order, and the JSON helpers the model, its sessions and the simulator share.
 */

import { CharmRelationsError } from "../errors.js";
import type { EndpointInput, EndpointSpec } from "./model-state.js";

/** A misuse of the test model or simulation (unknown app, bad endpoint, …); never a Juju error. */
export class SimulationError extends CharmRelationsError {
  override name = "SimulationError";
}

// Juju's names, checked part by part: `^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$` as one
// pattern backtracks exponentially on a long hostile name.
const APP_HEAD_RE = /^[a-z][a-z0-9]*$/;
const APP_PART_RE = /^[a-z0-9]+$/;
const HAS_LETTER_RE = /[a-z]/;
const UNIT_NUMBER_RE = /^[0-9]+$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const XID_RE = /^[0-9a-z]{20}$/;

/** An application name: `[a-z][a-z0-9]*`, then `-`-separated parts that each hold a letter. */
export function isAppName(s: string): boolean {
  if (typeof s !== "string") return false;
  const [head, ...rest] = s.split("-");
  return APP_HEAD_RE.test(head!) && rest.every((p) => APP_PART_RE.test(p) && HAS_LETTER_RE.test(p));
}

/** A unit name: `<application>/<number>`. */
export function isUnitName(s: string): boolean {
  if (typeof s !== "string") return false;
  const slash = s.indexOf("/");
  return slash > 0 && isAppName(s.slice(0, slash)) && UNIT_NUMBER_RE.test(s.slice(slash + 1));
}
export const isModelUuid = (s: string): boolean => UUID_RE.test(s);

/** `app/3` → `app`. */
export function appOfUnit(unit: string): string {
  const i = unit.lastIndexOf("/");
  return i < 0 ? unit : unit.slice(0, i);
}

/** Juju's unit tag: `app/0` → `unit-app-0`. */
export const unitTag = (unit: string): string => `unit-${unit.replace("/", "-")}`;

/** Parse a secret id in any of Juju's three forms; returns the xid, or undefined if it is none of them. */
export function secretXid(id: string): string | undefined {
  if (XID_RE.test(id)) return id;
  if (id.startsWith("secret://")) {
    const rest = id.slice("secret://".length);
    const slash = rest.indexOf("/");
    if (slash < 0) return undefined;
    const xid = rest.slice(slash + 1);
    return isModelUuid(rest.slice(0, slash)) && XID_RE.test(xid) ? xid : undefined;
  }
  if (id.startsWith("secret:")) {
    const xid = id.slice("secret:".length);
    return XID_RE.test(xid) ? xid : undefined;
  }
  return undefined;
}

/** Compare dotted Juju versions numerically (`3.6.2` < `3.6.14`). */
export function compareJujuVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function parseEndpoint(input: EndpointInput): EndpointSpec {
  if (typeof input !== "string") return { role: input.role, interface: input.interface };
  const i = input.indexOf(":");
  const role = input.slice(0, i);
  if (i < 0 || (role !== "provides" && role !== "requires" && role !== "peers")) {
    throw new SimulationError(`endpoint "${input}" must look like "requires:<interface>"`);
  }
  return { role, interface: input.slice(i + 1) };
}

/** Deep copy of JSON data. */
export const cloneJson = <T>(value: T): T => structuredClone(value);

/** Key-order-independent equality of JSON data. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
