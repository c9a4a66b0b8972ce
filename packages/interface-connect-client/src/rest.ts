/**
 * From an integration to a Kafka Connect REST call: the base URL and the basic-auth header, for the
 * first endpoint (kafkacl posts its connector to the first one) or the first one that accepts a TCP
 * connection. No HTTP client is imposed: use `fetch`, `node:https` (with `ca`) or anything else.
 */

import { connect } from "node:net";
import { ProtocolEncodeError } from "@charm-relations/juju-secrets-core";
import { trimTrailing } from "@charm-relations/juju-secrets-core/protocol";
import type { ConnectIntegration } from "./definition.js";

export interface ConnectRestTarget {
  /** The endpoint chosen, as published. */
  readonly endpoint: string;
  /** `http(s)://host:port`, no trailing slash: append `/connectors`, `/connector-plugins` … */
  readonly baseUrl: string;
  /** `Basic <base64(username:password)>`. A credential: never log it. */
  readonly authorization: string;
  /** Headers for JSON calls: Authorization, Accept and Content-Type. */
  readonly headers: Readonly<Record<string, string>>;
  /** PEM to trust for https endpoints (null: TLS off or no CA published). */
  readonly ca: string | null;
}

/** The REST target for one endpoint of an integration (default: the first, as kafkacl does). */
export function restTarget(
  integration: ConnectIntegration,
  endpoint: string | undefined = integration.endpoints[0],
): ConnectRestTarget {
  if (endpoint === undefined)
    throw new ProtocolEncodeError("endpoints", "the integration has no REST endpoint");
  // RFC 7617: the user-id of basic auth cannot contain a colon.
  if (integration.username.includes(":"))
    throw new ProtocolEncodeError("username", "must not contain ':' for basic auth");
  const url = new URL(endpoint);
  const baseUrl = `${url.protocol}//${url.host}${trimTrailing(url.pathname, "/")}`;
  const authorization = `Basic ${Buffer.from(`${integration.username}:${integration.password}`, "utf8").toString("base64")}`;
  return {
    endpoint,
    baseUrl,
    authorization,
    headers: { Authorization: authorization, Accept: "application/json", "Content-Type": "application/json" },
    ca: integration.tls ? integration.tlsCa : null,
  };
}

export interface ReachableOptions {
  /** Per-endpoint connect timeout in ms (all endpoints are probed at once). Default 2000, kafka-connect-operator's REST timeout. */
  readonly timeoutMs?: number;
  /** Replace the TCP probe (e.g. an authenticated `GET /`). */
  readonly probe?: (endpoint: string, timeoutMs: number) => Promise<boolean>;
}

/**
 * The REST target of the first endpoint, in published order, that is reachable; `undefined` when none
 * is (then wait: workers restart for a while after a new plugin or user).
 */
export async function reachableRestTarget(
  integration: ConnectIntegration,
  options: ReachableOptions = {},
): Promise<ConnectRestTarget | undefined> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const probe = options.probe ?? tcpProbe;
  const results = await Promise.all(integration.endpoints.map((e) => probe(e, timeoutMs).catch(() => false)));
  const index = results.indexOf(true);
  return index < 0 ? undefined : restTarget(integration, integration.endpoints[index]);
}

/** Does `endpoint`'s host accept a TCP connection within `timeoutMs`? */
export function tcpProbe(endpoint: string, timeoutMs: number): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.resolve(false);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on("error", () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
