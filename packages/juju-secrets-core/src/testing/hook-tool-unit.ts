/**
 * The unit tools' fakes: is-leader, config-get, network-get, juju-log, status-set, status-get,
 * application-version-set.
 */

import type { LogLevel, StatusName } from "../backend/types.js";
import {
  bool,
  checkEmpty,
  FORMAT,
  type Handler,
  parseFlags,
  RELATION,
  relationOption,
  str,
  UsageError,
} from "./hook-tool-args.js";
import { ALL_FORMATS, formatOutput, outputFormat } from "./hook-tool-format.js";

export const UNIT_TOOLS: Record<string, Handler> = {
  "is-leader": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    checkEmpty(p.args);
    return formatOutput(backend.isLeader(), format);
  },

  "config-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      all: { kind: "bool", key: "all" },
      a: { kind: "bool", key: "all" },
    });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const key = p.args[0];
    checkEmpty(p.args.slice(1));
    const config = backend.configGet();
    return formatOutput(key === undefined ? config : (config[key] ?? null), format);
  },

  "network-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      ...RELATION,
      "bind-address": { kind: "bool", key: "bind-address" },
      "ingress-address": { kind: "bool", key: "ingress-address" },
      "egress-subnets": { kind: "bool", key: "egress-subnets" },
      "primary-address": { kind: "bool", key: "primary-address" },
    });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const binding = p.args[0];
    if (binding === undefined) throw new UsageError("no arguments specified");
    checkEmpty(p.args.slice(1));
    const explicit = p.values.has("relation") ? relationOption(p, backend) : undefined;
    const info = backend.networkGet(binding, explicit);
    const first = (info["bind-addresses"]?.[0] as { addresses?: { value?: string }[] } | undefined)
      ?.addresses?.[0]?.value;
    if (bool(p, "primary-address") || bool(p, "bind-address")) return formatOutput(first ?? null, format);
    if (bool(p, "ingress-address")) return formatOutput(info["ingress-addresses"]?.[0] ?? null, format);
    if (bool(p, "egress-subnets")) return formatOutput((info["egress-subnets"] ?? []).join(","), format);
    return formatOutput(info, format);
  },

  "juju-log": (call) => {
    const { argv, backend } = call;
    const p = parseFlags(argv, {
      l: { kind: "string", key: "level" },
      "log-level": { kind: "string", key: "level" },
      debug: { kind: "bool", key: "debug" },
      ...FORMAT,
    });
    if (p.args.length === 0) throw new UsageError("no message specified");
    let level = (str(p, "level") ?? "INFO").toUpperCase();
    if (bool(p, "debug")) level = "DEBUG";
    if (!["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"].includes(level)) {
      call.stderr += `WARNING invalid log level "${str(p, "level")}", logging at INFO\n`;
      level = "INFO";
    }
    backend.jujuLog(level as LogLevel, p.args.join(" "));
    return "";
  },

  "status-set": ({ argv, backend }) => {
    const p = parseFlags(argv, { application: { kind: "bool", key: "application" } });
    const [status, message, ...rest] = p.args;
    if (status === undefined) throw new UsageError("invalid args, require <status> [message] [data]");
    checkEmpty(rest);
    backend.statusSet(status as StatusName, message ?? "", bool(p, "application"));
    return "";
  },

  "status-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      "include-data": { kind: "bool", key: "include-data" },
      application: { kind: "bool", key: "application" },
    });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    checkEmpty(p.args);
    const isApp = bool(p, "application");
    const includeData = bool(p, "include-data");
    if (!includeData && format === "smart") return formatOutput(backend.statusGet(isApp).status, format);
    const details = backend.invoke("status-get", argv, () => backend.statusDetails(isApp));
    if (!includeData) stripData(details);
    return formatOutput(details, format);
  },

  "application-version-set": ({ argv, backend }) => {
    const p = parseFlags(argv, {});
    if (p.args.length === 0) throw new UsageError("no version specified");
    checkEmpty(p.args.slice(1));
    backend.applicationVersionSet(p.args[0]!);
    return "";
  },
};

function stripData(details: Record<string, unknown>): void {
  const strip = (d: Record<string, unknown>) => {
    delete d["status-data"];
    delete d.message;
  };
  const app = details["application-status"] as Record<string, unknown> | undefined;
  if (!app) {
    strip(details);
    return;
  }
  strip(app);
  for (const u of Object.values(app.units as Record<string, Record<string, unknown>>)) strip(u);
}
