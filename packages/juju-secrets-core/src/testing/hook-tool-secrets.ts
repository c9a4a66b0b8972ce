/**
 * The secret tools' fakes: secret-add, secret-get, secret-info-get, secret-set, secret-grant,
 * secret-revoke, secret-remove, secret-ids (content as `key=value`, `key#base64=`, `key#file=` or
 * `--file`).
 */

import {
  bool,
  checkEmpty,
  FORMAT,
  type Handler,
  last,
  type Parsed,
  parseFlags,
  RELATION,
  RunError,
  relationOption,
  secretContentArgs,
  secretContentFile,
  str,
  UsageError,
} from "./hook-tool-args.js";
import { ALL_FORMATS, formatOutput, outputFormat } from "./hook-tool-format.js";

const SECRET_META = {
  label: { kind: "string", key: "label" },
  description: { kind: "string", key: "description" },
  expire: { kind: "string", key: "expire" },
  rotate: { kind: "string", key: "rotate" },
  owner: { kind: "string", key: "owner" },
  file: { kind: "string", key: "file" },
} as const;

function secretMetaOptions(p: Parsed) {
  const label = str(p, "label");
  const description = str(p, "description");
  const expire = str(p, "expire");
  const rotate = str(p, "rotate");
  return {
    ...(label ? { label } : {}),
    ...(description ? { description } : {}),
    ...(expire ? { expire } : {}),
    ...(rotate ? { rotate: rotate as never } : {}),
  };
}

export const SECRET_TOOLS: Record<string, Handler> = {
  "secret-add": ({ argv, backend, io }) => {
    const p = parseFlags(argv, { ...SECRET_META });
    const file = str(p, "file");
    if (p.args.length < 1 && file === undefined) throw new UsageError("missing secret value or filename");
    const owner = str(p, "owner") ?? "application";
    if (owner !== "application" && owner !== "unit")
      throw new UsageError(`secret owner "${owner}" not valid`);
    const content = {
      ...secretContentArgs(p.args, io),
      ...(file !== undefined ? secretContentFile(file, io) : {}),
    };
    const uri = backend.secretAdd(content, { ...secretMetaOptions(p), owner });
    return `${uri}\n`;
  },

  "secret-get": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...FORMAT,
      label: { kind: "string", key: "label" },
      peek: { kind: "bool", key: "peek" },
      refresh: { kind: "bool", key: "refresh" },
    });
    const format = outputFormat(p, ["json", "yaml"], "yaml");
    const [id, key, ...rest] = p.args;
    checkEmpty(rest);
    const label = str(p, "label");
    const content = backend.secretGet({
      ...(id !== undefined ? { id } : {}),
      ...(label ? { label } : {}),
      ...(bool(p, "peek") ? { peek: true } : {}),
      ...(bool(p, "refresh") ? { refresh: true } : {}),
    });
    if (key === undefined) return formatOutput(content, format);
    const b64 = key.endsWith("#base64");
    const k = b64 ? key.slice(0, -"#base64".length) : key;
    const value = content[k];
    if (value === undefined) throw new RunError(`secret key "${k}" not found`);
    return formatOutput(b64 ? Buffer.from(value, "utf8").toString("base64") : value, format);
  },

  "secret-info-get": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, label: { kind: "string", key: "label" } });
    const format = outputFormat(p, ["json", "yaml"], "yaml");
    const [id, ...rest] = p.args;
    const label = str(p, "label");
    if (id === undefined && !label) throw new UsageError("require either a secret URI or label");
    if (id !== undefined && label) throw new UsageError("specify either a secret URI or label but not both");
    checkEmpty(rest);
    const info = backend.secretInfoGet(id !== undefined ? { id } : { label: label! });
    // Juju's metadataDisplay struct, fields in declaration order.
    const display = new Map<string, unknown>([
      ["revision", info.revision],
      ["label", info.label ?? ""],
      ["owner", info.owner],
    ]);
    if (info.description) display.set("description", info.description);
    if (info.rotation) display.set("rotation", info.rotation);
    if (info.expiry) display.set("expiry", info.expiry);
    if (info.access?.length) {
      display.set(
        "access",
        info.access.map(
          (a) =>
            new Map([
              ["target", a.target],
              ["scope", a.scope],
              ["role", a.role],
            ]),
        ),
      );
    }
    return formatOutput({ [info.id]: display }, format);
  },

  "secret-set": ({ argv, backend, io }) => {
    const p = parseFlags(argv, { ...SECRET_META });
    const [id, ...contentArgs] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const owner = str(p, "owner");
    if (owner !== undefined && owner !== "application" && owner !== "unit") {
      throw new UsageError(`secret owner "${owner}" not valid`);
    }
    const file = str(p, "file");
    const content = {
      ...secretContentArgs(contentArgs, io),
      ...(file !== undefined ? secretContentFile(file, io) : {}),
    };
    backend.secretSet(id, {
      ...secretMetaOptions(p),
      ...(Object.keys(content).length > 0 ? { content } : {}),
    });
    return "";
  },

  "secret-grant": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...RELATION, unit: { kind: "string", key: "unit" } });
    const [id, ...rest] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const rel = relationOption(p, backend);
    if (!rel) throw new UsageError("no relation id specified");
    checkEmpty(rest);
    backend.secretGrant(id, rel, str(p, "unit"));
    return "";
  },

  "secret-revoke": ({ argv, backend }) => {
    const p = parseFlags(argv, {
      ...RELATION,
      app: { kind: "string", key: "app" },
      application: { kind: "string", key: "app" },
      unit: { kind: "string", key: "unit" },
    });
    const [id, ...rest] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const rel = relationOption(p, backend);
    const app = str(p, "app") || undefined;
    const unit = str(p, "unit") || undefined;
    checkEmpty(rest);
    backend.revokeSecret(argv, id, {
      ...(rel ? { relation: rel, relationFlag: last(p, "relation")?.spelled ?? "-r" } : {}),
      ...(app !== undefined ? { app } : {}),
      ...(unit !== undefined ? { unit } : {}),
    });
    return "";
  },

  "secret-remove": ({ argv, backend }) => {
    const p = parseFlags(argv, { revision: { kind: "string", key: "revision" } });
    const [id, ...rest] = p.args;
    if (id === undefined) throw new UsageError("missing secret URI");
    const revEntry = last(p, "revision");
    let revision: number | undefined;
    if (revEntry) {
      const text = String(revEntry.value);
      if (!/^[+-]?\d+$/.test(text))
        throw new UsageError(`invalid value "${text}" for option ${revEntry.spelled}: parse error`);
      revision = Number.parseInt(text, 10);
    }
    checkEmpty(rest);
    backend.secretRemove(id, revision !== undefined && revision > 0 ? revision : undefined);
    return "";
  },

  "secret-ids": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    checkEmpty(p.args);
    const ids = backend.secretIds();
    // Juju writes a nil Go slice when the unit owns nothing: JSON `null`.
    return formatOutput(ids.length > 0 ? ids : null, format);
  },
};
