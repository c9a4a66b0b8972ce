/**
 * Secrets as a hook sees them: reads through a per-hook cache, writes compared before `secret-set`,
 * leader checks for app-owned secrets, and the owner labels of this unit's (and app's) secrets kept
 * in unit-local state, so finding the secrets of one relation costs no `secret-info-get` per secret.
 */

import type { SecretAddOptions, SecretInfo } from "../backend/types.js";
import { PermissionDeniedError, SecretLabelConflictError, SecretNotFoundError } from "../errors.js";
import { secretIdArg, xidOf } from "../protocol/codecs.js";
import type { RelationRef } from "../types.js";
import type { Model, SecretReadMode } from "./model.js";
import { type UnitLocalState, unitFileTag, unitStateFor } from "./unit-state.js";

/** The outcome of reading a secret we may not be allowed to see yet. */
export type SecretRead =
  | { readonly ok: true; readonly content: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: "not-found" | "permission-denied" };

/** Secrets through a per-hook cache; compares before `secret-set`; leader checks for app-owned secrets. */
export class SecretStore {
  readonly #model: Model;
  /** key: `<xid>|<mode>` */
  readonly #cache = new Map<string, Readonly<Record<string, string>>>();
  /** Reads that failed, same key: a secret not there (or not granted) now stays so for this hook. */
  readonly #unreadable = new Map<string, "not-found" | "permission-denied">();
  /** Owner view of secrets we created or updated in this hook (content as Juju now holds it). */
  readonly #owned = new Map<string, Readonly<Record<string, string>>>();
  readonly #labelsBound = new Set<string>();
  readonly #infoByLabel = new Map<string, SecretInfo | null>();
  /** `secret-ids` and `secret-info-get <xid>`, asked once per hook however many callers scan them. */
  #ids: string[] | undefined;
  readonly #infoById = new Map<string, SecretInfo | null>();

  /** Owner labels by xid, kept across hooks in unit-local state (`#labels` loads it once per hook). */
  readonly #store: UnitLocalState | undefined;
  readonly #labelFile: string;
  #labels: Record<string, string> | undefined;

  constructor(model: Model) {
    this.#model = model;
    this.#store = unitStateFor(model.context.charmDir, model.backend);
    this.#labelFile = `secret-labels.${unitFileTag(model.context.unitName)}.json`;
  }

  /**
   * Read a secret as a consumer. `label` binds this unit's label on first sight (never rebinding: on a
   * label conflict the read falls back to the URI alone). Cached per (secret, mode).
   */
  read(uri: string, options: { label?: string; mode?: SecretReadMode } = {}): SecretRead {
    uri = secretIdArg(uri);
    const mode = options.mode ?? "refresh";
    const key = `${xidOf(uri)}|${mode}`;
    const owned = this.#owned.get(xidOf(uri));
    if (owned) return { ok: true, content: owned };
    const cached = this.#cache.get(key);
    if (cached) return { ok: true, content: cached };
    const unreadable = this.#unreadable.get(key);
    if (unreadable) return { ok: false, reason: unreadable };
    const backend = this.#model.backend;
    const flags = {
      id: uri,
      ...(mode === "peek" ? { peek: true } : mode === "refresh" ? { refresh: true } : {}),
    };
    try {
      let content: Record<string, string>;
      const label = options.label;
      if (label && !this.#labelsBound.has(label)) {
        try {
          content = backend.secretGet({ ...flags, label });
          this.#labelsBound.add(label);
        } catch (e) {
          if (!(e instanceof SecretLabelConflictError)) throw e;
          content = backend.secretGet(flags);
        }
      } else {
        content = backend.secretGet(flags);
      }
      this.#cache.set(key, content);
      if (mode === "refresh") this.#cache.set(`${xidOf(uri)}|tracked`, content);
      return { ok: true, content };
    } catch (e) {
      const reason = e instanceof SecretNotFoundError ? "not-found" : "permission-denied";
      if (!(e instanceof SecretNotFoundError || e instanceof PermissionDeniedError)) throw e;
      this.#unreadable.set(key, reason);
      return { ok: false, reason };
    }
  }

  /** Read a secret this app (leader) or unit owns: plain `secret-get <uri>`. */
  readOwned(uri: string): Readonly<Record<string, string>> | undefined {
    uri = secretIdArg(uri);
    const xid = xidOf(uri);
    const owned = this.#owned.get(xid);
    if (owned) return owned;
    try {
      const content = this.#model.backend.secretGet({ id: uri });
      this.#owned.set(xid, content);
      return content;
    } catch (e) {
      if (e instanceof SecretNotFoundError) return undefined;
      throw e;
    }
  }

  /** Create a secret; app-owned secrets need the leader. Returns the URI as Juju printed it. */
  add(content: Readonly<Record<string, string>>, options: SecretAddOptions = {}): string {
    if ((options.owner ?? "application") === "application") this.#model.requireLeader("secret-add");
    const uri = this.#model.backend.secretAdd(content, options);
    this.#owned.set(xidOf(uri), { ...content });
    if (options.label) {
      this.#infoByLabel.delete(options.label);
      this.#remember(xidOf(uri), options.label);
    }
    this.#ids = undefined;
    return uri;
  }

  /**
   * Replace an owned secret's content, only if it differs (never mint a revision for nothing).
   * Returns whether a `secret-set` was made.
   */
  update(
    uri: string,
    content: Readonly<Record<string, string>>,
    options: { appOwned?: boolean } = {},
  ): boolean {
    uri = secretIdArg(uri);
    if (options.appOwned ?? true) this.#model.requireLeader("secret-set");
    const current = this.readOwned(uri);
    if (current && sameContent(current, content)) return false;
    this.#model.backend.secretSet(uri, { content });
    this.#owned.set(xidOf(uri), { ...content });
    return true;
  }

  grant(uri: string, relation: RelationRef, unit?: string): void {
    this.#model.requireLeader("secret-grant");
    this.#model.backend.secretGrant(secretIdArg(uri), relation, unit);
  }

  revoke(uri: string, relation: RelationRef, unit?: string): void {
    this.#model.requireLeader("secret-revoke");
    this.#model.backend.secretRevoke(secretIdArg(uri), relation, unit);
  }

  remove(uri: string, options: { revision?: number; appOwned?: boolean } = {}): void {
    uri = secretIdArg(uri);
    if (options.appOwned ?? true) this.#model.requireLeader("secret-remove");
    this.#model.backend.secretRemove(uri, options.revision);
    if (options.revision === undefined) {
      const xid = xidOf(uri);
      this.#owned.delete(xid);
      this.#ids = this.#ids?.filter((id) => id !== xid);
      this.#infoById.set(xid, null);
      this.#remember(xid, undefined);
    }
  }

  /** The xids this unit owns (and its app's, when leader): `secret-ids`, once per hook. */
  ownedIds(): readonly string[] {
    this.#ids ??= this.#model.backend.secretIds();
    return this.#ids;
  }

  /** Owner metadata by xid, or undefined when it is gone or not ours to see. Cached. */
  infoById(xid: string): SecretInfo | undefined {
    if (!this.#infoById.has(xid)) {
      try {
        this.#infoById.set(xid, this.#model.backend.secretInfoGet({ id: xid }));
      } catch (e) {
        const gone = e instanceof SecretNotFoundError || e instanceof PermissionDeniedError;
        if (!gone) throw e;
        this.#infoById.set(xid, null);
      }
    }
    return this.#infoById.get(xid) ?? undefined;
  }

  /**
   * The owner label of a secret this unit (or its app) owns, or undefined when it has none, is gone or
   * is not ours. Juju never relabels a secret unless its owner asks, and this library never does, so
   * a label seen once (at `secret-add`, or from one `secret-info-get`) is kept in unit-local state:
   * `secret-ids` stays the truth for which secrets exist, the labels cost no call per secret per hook.
   */
  labelOf(xid: string): string | undefined {
    const known = this.#loadLabels();
    if (Object.hasOwn(known, xid)) return known[xid];
    const label = this.infoById(xid)?.label;
    if (label) this.#remember(xid, label);
    return label;
  }

  #loadLabels(): Record<string, string> {
    if (this.#labels === undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(this.#store?.read(this.#labelFile) ?? "{}");
      } catch {
        parsed = undefined; // a torn or foreign file: start over, the labels are asked again
      }
      const labels: Record<string, string> = Object.create(null);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") labels[k] = v;
      this.#labels = labels;
    }
    return this.#labels;
  }

  #remember(xid: string, label: string | undefined): void {
    if (!this.#store) return;
    const labels = this.#loadLabels();
    if (labels[xid] === label) return;
    if (label === undefined) delete labels[xid];
    else labels[xid] = label;
    try {
      this.#store.write(this.#labelFile, JSON.stringify(labels));
    } catch {
      // An unwritable charm dir: the labels are asked again next time, never remembered wrongly.
    }
  }

  /** Owner metadata by label, or undefined when this unit/app owns no such secret. Cached. */
  infoByLabel(label: string): SecretInfo | undefined {
    if (!this.#infoByLabel.has(label)) {
      try {
        this.#infoByLabel.set(label, this.#model.backend.secretInfoGet({ label }));
      } catch (e) {
        if (e instanceof SecretNotFoundError) this.#infoByLabel.set(label, null);
        else throw e;
      }
    }
    return this.#infoByLabel.get(label) ?? undefined;
  }

  /** Forget a label lookup (after the secret was removed). */
  forgetLabel(label: string): void {
    this.#infoByLabel.set(label, null);
  }
}

function sameContent(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => a[k] === b[k]);
}
