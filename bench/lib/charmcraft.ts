/**
 * Just enough of an example charm's `charmcraft.yaml` to deploy it on the Simulation: its endpoints
 * (`provides` / `requires` / `peers` with their interface) and its config defaults. A tiny reader for
 * the subset the examples use (nested maps, scalars, `|` blocks), not a YAML parser.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EndpointInput } from "../../packages/juju-secrets-core/dist/testing/index.js";

export interface CharmMetadata {
  readonly endpoints: Record<string, EndpointInput>;
  readonly config: Record<string, unknown>;
}

interface Line {
  readonly indent: number;
  readonly text: string;
}

function scalar(raw: string, type: string | undefined): unknown {
  let v = raw.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  if (type === "int") return Number.parseInt(v, 10);
  if (type === "float") return Number.parseFloat(v);
  if (type === "boolean") return v === "true";
  return v;
}

export function readCharmcraft(dir: string): CharmMetadata {
  const lines: Line[] = readFileSync(join(dir, "charmcraft.yaml"), "utf8")
    .split("\n")
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  const endpoints: Record<string, EndpointInput> = {};
  const config: Record<string, unknown> = {};
  let section = "";
  let endpoint = "";
  let option = "";
  let optionType: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const { indent, text } = lines[i]!;
    if (text === "" || text.startsWith("#")) continue;
    const m = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(text);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (indent === 0) {
      section = key;
      continue;
    }
    if (section === "provides" || section === "requires" || section === "peers") {
      if (indent === 2) endpoint = key;
      else if (indent === 4 && key === "interface") {
        const role = section === "peers" ? "peers" : section;
        endpoints[endpoint] = `${role}:${value.trim()}` as EndpointInput;
      }
    } else if (section === "config") {
      if (indent === 4) {
        option = key;
        optionType = undefined;
      } else if (indent === 6 && key === "type") optionType = value.trim();
      else if (indent === 6 && key === "default") {
        if (value.trim() === "|") {
          const block: string[] = [];
          while (i + 1 < lines.length && (lines[i + 1]!.indent > 6 || lines[i + 1]!.text === "")) {
            i++;
            block.push(lines[i]!.text);
          }
          config[option] = `${block.join("\n").trimEnd()}\n`;
        } else config[option] = scalar(value, optionType);
      }
    }
  }
  return { endpoints, config };
}
