/**
 * Text rendering of a simulation report: one block per phase, one entry per hook that did something
 * (wrote a databag, touched a secret, fired an interface event, failed or logged a warning); quiet
 * hooks are folded into one line per run of them unless `verbose`.
 */

import { type Style, table } from "./output.js";
import type { BagWriteView, HookView, OperationView, PhaseReport, SimulationReport } from "./simulate.js";

export interface RenderOptions {
  /** Every hook, and every hook-tool call with its argv. */
  readonly verbose?: boolean;
  /** Only the phase titles and the result (for `demo --summary`). */
  readonly summaryOnly?: boolean;
}

const MAX_VALUE = 56;

/** A short, safe picture of a databag value (values are already redacted where sensitive). */
export function displayValue(value: string): string {
  if (value === "<redacted>") return value;
  const t = value.trim();
  if (/^-----BEGIN CERTIFICATE-----/.test(t)) {
    const n = (t.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
    return n > 1 ? `<PEM, ${n} certificates>` : "<PEM certificate>";
  }
  const secret = /^secret:\/\/[0-9a-f-]{36}\/([0-9a-z]{20})$/.exec(t);
  if (secret) return `secret:…/${secret[1]}`;
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed)) {
        const shown = JSON.stringify(parsed);
        return shown.length <= MAX_VALUE ? shown : `<JSON array, ${parsed.length} items>`;
      }
      if (parsed !== null && typeof parsed === "object") {
        const keys = Object.keys(parsed);
        const shown = `{${keys.join(", ")}}`;
        return shown.length <= MAX_VALUE - 8 ? `<JSON ${shown}>` : `<JSON object, ${keys.length} keys>`;
      }
    } catch {
      // not JSON after all: shown as a string
    }
  }
  const quoted = JSON.stringify(value);
  return quoted.length <= MAX_VALUE ? quoted : `${quoted.slice(0, MAX_VALUE - 2)}…" (${value.length} chars)`;
}

/** `relation-get ×3, secret-add` — tools in order of first use, with counts. */
export function toolSummary(calls: HookView["calls"]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.tool, (counts.get(c.tool) ?? 0) + 1);
  return [...counts].map(([tool, n]) => (n > 1 ? `${tool}×${n}` : tool)).join(", ");
}

function detailText(detail: Readonly<Record<string, unknown>> | undefined): string {
  if (!detail || Object.keys(detail).length === 0) return "";
  const parts = Object.entries(detail).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
  return ` (${parts.join(", ")})`;
}

function isQuiet(h: HookView): boolean {
  return (
    h.ok &&
    h.writes.length === 0 &&
    h.events.length === 0 &&
    h.secrets.created.length +
      h.secrets.updated.length +
      h.secrets.removed.length +
      h.secrets.revisionsRemoved.length ===
      0 &&
    !h.logs.some((l) => l.level === "WARNING" || l.level === "ERROR")
  );
}

/** `install ×4, start ×4` for a run of quiet hooks. */
function quietLine(hooks: readonly HookView[], s: Style): string {
  const counts = new Map<string, number>();
  for (const h of hooks) {
    // `database-relation-joined` → `relation-joined`: the endpoint adds nothing to the count.
    const kind = h.hook.replace(/^.*-(relation-[a-z]+)$/, "$1");
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const what = [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
  return s.dim(
    `    · ${hooks.length} quiet hook${hooks.length === 1 ? "" : "s"} (nothing written, no event): ${what}`,
  );
}

function writeLine(w: BagWriteView, s: Style): string {
  const who = w.bag === "app" ? `app bag of ${w.owner}` : `unit bag of ${w.owner}`;
  const parts = Object.entries(w.set).map(([k, v]) => `${s.bold(k)}=${displayValue(v)}`);
  for (const k of w.deleted) parts.push(`${s.bold(k)} ${s.dim("deleted")}`);
  return `      ${s.cyan("writes")} ${who} (relation ${w.relationId}): ${parts.join(", ")}`;
}

function secretName(ref: { id: string; label?: string }): string {
  return ref.label ?? ref.id;
}

function hookLines(h: HookView, s: Style, verbose: boolean): string[] {
  const remote = h.remoteUnit ? ` (${h.remoteUnit})` : "";
  const head = `  ${s.bold(h.unit)} ${h.hook}${remote}${s.dim(`  ← ${h.cause}`)}`;
  const out = [h.ok ? head : `${head}  ${s.red("FAILED")}`];
  if (h.error) out.push(`      ${s.red(`error: ${h.error.name}: ${h.error.message}`)}`);
  for (const e of h.events) out.push(`      ${s.magenta("event")} ${s.bold(e.name)}${detailText(e.detail)}`);
  for (const c of h.secrets.created)
    out.push(`      ${s.green("secret created")} ${secretName(c)} (owner ${c.owner})`);
  for (const u of h.secrets.updated)
    out.push(`      ${s.yellow("secret updated")} ${secretName(u)} → revision ${u.revision}`);
  for (const r of h.secrets.revisionsRemoved)
    out.push(`      ${s.yellow("secret revision removed")} ${secretName(r)} revision ${r.revision}`);
  for (const r of h.secrets.removed)
    out.push(`      ${s.red("secret removed")} ${secretName(r)} (owner ${r.owner})`);
  for (const w of h.writes) out.push(writeLine(w, s));
  for (const l of h.logs) {
    if (verbose || l.level === "WARNING" || l.level === "ERROR")
      out.push(`      ${s.yellow(`log ${l.level}`)} ${l.message}`);
  }
  if (!h.ok || h.status.status === "blocked")
    out.push(`      status ${h.status.status}: ${h.status.message}`);
  if (verbose) {
    for (const c of h.calls)
      out.push(s.dim(`      $ ${c.tool} ${c.argv.join(" ")}${c.exitCode ? `  (exit ${c.exitCode})` : ""}`));
  } else if (h.calls.length) {
    out.push(s.dim(`      hook tools: ${toolSummary(h.calls)}`));
  }
  return out;
}

function operationLine(o: OperationView, s: Style): string {
  return `  ${s.blue("▸")} ${s.blue(o.operation)} ${o.detail}`;
}

function phaseLines(p: PhaseReport, index: number, s: Style, options: RenderOptions): string[] {
  const hooks = p.entries.filter((e): e is HookView => e.type === "hook");
  const out = [s.bold(`━━ ${index + 1}. ${p.title}`)];
  if (!options.summaryOnly) {
    let quiet: HookView[] = [];
    const flush = () => {
      if (quiet.length) out.push(quietLine(quiet, s));
      quiet = [];
    };
    for (const e of p.entries) {
      if (e.type === "operation") {
        flush();
        out.push(operationLine(e, s));
      } else if (!options.verbose && isQuiet(e)) {
        quiet.push(e);
      } else {
        flush();
        out.push(...hookLines(e, s, options.verbose ?? false));
      }
    }
    flush();
  }
  const n = `${hooks.length} hook${hooks.length === 1 ? "" : "s"}`;
  if (p.settled) out.push(`  ${s.mark(true)} settled after ${n}`);
  else {
    out.push(`  ${s.mark(false)} ${s.red(`did not settle after ${n}`)}`);
    for (const f of p.failed) out.push(`      ${s.red(`${f.unit} ${f.hook} failed: ${f.error}`)}`);
  }
  return out;
}

/** The transcript of one simulation. */
export function renderReport(report: SimulationReport, s: Style, options: RenderOptions = {}): string {
  const out = [
    `${s.bold(report.interface)}  ${s.dim("·")}  ${report.package} ${report.version}  ${s.dim("·")}  contract ${report.contract}`,
    `provider ${report.provider.app}:${report.provider.endpoint} (${report.provider.units} units)  ⇄  requirer ${report.requirer.app}:${report.requirer.endpoint} (${report.requirer.units} units)`,
    "",
  ];
  report.phases.forEach((p, i) => {
    out.push(...phaseLines(p, i, s, options), "");
  });
  out.push(resultLine(report, s));
  for (const problem of report.problems) out.push(`  ${s.red(`• ${problem}`)}`);
  return `${out.join("\n")}\n`;
}

export function resultLine(report: SimulationReport, s: Style): string {
  const t = report.totals;
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const facts = [
    n(t.hooks, "hook"),
    n(t.databagWrites, "databag write"),
    `${n(t.secretsCreated, "secret")} created`,
    n(t.secretRevisions, "new revision"),
    `${t.secretsRemoved} removed`,
    n(t.events, "interface event"),
  ].join(", ");
  return report.ok
    ? `${s.mark(true)} ${s.green(`${report.interface}: settled in every phase, no failed hook, no orphaned secret`)} (${facts})`
    : `${s.mark(false)} ${s.red(`${report.interface}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}`)} (${facts})`;
}

/** The closing table of `demo`. */
export function renderDemoSummary(reports: readonly SimulationReport[], s: Style): string {
  const rows = [
    ["interface", "contract", "hooks", "failed", "secrets +/rev/-", "events", "orphans", "result"].map((h) =>
      s.bold(h),
    ),
    ...reports.map((r) => [
      r.interface,
      r.contract,
      String(r.totals.hooks),
      String(r.totals.failedHooks),
      `${r.totals.secretsCreated}/${r.totals.secretRevisions}/${r.totals.secretsRemoved}`,
      String(r.totals.events),
      String(r.orphanedSecrets.length),
      r.ok ? s.green("ok") : s.red("FAILED"),
    ]),
  ];
  return `${table(rows)}\n`;
}
