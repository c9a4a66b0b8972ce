import { describe, expect, it } from "vitest";
import { type CommandSpec, commandHelp, parseArgs, suggest, UsageError } from "../src/args.js";
import { COMMANDS } from "../src/main.js";

const spec: CommandSpec = {
  name: "try",
  summary: "A test command.",
  usage: "try [file]",
  positionals: [{ name: "file", description: "input", optional: true }],
  options: [
    { name: "side", type: "string", choices: ["provider", "requirer"], description: "side" },
    { name: "endpoint", type: "string", description: "endpoint" },
    { name: "verbose", short: "v", type: "boolean", description: "more" },
  ],
  examples: [],
};

const fails = (argv: string[]) => {
  try {
    parseArgs(argv, spec);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).command).toBe("try");
    return (e as Error).message;
  }
  throw new Error(`parsed: ${argv.join(" ")}`);
};

describe("parseArgs", () => {
  it("reads --name value, --name=value, short flags, `-` and `--`", () => {
    expect(parseArgs(["--side", "provider", "-v", "x.json"], spec)).toEqual({
      positionals: ["x.json"],
      options: { side: "provider", verbose: true },
    });
    expect(parseArgs(["--endpoint=db", "-"], spec)).toEqual({
      positionals: ["-"],
      options: { endpoint: "db" },
    });
    expect(parseArgs(["--", "--side"], spec)).toEqual({ positionals: ["--side"], options: {} });
    expect(parseArgs(["-h"], spec).options.help).toBe(true);
  });

  it("refuses what it does not understand, with a suggestion", () => {
    expect(fails(["--sied", "provider"])).toBe("unknown option --sied (did you mean --side?)");
    expect(fails(["--side", "providr"])).toBe(
      'invalid value for --side: "providr" (one of: provider, requirer) (did you mean provider?)',
    );
    expect(fails(["--side"])).toBe("option --side needs a value (one of: provider, requirer)");
    expect(fails(["--endpoint", "--side", "provider"])).toBe("option --endpoint needs a value");
    expect(fails(["--verbose=yes"])).toBe("option --verbose takes no value");
    expect(fails(["a", "b"])).toBe("unexpected argument: b");
    expect(fails(["--side", "provider", "--side=requirer"])).toBe(
      "option --side given twice with different values",
    );
    expect(fails(["--color", "--no-color"])).toBe("--color and --no-color exclude each other");
  });

  it("suggests by edit distance or by unique prefix, and not at random", () => {
    expect(suggest("valdate", ["validate", "schema"])).toBe("validate");
    expect(suggest("valkey", ["valkey_client", "etcd"])).toBe("valkey_client");
    expect(suggest("etcd", ["etcd_client", "etcd"])).toBe("etcd");
    expect(suggest("zzzzzz", ["validate", "schema"])).toBeUndefined();
  });
});

describe("help text", () => {
  it("documents every option of every command, with choices and defaults", () => {
    for (const command of COMMANDS) {
      const raw = commandHelp(command);
      expect(raw.startsWith(`Usage: ${command.usage}\n`)).toBe(true);
      expect(Math.max(...raw.split("\n").map((l) => l.length))).toBeLessThanOrEqual(
        Math.max(100, command.usage.length + 7),
      );
      const help = raw.replace(/\s+/g, " "); // descriptions wrap at 100 columns
      for (const o of command.options) {
        expect(help).toContain(`--${o.name}`);
        if (o.choices) expect(help).toContain(`one of: ${o.choices.join(", ")}`);
        if (o.defaultText) expect(help).toContain(`default: ${o.defaultText}`);
      }
      for (const e of command.examples) expect(help).toContain(e);
      expect(help).toContain("--no-color");
    }
  });
});
