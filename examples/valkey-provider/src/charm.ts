/**
 * Example Valkey charm serving `valkey_client` the way valkey-operator does:
 *
 * - every new request (v1 clients may send several per relation; v0 `DatabaseRequires` clients one)
 *   gets an ACL user `relation-<id>-<request-id>` (v1) / `relation-<id>` (v0) with a random password,
 *   limited to the requested key pattern; credentials, endpoints, sentinel endpoints, mode, version
 *   and TLS are published in the same hook;
 * - withdrawn requests and broken relations delete their users;
 * - configuration changes (endpoints, TLS, version) are re-published to every answered request;
 * - the `rotate-passwords` action gives every user a new password (clients get secret-changed).
 *
 * It does not run Valkey: the leader renders the ACL file `<data-dir>/users.acl` (mode 0600, password
 * hashes only) that a real charm would load with `ACL LOAD`. A production charm shares users with its
 * other units through a peer relation, as valkey-operator does.
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ValkeyProvider,
  type ValkeyRequest,
  type ValkeyResponseInput,
  valkeyAclFile,
} from "@charm-relations/interface-valkey-client";
import {
  type Charm,
  ProtocolEncodeError,
  type RelationRef,
  runCharmIfMain,
} from "@charm-relations/juju-secrets-core";

export const ACL_FILE = "users.acl";

const newPassword = (): string => randomBytes(16).toString("hex");

export function setup(charm: Charm): void {
  const model = charm.model;
  const config = () => model.config();
  const dataDir = (): string => {
    const v = config()["data-dir"];
    return typeof v === "string" && v !== "" ? v : "/var/lib/valkey";
  };
  // A unit being removed still gets relation-broken for relations that live on (LP#1979811): the
  // provider keeps their secrets and says `departing` in `gone`, so no user is deleted either.
  const valkey = new ValkeyProvider(charm, { endpoint: "valkey-client" });
  let configError: string | undefined;

  /** What every request gets, from config; undefined (and a blocked status) when config is invalid. */
  const shared = (): Omit<ValkeyResponseInput, "username" | "password"> => {
    const cfg = config();
    const list = (key: string, fallback: string): string[] =>
      String(cfg[key] || fallback)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const tls = cfg.tls === true;
    const ca = typeof cfg["tls-ca"] === "string" ? cfg["tls-ca"] : "";
    const port = tls ? 6380 : 6379;
    const sentinelPort = tls ? 26380 : 26379;
    return {
      endpoints: list("endpoints", `localhost:${port}`),
      readOnlyEndpoints: list("read-only-endpoints", `localhost:${port}`),
      sentinelEndpoints: list("sentinel-endpoints", `localhost:${sentinelPort}`),
      mode: "sentinel",
      version: String(cfg["valkey-version"] || "9.0.1"),
      tls,
      ...(tls && ca !== "" ? { tlsCa: ca } : {}),
    };
  };

  /**
   * The leader's ACL file: one user per answered request (password hashes only). With `relation`,
   * only that relation's users are rewritten and the file keeps the others' rules: a relation's hook
   * then lists no other relation (no `relation-ids`, no other bags); `relation-<id>` / `relation-<id>-…`
   * names tell whose a rule is. Without, it is rebuilt from every answered request.
   */
  const renderAcl = (relation?: RelationRef): void => {
    if (!model.isLeader()) return;
    const users = valkey.answeredRequests(relation).flatMap((r) => {
      const creds = valkey.credentials(r);
      return creds ? [{ ...creds, resource: r.resource }] : [];
    });
    const file = join(dataDir(), ACL_FILE);
    const old = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    const ofRelation = (name: string) =>
      relation !== undefined &&
      (name === `relation-${relation.id}` || name.startsWith(`relation-${relation.id}-`));
    const kept = relation === undefined ? [] : keptRules(old, ofRelation);
    const content = withRules(valkeyAclFile(users), kept);
    if (old === content) return;
    mkdirSync(dataDir(), { recursive: true });
    writeFileSync(file, content, { mode: 0o600 });
    model.log("INFO", "ACL file rewritten; a real charm runs ACL LOAD now");
  };

  const answer = (request: ValkeyRequest): void => {
    try {
      valkey.publish(request, { username: request.username, password: newPassword(), ...shared() });
    } catch (e) {
      if (!(e instanceof ProtocolEncodeError)) throw e;
      configError = e.message;
      return;
    }
    model.log(
      "INFO",
      `created ACL user ${request.username} for key pattern ${request.resource} (${request.contract})`,
    );
  };

  valkey.on("resourcesRequested", ({ relation, requests }) => {
    for (const request of requests) answer(request);
    renderAcl(relation);
  });
  valkey.on("requestRemoved", ({ request }) => {
    model.log("INFO", `deleted ACL user ${request.username}: request for ${request.resource} withdrawn`);
    renderAcl(request.relation);
  });
  valkey.on("gone", ({ relation, departing }) => {
    if (departing) return;
    // The broken relation no longer lists its requests: its users leave the ACL file.
    model.log("INFO", `deleting the ACL users of relation ${relation.id} (relation-${relation.id}*)`);
    renderAcl(relation);
  });
  valkey.on("invalid", ({ error }) => model.log("WARNING", `ignoring a request: ${error.message}`));

  charm.on("configChanged", () => {
    if (!model.isLeader()) return;
    try {
      valkey.publishAll(shared());
    } catch (e) {
      if (!(e instanceof ProtocolEncodeError)) throw e;
      configError = e.message;
    }
  });
  charm.on("leaderElected", () => renderAcl());
  charm.on(
    "action",
    () => {
      for (const request of valkey.answeredRequests()) valkey.publish(request, { password: newPassword() });
      renderAcl();
      model.log("INFO", "rotated every client password");
    },
    { action: "rotate-passwords" },
  );

  // End of every hook: the highest status wins; one status-set, none when it did not change.
  charm.on("collectStatus", (e) => {
    if (configError) {
      e.add("blocked", `invalid config: ${configError}`);
    } else if (!model.isLeader()) {
      e.add("active", "");
    } else {
      // Constant: a count of users would cost relation-ids and a status-set in every hook that adds one.
      e.add("active", "serving valkey clients");
    }
  });
}

/** The `user …` rules of an ACL file whose user name `drop` does not claim. */
function keptRules(file: string | undefined, drop: (name: string) => boolean): string[] {
  return (file ?? "")
    .split("\n")
    .filter((line) => line.startsWith("user ") && !line.startsWith("user default "))
    .filter((line) => !drop(line.split(" ")[1] ?? ""));
}

/** An ACL file with more rules, in the order `valkeyAclFile` writes them (sorted by user name). */
function withRules(file: string, more: readonly string[]): string {
  if (more.length === 0) return file;
  const [head, ...rules] = file.split("\n").filter((l) => l !== "");
  const name = (l: string) => l.split(" ")[1] ?? "";
  const sorted = [...rules, ...more].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return `${[head, ...sorted].join("\n")}\n`;
}

void runCharmIfMain(import.meta.url, setup);
