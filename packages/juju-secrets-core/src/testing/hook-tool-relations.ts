/** The relation tools' fakes: relation-ids, relation-list, relation-get, relation-set, relation-model-get. */

import {
  bool,
  checkEmpty,
  FORMAT,
  type Handler,
  last,
  MissingTool,
  mapFile,
  parseFlags,
  RELATION,
  RunError,
  requireRelation,
  str,
  UsageError,
} from "./hook-tool-args.js";
import { ALL_FORMATS, formatOutput, outputFormat } from "./hook-tool-format.js";
import { appOfUnit, isAppName, isUnitName } from "./model-names.js";

export const RELATION_TOOLS: Record<string, Handler> = {
  "relation-ids": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    let name = p.args[0];
    if (name === undefined) {
      name = backend.options.relation?.endpoint;
      if (name === undefined) throw new UsageError("no endpoint name specified");
    }
    checkEmpty(p.args.slice(1));
    return formatOutput(
      backend.relationIds(name).map((id) => `${name}:${id}`),
      format,
    );
  },

  "relation-list": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, ...RELATION, app: { kind: "bool", key: "app" } });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const rel = requireRelation(p, backend);
    checkEmpty(p.args);
    return formatOutput(bool(p, "app") ? backend.relationRemoteApp(rel) : backend.relationList(rel), format);
  },

  "relation-get": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, ...RELATION, app: { kind: "bool", key: "app" } });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const rel = requireRelation(p, backend);
    const args = [...p.args];
    let key = args.shift() ?? "";
    if (key === "-") key = "";
    let isApp = bool(p, "app");
    let name: string;
    const supplied = args.shift();
    if (supplied !== undefined) {
      if (isApp) {
        if (isAppName(supplied)) name = supplied;
        else if (isUnitName(supplied)) name = appOfUnit(supplied);
        else throw new UsageError(`invalid application name "${supplied}"`);
      } else if (!isUnitName(supplied)) {
        throw new UsageError(
          isAppName(supplied)
            ? `expected unit name, got application name "${supplied}"`
            : `invalid unit name "${supplied}"`,
        );
      } else name = supplied;
    } else if (isApp) {
      if (!backend.options.remoteApp) throw new UsageError("no unit or application specified");
      name = backend.options.remoteApp;
    } else if (backend.options.remoteUnit) {
      name = backend.options.remoteUnit;
    } else if (backend.options.remoteApp) {
      name = backend.options.remoteApp;
      isApp = true;
    } else throw new UsageError("no unit or application specified");
    checkEmpty(args);
    const bag = backend.relationGet(rel, name, isApp);
    return formatOutput(key === "" ? bag : (bag[key] ?? null), format);
  },

  "relation-set": (call) => {
    const { argv, backend, io } = call;
    const p = parseFlags(argv, {
      ...FORMAT,
      ...RELATION,
      app: { kind: "bool", key: "app" },
      file: { kind: "string", key: "file" },
    });
    const rel = requireRelation(p, backend);
    const overrides = new Map<string, string>();
    for (const a of p.args) {
      const i = a.indexOf("=");
      if (i < 1) throw new UsageError(`expected "key=value", got "${a}"`);
      const k = a.slice(0, i);
      if (overrides.has(k)) throw new UsageError(`key "${k}" specified more than once`);
      overrides.set(k, a.slice(i + 1));
    }
    if (last(p, "format")) call.stderr += `--format flag deprecated for command "relation-set"`;
    const file = str(p, "file");
    let settings = new Map<string, string>();
    if (file !== undefined) {
      let text: string | Uint8Array;
      try {
        text = file === "-" ? io.stdin() : io.readFile(file);
      } catch {
        throw new RunError(`open ${file}: no such file or directory`);
      }
      settings = mapFile(text, "map[string]string");
    }
    // CLI pairs override file entries; entries, so a `__proto__` key is a key.
    backend.relationSet(rel, Object.fromEntries([...settings, ...overrides]), bool(p, "app"));
    return "";
  },

  "relation-model-get": ({ argv, backend }) => {
    const p = parseFlags(argv, { ...FORMAT, ...RELATION });
    const format = outputFormat(p, ALL_FORMATS, "smart");
    const rel = requireRelation(p, backend);
    checkEmpty(p.args);
    const uuid = backend.relationModelGet(rel);
    if (uuid === null) throw new MissingTool();
    return formatOutput({ uuid }, format);
  },
};
