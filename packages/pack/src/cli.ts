/**
 * `charm-relations-pack [charm-dir…] [--platform amd64|arm64|all|<name>] [--out dir] [--node x.y.z]`
 * as a function of argv and streams, so it can be tested without a process.
 */

import { relative } from "node:path";
import { parseArgs } from "node:util";
import { PackError } from "./errors.js";
import { packCharm } from "./pack.js";
import { NODE_RUNTIME } from "./runtime-pin.js";

export const USAGE = `Usage: charm-relations-pack [charm-dir...] [options]

Bundle a TypeScript charm with esbuild and pack it with a pinned Node runtime into one .charm per
platform of its charmcraft.yaml, named <name>_<platform>.charm like charmcraft names them.

Options:
  --platform <p>    all (default), amd64, arm64, or a platform name from charmcraft.yaml
  --out <dir>       where the .charm files go (default: each charm's directory)
  --node <x.y.z>    Node version to ship (default ${NODE_RUNTIME.version}, pinned with its integrity)
  --entry <file>    entry module, relative to the charm (default src/charm.ts)
  --condition <c>   extra package.json export condition for the bundle (repeatable)
  --no-sourcemap    no dist/charm.mjs.map, no --enable-source-maps
  --cache-dir <d>   runtime cache (default ~/.cache/charm-relations)
  -q, --quiet       print only the .charm paths
  -h, --help        this help
`;

export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly cwd: string;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    io.stderr.write(`charm-relations-pack: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const quiet = values.quiet ?? false;
  const log = (line: string) => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  for (const dir of positionals.length ? positionals : ["."]) {
    try {
      const result = await packCharm({
        charmDir: dir,
        ...(values.out ? { outDir: values.out } : {}),
        ...(values.platform ? { platform: values.platform } : {}),
        ...(values.node ? { node: values.node } : {}),
        ...(values.entry ? { entry: values.entry } : {}),
        ...(values.condition ? { conditions: values.condition } : {}),
        ...(values["cache-dir"] ? { cacheDir: values["cache-dir"] } : {}),
        sourcemap: !values["no-sourcemap"],
        log,
      });
      for (const charm of result.charms) {
        const where = relative(io.cwd, charm.path) || charm.path;
        const runtimes = result.runtimes
          .filter((r) => charm.arches.includes(r.arch))
          .map((r) => `node ${r.version} ${r.arch}${r.strippedWith ? "" : " (unstripped)"}`)
          .join(", ");
        io.stdout.write(quiet ? `${where}\n` : `${where}  ${mb(charm.bytes)}  ${runtimes}\n`);
      }
    } catch (error) {
      if (!(error instanceof PackError)) throw error;
      io.stderr.write(`charm-relations-pack: ${error.message}\n`);
      return 1;
    }
  }
  return 0;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      platform: { type: "string" },
      out: { type: "string" },
      node: { type: "string" },
      entry: { type: "string" },
      condition: { type: "string", multiple: true },
      "no-sourcemap": { type: "boolean" },
      "cache-dir": { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
}
