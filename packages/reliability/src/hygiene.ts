/**
 * Secret hygiene: no secret value in a plain databag (when both sides use secrets), in a hook-tool
 * argv, in a juju-log line, in a status message or in an error message.
 *
 * A `HygieneChecker` observes model states as a run goes (secrets removed on relation-broken are
 * still known afterwards) and errors thrown by hooks, then reports every place a secret value shows.
 */

import type { ModelState } from "@charm-relations/juju-secrets-core/testing";

/** Secret content keys whose values are public by design (names, flags, certificates, CAs). */
export const PUBLIC_SECRET_KEYS: ReadonlySet<string> = new Set([
  "username",
  "entity-name",
  "tls",
  "tls-ca",
  "mtls-cert",
  "cert",
  "ca",
]);

/** Shorter values are not distinctive enough to search for (`True`, `false`, …). */
export const MIN_SECRET_LENGTH = 8;

export interface Violation {
  /** `databag 3 provider app key "uris"`, `argv secret-set #12`, `juju-log requirer/0 #4`, … */
  readonly where: string;
  /** Which secret (xid + key), never the value. */
  readonly secret: string;
}

export interface HygieneOptions {
  /** Plain databags may carry credentials (a requirer without secrets support, legacy etcd). */
  readonly allowPlainBags?: boolean | ((relationId: number) => boolean);
}

interface Text {
  readonly where: string;
  readonly text: string;
}

export class HygieneChecker {
  readonly #secrets = new Map<string, string>();
  readonly #texts = new Map<string, Text>();
  readonly #options: HygieneOptions;
  /** Number of texts and secret values examined (for the report). */
  stats = { states: 0, errors: 0 };

  constructor(options: HygieneOptions = {}) {
    this.#options = options;
  }

  /** Add a secret value known from elsewhere (e.g. a password a test charm generated). */
  secret(value: string, name = "extra"): void {
    if (value.length >= MIN_SECRET_LENGTH) this.#secrets.set(value, name);
  }

  #text(where: string, text: string): void {
    if (text !== "") this.#texts.set(`${where}\u0000${text}`, { where, text });
  }

  /**
   * Collect the secret values of `state` and every text that must not carry them. `plainBags`: this
   * state's databags may carry credentials (a requirer that asked for the plain-text fallback).
   */
  observe(state: ModelState, options: { plainBags?: boolean } = {}): void {
    this.stats.states += 1;
    for (const s of Object.values(state.secrets)) {
      for (const rev of s.revisions) {
        for (const [k, v] of Object.entries(rev.content)) {
          if (!PUBLIC_SECRET_KEYS.has(k)) this.secret(v, `${s.xid}/${k}`);
        }
      }
    }
    const allow = this.#options.allowPlainBags;
    for (const rel of Object.values(state.relations)) {
      const plainOk =
        options.plainBags === true || (typeof allow === "function" ? allow(rel.id) : allow === true);
      if (plainOk) continue;
      for (const [app, bag] of Object.entries(rel.appData)) {
        for (const [k, v] of Object.entries(bag)) this.#text(`databag ${rel.id} ${app} app key "${k}"`, v);
      }
      for (const [unit, bag] of Object.entries(rel.unitData)) {
        for (const [k, v] of Object.entries(bag)) this.#text(`databag ${rel.id} ${unit} unit key "${k}"`, v);
      }
    }
    for (const c of state.calls) this.#text(`argv ${c.unit} ${c.tool} #${c.seq}`, c.argv.join(" "));
    for (const l of state.logs) this.#text(`juju-log ${l.unit} #${l.seq}`, l.message);
    for (const [name, u] of Object.entries(state.units)) {
      for (const h of [u.status, ...u.statusHistory]) this.#text(`status ${name}`, h.message);
    }
    for (const [name, a] of Object.entries(state.applications)) {
      for (const h of [a.status, ...a.statusHistory]) this.#text(`status ${name} (app)`, h.message);
    }
  }

  /** An error a hook threw (message, Juju's stderr/stdout if any, and its causes). */
  error(e: unknown, where = "error"): void {
    this.stats.errors += 1;
    let current: unknown = e;
    for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
      if (current instanceof Error) {
        this.#text(`${where} message (${current.name})`, current.message);
        const extra = current as Error & { stderr?: unknown; stdout?: unknown; argv?: unknown };
        if (typeof extra.stderr === "string") this.#text(`${where} stderr`, extra.stderr);
        if (typeof extra.stdout === "string") this.#text(`${where} stdout`, extra.stdout);
        if (Array.isArray(extra.argv)) this.#text(`${where} argv`, extra.argv.join(" "));
        current = current.cause;
      } else {
        this.#text(`${where} (non-Error)`, String(current));
        break;
      }
    }
  }

  /** Any other text (stdout of a charm process, an event payload rendered for a log). */
  textOf(where: string, text: string): void {
    this.#text(where, text);
  }

  get secretCount(): number {
    return this.#secrets.size;
  }

  violations(): Violation[] {
    const out: Violation[] = [];
    for (const { where, text } of this.#texts.values()) {
      for (const [value, name] of this.#secrets) {
        if (text.includes(value)) out.push({ where, secret: name });
      }
    }
    return out;
  }
}
