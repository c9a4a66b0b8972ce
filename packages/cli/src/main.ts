/**
 * The `charm-relations` command line: `validate`, `schema`, `simulate`, `demo`, `list`, `help`.
 *
 * Exit codes: 0 valid / success; 1 invalid data, a simulation with problems, or an internal error;
 * 2 usage errors and unreadable input. `main` never throws: every error becomes a message and a code.
 */

import { createRequire } from "node:module";
import type { Contract } from "@charm-relations/juju-secrets-core";
import type { Side } from "@charm-relations/juju-secrets-core/interface";
import {
  type CommandSpec,
  colorFlag,
  commandHelp,
  type ParsedArgs,
  parseArgs,
  suggest,
  UsageError,
} from "./args.js";
import { escapeControls, shown, toJson } from "./escape.js";
import { classifyInput, InputError, parseJsonInput, readInput } from "./input.js";
import { findInterface, INTERFACE_NAMES, INTERFACES, type InterfaceEntry, SIDES } from "./interfaces.js";
import { colorEnabled, type Io, Progress, Style, table } from "./output.js";
import { renderDemoSummary, renderReport } from "./render.js";
import type { SimulateProgress, SimulationReport } from "./simulate.js";
import { type ContractChoice, type ValidationReport, validateDatabag, validateDump } from "./validate.js";

const BIN = "charm-relations";

const interfaceOption = {
  name: "interface",
  type: "string",
  valueName: "name",
  choices: INTERFACE_NAMES,
  description: "Relation interface",
} as const;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "validate",
    summary: "Check real relation data against an interface's schemas.",
    usage: `${BIN} validate [file|-] [--interface <name>] [--side provider|requirer] [--contract v0|v1|auto] [--bag app|unit] [--endpoint <name>] [--json]`,
    description:
      "The input (a file, or stdin when omitted or `-`) is either a bare databag — a JSON object of strings — or the output of `juju show-unit <unit> --format=json`. For a dump, the relations are picked by --endpoint or by the interface's endpoint names, and the other application's databag (application-data), each related unit's databag and the unit's own databag (local-unit) are checked. Violations name the key, the rule and the value's shape, never the value. Exit 0 when valid, 1 when invalid, 2 for usage errors and unreadable input.",
    positionals: [
      { name: "file", description: "JSON file to check; `-` or nothing reads stdin", optional: true },
    ],
    options: [
      {
        ...interfaceOption,
        description:
          "Relation interface (required for a bare databag; detected from endpoint names in a dump)",
      },
      {
        name: "side",
        type: "string",
        choices: ["provider", "requirer"],
        description:
          "Bare databag: the side that wrote it. Dump: the side of the unit you ran juju show-unit on. Default: detected from the keys",
      },
      {
        name: "contract",
        type: "string",
        choices: ["v0", "v1", "auto"],
        defaultText: "auto",
        description: 'Protocol contract; auto reads `version: "v1"` from the application databag',
      },
      {
        name: "bag",
        type: "string",
        choices: ["app", "unit"],
        defaultText: "app; unit for etcd, which has no application databag",
        description: "Bare databag: an application or a unit databag",
      },
      {
        name: "endpoint",
        type: "string",
        valueName: "name",
        description: "Dump: only relations on this endpoint of the dumped unit",
      },
      { name: "json", type: "boolean", description: "Print a machine-readable report" },
    ],
    examples: [
      `juju show-unit myapp/0 --format=json | ${BIN} validate`,
      `juju show-unit myapp/0 --format=json | ${BIN} validate --interface postgresql_client --endpoint database`,
      `${BIN} validate --interface valkey_client --side requirer bag.json`,
      `${BIN} validate dump.json --json`,
    ],
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of an interface side and contract.",
    usage: `${BIN} schema <interface> --side provider|requirer [--contract v0|v1] [--bag app|unit]`,
    description:
      "Prints a JSON Schema (draft 2020-12) generated from the package's zod schemas, the same ones the parsers use. Without --bag it describes both databags of the side as { app, unit }, like the upstream interface specs.",
    positionals: [
      { name: "interface", description: `One of: ${INTERFACE_NAMES.join(", ")}`, optional: true },
    ],
    options: [
      interfaceOption,
      {
        name: "side",
        type: "string",
        choices: ["provider", "requirer"],
        description: "Which side's databags (required)",
      },
      {
        name: "contract",
        type: "string",
        choices: ["v0", "v1"],
        defaultText: "the interface's default",
        description: "Protocol contract",
      },
      {
        name: "bag",
        type: "string",
        choices: ["app", "unit"],
        description: "Only the application or the unit databag",
      },
      { name: "json", type: "boolean", description: "Accepted for symmetry: the output is always JSON" },
    ],
    examples: [
      `${BIN} schema postgresql_client --side requirer`,
      `${BIN} schema valkey_client --side provider --contract v0 --bag app`,
    ],
  },
  {
    name: "simulate",
    summary:
      "Run a full relation lifecycle between the package's provider and requirer on the in-memory model.",
    usage: `${BIN} simulate <interface> [--contract v0|v1] [--json] [--verbose]`,
    description:
      "Deploys a provider and a requirer charm built on the interface package, relates them, settles, rotates credentials, scales out and in, and removes the relation, then prints what happened: each hook, what each side wrote, secrets created, updated and removed, interface events, hook-tool calls. Exit 0 when every phase settled with no failed hook and no orphaned secret, 1 otherwise.",
    positionals: [{ name: "interface", description: `One of: ${INTERFACE_NAMES.join(", ")}` }],
    options: [
      interfaceOption,
      {
        name: "contract",
        type: "string",
        choices: ["v0", "v1"],
        defaultText: "the requirer's default",
        description: "Contract the requirer speaks",
      },
      {
        name: "verbose",
        short: "v",
        type: "boolean",
        description: "Show every hook and every hook-tool call with its argv",
      },
      { name: "json", type: "boolean", description: "Print the whole transcript as JSON" },
    ],
    examples: [
      `${BIN} simulate postgresql_client`,
      `${BIN} simulate etcd_client --contract v0 --verbose`,
      `${BIN} simulate valkey_client --json`,
    ],
  },
  {
    name: "demo",
    summary: "Run `simulate` for every interface and print a summary.",
    usage: `${BIN} demo [--summary] [--json] [--verbose]`,
    positionals: [],
    options: [
      { name: "summary", type: "boolean", description: "Only phase titles and results, not every hook" },
      {
        name: "verbose",
        short: "v",
        type: "boolean",
        description: "Show every hook and every hook-tool call",
      },
      { name: "json", type: "boolean", description: "Print every transcript as JSON" },
    ],
    examples: [`${BIN} demo`, `${BIN} demo --summary`],
  },
  {
    name: "list",
    summary: "List the interfaces, their packages, versions and contracts.",
    usage: `${BIN} list [--json]`,
    positionals: [],
    options: [{ name: "json", type: "boolean", description: "Machine-readable output" }],
    examples: [`${BIN} list`],
  },
  {
    name: "help",
    summary: "Show help for a command.",
    usage: `${BIN} help [command]`,
    positionals: [{ name: "command", description: "A command name", optional: true }],
    options: [],
    examples: [`${BIN} help validate`],
  },
];

function versionOfCli(): string {
  try {
    return String((createRequire(import.meta.url)("../package.json") as { version?: unknown }).version);
  } catch {
    return "unknown";
  }
}

export function generalHelp(): string {
  const rows = COMMANDS.map((c) => [`  ${c.name}`, c.summary]);
  return `${[
    `Usage: ${BIN} <command> [options]`,
    "",
    "Validate Juju relation data against the data-platform interfaces (postgresql_client, etcd_client,",
    "etcd, valkey_client, connect_client), print their JSON Schemas, and simulate relation lifecycles",
    "between TypeScript charms on an in-memory Juju model.",
    "",
    "Commands:",
    table(rows),
    "",
    "Options for every command: -h, --help; --color / --no-color (default: colour only on a TTY).",
    `${BIN} --version prints the version.`,
    "",
    "Exit codes: 0 valid / success, 1 invalid data or failed simulation, 2 usage error or unreadable input.",
    "",
    "Examples:",
    `  ${BIN} list`,
    `  ${BIN} simulate postgresql_client`,
    `  juju show-unit myapp/0 --format=json | ${BIN} validate --interface postgresql_client`,
    `  ${BIN} schema etcd_client --side requirer --contract v1`,
  ].join("\n")}\n`;
}

interface Context {
  readonly io: Io;
  readonly args: ParsedArgs;
  readonly out: Style;
  readonly json: boolean;
}

const write = (io: Io, text: string) => void io.stdout.write(text);

function requireInterface(args: ParsedArgs, command: string, required = true): InterfaceEntry | undefined {
  const positional = command === "validate" ? undefined : args.positionals[0];
  const option = typeof args.options.interface === "string" ? args.options.interface : undefined;
  if (
    positional !== undefined &&
    option !== undefined &&
    findInterface(positional) !== findInterface(option)
  ) {
    throw new UsageError(
      `interface given twice: "${shown(positional)}" and --interface ${shown(option)}`,
      command,
    );
  }
  const name = positional ?? option;
  if (name === undefined) {
    if (!required) return undefined;
    throw new UsageError(`which interface? (one of: ${INTERFACE_NAMES.join(", ")})`, command);
  }
  const entry = findInterface(name);
  if (!entry) {
    const hint = suggest(name, INTERFACE_NAMES);
    throw new UsageError(
      `unknown interface "${shown(name)}"${hint ? ` (did you mean ${hint}?)` : ""}; known: ${INTERFACE_NAMES.join(", ")}`,
      command,
    );
  }
  return entry;
}

// -- list ----------------------------------------------------------------------------------------

function listCommand(c: Context): number {
  const rows = INTERFACES.map((e) => ({
    name: e.name,
    package: e.package,
    version: e.version,
    contracts: e.contracts,
    defaultContract: e.defaultContract,
    simulateContracts: e.scenario.contracts,
    contractNote: e.contractNote,
    endpoints: e.endpoints,
    defaultBag: e.defaultBag,
    resourceKey: e.resourceKey,
    charms: e.charms,
    summary: e.summary,
    notes: e.notes,
  }));
  if (c.json) {
    write(c.io, toJson({ interfaces: rows }));
    return 0;
  }
  const s = c.out;
  const lines = table([
    ["interface", "package", "version", "contracts", "endpoints (provider / requirer)"].map((h) => s.bold(h)),
    ...INTERFACES.map((e) => [
      s.cyan(e.name),
      e.package,
      e.version,
      e.contracts.map((k) => (k === e.defaultContract ? `${k}*` : k)).join(", "),
      `${e.endpoints.provider[0]} / ${e.endpoints.requirer[0]}`,
    ]),
  ]);
  const details = INTERFACES.map(
    (e) =>
      `  ${s.cyan(e.name.padEnd(18))}${e.summary}; ${e.contractNote}${e.notes.length ? s.dim(` [${e.notes.join("; ")}]`) : ""}`,
  );
  write(
    c.io,
    `${lines}\n\n${s.dim("* the contract our requirer speaks by default")}\n\n${details.join("\n")}\n`,
  );
  return 0;
}

// -- schema --------------------------------------------------------------------------------------

function schemaCommand(c: Context): number {
  const entry = requireInterface(c.args, "schema")!;
  const side = c.args.options.side as Side | undefined;
  if (!side) throw new UsageError(`schema needs --side (${SIDES.join(" or ")})`, "schema");
  const contract = (c.args.options.contract as Contract | undefined) ?? entry.defaultContract;
  if (!entry.contracts.includes(contract)) {
    throw new UsageError(
      `${entry.name} has no ${contract} schema (contracts: ${entry.contracts.join(", ")})`,
      "schema",
    );
  }
  const { app, unit } = entry.jsonSchema(side, contract);
  const strip = (schema: Record<string, unknown>) => {
    const { $schema: _drop, ...rest } = schema;
    return rest;
  };
  const bag = c.args.options.bag as "app" | "unit" | undefined;
  const title = `${entry.name} ${side} ${bag ? `${bag} databag` : "databags"} (${contract})`;
  const doc = bag
    ? { $schema: "https://json-schema.org/draft/2020-12/schema", ...strip(bag === "app" ? app : unit), title }
    : {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title,
        description: `What the ${side} of ${entry.name} writes: its application databag and each unit's databag. Values are strings on the wire; JSON-valued keys carry their inner shape as contentSchema. Generated from ${entry.package} ${entry.version}.`,
        type: "object",
        properties: { app: strip(app), unit: strip(unit) },
        additionalProperties: false,
      };
  write(c.io, toJson(doc));
  return 0;
}

// -- validate ------------------------------------------------------------------------------------

async function validateCommand(c: Context): Promise<number> {
  const entry = requireInterface(c.args, "validate", false);
  const raw = await readInput(c.args.positionals[0], c.io);
  const input = classifyInput(parseJsonInput(raw), raw.source);
  const side = c.args.options.side as Side | undefined;
  const contract = (c.args.options.contract as ContractChoice | undefined) ?? "auto";
  let report: ValidationReport;
  if (input.kind === "databag") {
    if (c.args.options.endpoint !== undefined) {
      throw new UsageError(
        "--endpoint picks relations in a juju show-unit dump; this input is a bare databag",
        "validate",
      );
    }
    if (!entry) {
      throw new UsageError(
        `a bare databag needs --interface (one of: ${INTERFACE_NAMES.join(", ")})`,
        "validate",
      );
    }
    report = validateDatabag(entry, input.bag, raw.source, {
      ...(side ? { side } : {}),
      ...(c.args.options.bag !== undefined ? { bag: c.args.options.bag as "app" | "unit" } : {}),
      contract,
    });
  } else {
    if (c.args.options.bag !== undefined) {
      throw new UsageError("--bag applies to a bare databag; a dump says which bag is which", "validate");
    }
    const endpoint = c.args.options.endpoint as string | undefined;
    report = validateDump(input.relations, raw.source, {
      ...(entry ? { interface: entry } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(side ? { side } : {}),
      contract,
    });
  }
  if (c.json) write(c.io, toJson(report));
  else write(c.io, renderValidation(report, c.out));
  return report.ok ? 0 : 1;
}

export function renderValidation(report: ValidationReport, s: Style): string {
  const what = report.input === "databag" ? "databag" : "juju show-unit dump";
  // Keys, owners, endpoints and the source come from the input: escaped and shortened (see escape.ts).
  const out = [`${s.bold("validate")} ${shown(report.source)} (${what}): ${report.interfaces.join(", ")}`];
  for (const n of report.notes) out.push(s.dim(`  ${escapeControls(n)}`));
  for (const check of report.checks) {
    const whose = check.owner ? ` of ${shown(check.owner)}` : "";
    const where = check.relation ? `${shown(check.relation)}  ` : "";
    const contract = check.contract && check.bag === "app" ? s.dim(` (${check.contract})`) : "";
    const head = `${s.mark(check.ok)} ${where}${check.side} ${check.bag} databag${whose}${contract}`;
    if (check.ok) {
      out.push(`${head} ${s.dim("— valid")}`);
      continue;
    }
    const n = check.violations.length;
    out.push(`${head} ${s.red(`— ${n} violation${n === 1 ? "" : "s"}`)}`);
    for (const v of check.violations) {
      const shape = v.shape ? s.dim(`  (got ${escapeControls(v.shape)})`) : "";
      out.push(`    ${s.bold(shown(v.key))}: ${escapeControls(v.rule)}${shape}`);
    }
  }
  const sum = report.summary;
  const line = `${sum.bags} databag${sum.bags === 1 ? "" : "s"} checked: ${sum.valid} valid, ${sum.invalid} invalid, ${sum.violations} violation${sum.violations === 1 ? "" : "s"}`;
  out.push(report.ok ? s.green(line) : s.red(line));
  return `${out.join("\n")}\n`;
}

// -- simulate / demo -----------------------------------------------------------------------------

function progressText(p: SimulateProgress, prefix: string): string {
  return `${prefix}${p.interface} · ${p.phase} · hook ${p.hooks} · ${p.unit} ${p.hook}`;
}

/** Progress callback: throttled, except that each new phase is always shown. */
function onProgress(progress: Progress, prefix: string): (p: SimulateProgress) => void {
  let phase = "";
  return (p) => {
    progress.update(progressText(p, prefix), { force: p.phase !== phase });
    phase = p.phase;
  };
}

async function simulateCommand(c: Context): Promise<number> {
  const entry = requireInterface(c.args, "simulate")!;
  const contract = c.args.options.contract as Contract | undefined;
  if (contract && !entry.scenario.contracts.includes(contract)) {
    throw new UsageError(
      `${entry.name} simulates the contracts ${entry.scenario.contracts.join(", ")}, not ${contract}`,
      "simulate",
    );
  }
  const progress = new Progress(c.io.stderr);
  let report: SimulationReport;
  try {
    report = await entry.simulate({
      ...(contract ? { contract } : {}),
      onProgress: onProgress(progress, ""),
    });
  } finally {
    progress.clear();
  }
  if (c.json) write(c.io, toJson(report));
  else write(c.io, renderReport(report, c.out, { verbose: c.args.options.verbose === true }));
  return report.ok ? 0 : 1;
}

async function demoCommand(c: Context): Promise<number> {
  const progress = new Progress(c.io.stderr);
  const reports: SimulationReport[] = [];
  const s = c.out;
  try {
    for (const [i, entry] of INTERFACES.entries()) {
      const prefix = `[${i + 1}/${INTERFACES.length}] `;
      progress.update(`${prefix}${entry.name}`, { force: true });
      const report = await entry.simulate({ onProgress: onProgress(progress, prefix) });
      reports.push(report);
      if (!c.json) {
        progress.clear();
        const banner = `══ ${i + 1}/${INTERFACES.length} ${entry.name} `;
        write(c.io, `${s.bold(banner.padEnd(100, "═"))}\n`);
        write(
          c.io,
          `${renderReport(report, s, {
            verbose: c.args.options.verbose === true,
            summaryOnly: c.args.options.summary === true,
          })}\n`,
        );
      }
    }
  } finally {
    progress.clear();
  }
  const ok = reports.every((r) => r.ok);
  if (c.json) {
    write(c.io, toJson({ ok, reports }));
  } else {
    const verdict = ok
      ? s.green(`All ${reports.length} interfaces settled with no failed hook and no orphaned secret.`)
      : s.red(`${reports.filter((r) => !r.ok).length} of ${reports.length} interfaces had problems.`);
    write(c.io, `${s.bold("Summary")}\n${renderDemoSummary(reports, s)}\n${verdict}\n`);
  }
  return ok ? 0 : 1;
}

// -- entry point ---------------------------------------------------------------------------------

function usageFooter(command: string | undefined): string {
  const spec = COMMANDS.find((c) => c.name === command);
  return spec
    ? `Usage: ${spec.usage}\nRun '${BIN} help ${spec.name}' for details.\n`
    : `Run '${BIN} help' for the list of commands.\n`;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  let json = rest.includes("--json");
  // Decided before parsing, so that even a parse error is coloured (or not) as asked.
  const colorArg = rest.includes("--no-color") ? false : rest.includes("--color") ? true : undefined;
  const errStyle = new Style(colorEnabled(io.stderr, io.env, colorArg));
  let commandName: string | undefined;
  try {
    if (command === undefined) {
      io.stderr.write(generalHelp());
      return 2;
    }
    if (command === "--help" || command === "-h") {
      write(io, generalHelp());
      return 0;
    }
    if (command === "--version" || command === "-V") {
      write(io, `${BIN} ${versionOfCli()}\n`);
      return 0;
    }
    const spec = COMMANDS.find((c) => c.name === command);
    if (!spec) {
      const hint = suggest(
        command,
        COMMANDS.map((c) => c.name),
      );
      throw new UsageError(`unknown command "${command}"${hint ? ` (did you mean ${hint}?)` : ""}`);
    }
    commandName = spec.name;
    const args = parseArgs(rest, spec);
    json = args.options.json === true;
    if (args.options.help === true) {
      write(io, commandHelp(spec));
      return 0;
    }
    const context: Context = {
      io,
      args,
      json,
      out: new Style(colorEnabled(io.stdout, io.env, colorFlag(args.options))),
    };
    switch (spec.name) {
      case "help": {
        const topic = args.positionals[0];
        if (topic === undefined) {
          write(io, generalHelp());
          return 0;
        }
        const target = COMMANDS.find((c) => c.name === topic);
        if (!target) throw new UsageError(`no help for unknown command "${topic}"`, "help");
        write(io, commandHelp(target));
        return 0;
      }
      case "list":
        return listCommand(context);
      case "schema":
        return schemaCommand(context);
      case "validate":
        return await validateCommand(context);
      case "simulate":
        return await simulateCommand(context);
      case "demo":
        return await demoCommand(context);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      const kind = error instanceof UsageError ? "usage" : "input";
      if (json) write(io, toJson({ ok: false, error: { kind, message: error.message } }));
      const name = (error instanceof UsageError ? error.command : undefined) ?? commandName;
      const where = name ? ` ${name}` : "";
      // Messages quote names from the input and the command line: never raw on the terminal.
      io.stderr.write(`${errStyle.red(`${BIN}${where}: error:`)} ${escapeControls(error.message)}\n`);
      if (error instanceof UsageError) io.stderr.write(usageFooter(name));
      return 2;
    }
    // Not expected: report without a stack trace full of paths, but with enough to file a bug.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (json) write(io, toJson({ ok: false, error: { kind: "internal", message } }));
    io.stderr.write(
      `${errStyle.red(`${BIN}${commandName ? ` ${commandName}` : ""}: internal error:`)} ${escapeControls(message)}\n`,
    );
    if (io.env.CHARM_RELATIONS_DEBUG && error instanceof Error && error.stack)
      io.stderr.write(`${escapeControls(error.stack)}\n`);
    return 1;
  }
}
