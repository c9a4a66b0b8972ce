/**
 * The fewest hook-tool calls a hook could have made for what it actually did, derived from its own
 * call log and commit (never a hard-coded number):
 *
 * - reads: one `relation-get` per databag read, one `relation-ids` per endpoint, one `relation-list`
 *   per relation (and none with `--app` for the event's relation: JUJU_REMOTE_APP names it), one
 *   `relation-model-get` per relation, one `is-leader` / `config-get` / `secret-ids` at most, one
 *   `secret-info-get` per secret asked about, one `secret-get` per secret (two when the hook read the
 *   tracked revision before a `--refresh`/`--peek`: old and new content, as secret-changed needs);
 * - writes: one `relation-set` per databag the commit changed, one `secret-set` per secret whose content
 *   or metadata really changed, each distinct grant / revoke / removal once, every `secret-add`;
 * - `status-set` at most once per target (unit, application): only the last one counts;
 * - `is-leader` only when the answer mattered: on a non-leader (it kept the unit from leader-only
 *   work), or on a leader that then did leader-only work (own app bag, app-owned secrets, app status).
 *
 * `juju-log` is reported apart and left out of the totals, like the Python reference numbers.
 */
import type { CommitResult, HookToolCall } from "../../packages/juju-secrets-core/dist/testing/index.js";

export interface HookCost {
  /** Calls by tool (juju-log excluded). */
  readonly calls: Record<string, number>;
  /** The minimum by tool for what the hook did. */
  readonly minimum: Record<string, number>;
  readonly total: number;
  readonly minimumTotal: number;
  readonly logs: number;
}

const withoutFormat = (argv: readonly string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--format=")) continue;
    if (a === "--format") {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
};

/** The value following a flag (`-r x`, `--relation x`, `--relation=x`). */
function flagValue(argv: readonly string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of names) {
      if (a === n) return argv[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

const relationIdOf = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.slice(value.lastIndexOf(":") + 1);

/** `secret://uuid/xid`, `secret:xid` or `xid` → xid. */
const xidOf = (id: string): string => {
  const tail = id.slice(id.lastIndexOf("/") + 1);
  return tail.startsWith("secret:") ? tail.slice("secret:".length) : tail;
};

function secretGetTarget(argv: readonly string[]): { key: string; mode: "plain" | "latest" } {
  const args = withoutFormat(argv);
  let id: string | undefined;
  let label: string | undefined;
  let mode: "plain" | "latest" = "plain";
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--label") label = args[++i];
    else if (a.startsWith("--label=")) label = a.slice(8);
    else if (a === "--refresh" || a === "--peek") mode = "latest";
    else if (!a.startsWith("-")) id = a;
  }
  return { key: id !== undefined ? `id:${xidOf(id)}` : `label:${label ?? ""}`, mode };
}

export interface HookFacts {
  readonly calls: readonly Pick<HookToolCall, "tool" | "argv">[];
  /** The event's relation id (relation hooks). */
  readonly relationId?: number;
  /** What the hook committed (absent for a failed hook: then writes count as needed). */
  readonly commit?: CommitResult;
  /** The unit running the hook, and whether it leads its application. */
  readonly unit?: string;
  readonly leader?: boolean;
}

const OWNER_TOOLS = new Set([
  "secret-set",
  "secret-grant",
  "secret-revoke",
  "secret-remove",
  "secret-ids",
  "secret-info-get",
]);

/** A call only the leader may make (own app bag, app-owned secrets, app status). */
function leaderOnly(tool: string, argv: readonly string[], app: string | undefined): boolean {
  if (OWNER_TOOLS.has(tool)) return true;
  if (tool === "relation-set") return argv.includes("--app");
  if (tool === "relation-get") return argv.includes("--app") && app !== undefined && argv.at(-1) === app;
  if (tool === "secret-add") return flagValue(argv, "--owner") !== "unit";
  if (tool === "status-set" || tool === "status-get")
    return /^--application(=(true|True|1))?$/.test(argv.find((a) => a.startsWith("--application")) ?? "");
  return false;
}

export function hookCost(facts: HookFacts): HookCost {
  const calls: Record<string, number> = {};
  const distinct = new Map<string, Set<string>>();
  const add = (tool: string, key: string) => {
    const set = distinct.get(tool) ?? new Set<string>();
    distinct.set(tool, set.add(key));
  };
  const secretReads = new Map<string, ("plain" | "latest")[]>();
  const secretSets = new Set<string>();
  let logs = 0;
  const app = facts.unit?.slice(0, facts.unit.lastIndexOf("/"));
  let leaderWork = false;
  for (const call of facts.calls) {
    const { tool, argv } = call;
    if (tool === "juju-log") {
      logs++;
      continue;
    }
    calls[tool] = (calls[tool] ?? 0) + 1;
    if (leaderOnly(tool, argv, app)) leaderWork = true;
    switch (tool) {
      case "relation-list": {
        const rel = relationIdOf(flagValue(argv, "-r", "--relation"));
        const app = argv.includes("--app");
        // The event's remote app is in JUJU_REMOTE_APP: asking Juju for it is never needed.
        if (app && (rel === undefined || rel === String(facts.relationId))) break;
        add(tool, `${rel ?? "hook"}|${app}`);
        break;
      }
      case "relation-get":
      case "relation-ids":
      case "relation-model-get":
      case "network-get":
      case "secret-info-get":
      case "secret-grant":
      case "secret-revoke":
      case "secret-remove":
        add(tool, withoutFormat(argv).join(" "));
        break;
      case "secret-get": {
        const { key, mode } = secretGetTarget(argv);
        const list = secretReads.get(key) ?? [];
        list.push(mode);
        secretReads.set(key, list);
        break;
      }
      case "secret-set":
        if (argv[0] !== undefined) secretSets.add(xidOf(argv[0]));
        break;
      case "status-set":
        add(tool, argv.find((a) => a.startsWith("--application")) ?? "unit");
        break;
      case "secret-add":
        add(tool, String(calls[tool]));
        break;
      default:
        // is-leader, config-get, secret-ids, status-get, application-version-set: once is enough.
        add(tool, "");
    }
  }
  const minimum: Record<string, number> = {};
  for (const [tool, keys] of distinct) minimum[tool] = keys.size;
  if (calls["relation-list"] !== undefined) minimum["relation-list"] ??= 0;
  if (calls["is-leader"] !== undefined && facts.leader === true && !leaderWork) minimum["is-leader"] = 0;
  let reads = 0;
  for (const modes of secretReads.values()) {
    const firstLatest = modes.indexOf("latest");
    reads += firstLatest > 0 && modes.slice(0, firstLatest).includes("plain") ? 2 : 1;
  }
  if (secretReads.size) minimum["secret-get"] = reads;
  if (facts.commit) {
    const bags = facts.commit.databags.length;
    if (calls["relation-set"] !== undefined || bags) minimum["relation-set"] = bags;
    const s = facts.commit.secrets;
    const changed = new Set([...s.created, ...s.updated.map((u) => u.xid), ...s.metadataUpdated]);
    if (secretSets.size) minimum["secret-set"] = [...secretSets].filter((x) => changed.has(x)).length;
  } else {
    minimum["relation-set"] = calls["relation-set"] ?? 0;
    if (secretSets.size) minimum["secret-set"] = secretSets.size;
  }
  for (const tool of Object.keys(minimum))
    if (minimum[tool] === 0 && calls[tool] === undefined) delete minimum[tool];
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const minimumTotal = Object.values(minimum).reduce((a, b) => a + b, 0);
  return { calls, minimum, total, minimumTotal, logs };
}

/** `relation-get×2 secret-get×1 …`, with the excess of each tool in brackets. */
export function describeCost(cost: HookCost): string {
  return Object.keys(cost.calls)
    .sort()
    .map((tool) => {
      const n = cost.calls[tool]!;
      const extra = n - (cost.minimum[tool] ?? 0);
      return `${tool}×${n}${extra > 0 ? `(+${extra})` : ""}`;
    })
    .join(" ");
}
