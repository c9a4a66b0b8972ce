import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { ProtocolEncodeError } from "@charm-relations/juju-secrets-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectIntegration, reachableRestTarget, restTarget, tcpProbe } from "../src/index.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

function integration(endpoints: string[], extra: Partial<ConnectIntegration> = {}): ConnectIntegration {
  return {
    relation: { endpoint: "connect-client", id: 4 },
    remoteApp: "kafka-connect",
    contract: "v0",
    pluginUrl: null,
    endpoints,
    username: "relation-4",
    password: "s3cret",
    tls: false,
    tlsCa: null,
    ...extra,
  };
}

let open: Server;
let openPort = 0;
let closedPort = 0;

beforeAll(async () => {
  open = createServer((s) => s.end());
  await new Promise<void>((r) => open.listen(0, "127.0.0.1", r));
  openPort = (open.address() as AddressInfo).port;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
});
afterAll(() => new Promise<void>((r) => open.close(() => r())));

describe("restTarget", () => {
  it("base URL of the first endpoint and the basic-auth header", () => {
    const t = restTarget(integration(["http://10.1.0.10:8083", "http://10.1.0.11:8083"]));
    expect(t.baseUrl).toBe("http://10.1.0.10:8083");
    expect(t.authorization).toBe(`Basic ${Buffer.from("relation-4:s3cret").toString("base64")}`);
    expect(t.headers).toEqual({
      Authorization: t.authorization,
      Accept: "application/json",
      "Content-Type": "application/json",
    });
    expect(t.ca).toBeNull();
  });

  it("TLS: the CA travels with the target; a trailing slash is dropped", () => {
    const t = restTarget(integration(["https://connect.example:8443/"], { tls: true, tlsCa: PEM }));
    expect(t).toMatchObject({ baseUrl: "https://connect.example:8443", ca: PEM });
  });

  it("no endpoint, or a username basic auth cannot carry → ProtocolEncodeError", () => {
    expect(() => restTarget(integration([]))).toThrow(ProtocolEncodeError);
    expect(() => restTarget(integration(["http://a:1"], { username: "a:b" }))).toThrow(/username/);
  });
});

describe("reachableRestTarget", () => {
  it("skips an endpoint that refuses connections and takes the first reachable one, in published order", async () => {
    const i = integration([
      `http://127.0.0.1:${closedPort}`,
      `http://127.0.0.1:${openPort}`,
      `http://localhost:${openPort}`,
    ]);
    const t = await reachableRestTarget(i, { timeoutMs: 1000 });
    expect(t?.baseUrl).toBe(`http://127.0.0.1:${openPort}`);
  });

  it("none reachable → undefined", async () => {
    expect(
      await reachableRestTarget(integration([`http://127.0.0.1:${closedPort}`]), { timeoutMs: 500 }),
    ).toBeUndefined();
  });

  it("a custom probe decides (errors count as unreachable)", async () => {
    const seen: string[] = [];
    const t = await reachableRestTarget(integration(["http://a:1", "http://b:1", "http://c:1"]), {
      probe: async (e) => {
        seen.push(e);
        if (e === "http://a:1") throw new Error("boom");
        return e !== "http://b:1";
      },
    });
    expect(seen).toEqual(["http://a:1", "http://b:1", "http://c:1"]);
    expect(t?.endpoint).toBe("http://c:1");
  });

  it("tcpProbe: true for a listener, false for a closed port and a bad URL", async () => {
    expect(await tcpProbe(`http://127.0.0.1:${openPort}`, 1000)).toBe(true);
    expect(await tcpProbe(`http://127.0.0.1:${closedPort}`, 1000)).toBe(false);
    expect(await tcpProbe("not a url", 1000)).toBe(false);
  });
});
