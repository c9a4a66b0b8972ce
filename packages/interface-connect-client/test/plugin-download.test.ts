/**
 * `downloadPlugin` against a real HTTP server on 127.0.0.1: good tarballs, oversize bodies, stalls,
 * HTTP errors, redirects and bodies that are not tarballs. After every failure the destination must
 * be untouched and no temporary file may remain.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  downloadPlugin,
  NOT_REQUIRED,
  PluginDownloadError,
  redactUrl,
  tarHeaderProblem,
} from "../src/index.js";

/** A ustar archive of regular files (what `tar cf` writes: header, data padded to 512, two zero blocks, 10 KiB records). */
function makeTar(files: Record<string, Buffer | string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, raw] of Object.entries(files)) {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const h = Buffer.alloc(512);
    h.write(name, 0, "utf8");
    h.write("0000644\0", 100);
    h.write("0001750\0", 108);
    h.write("0001750\0", 116);
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write(
      `${Math.floor(Date.UTC(2025, 0, 1) / 1000)
        .toString(8)
        .padStart(11, "0")}\0`,
      136,
    );
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return Buffer.concat([tar, Buffer.alloc((10240 - (tar.length % 10240)) % 10240)]);
}

const JAR = Buffer.from("PK\u0003\u0004 pretend this is a connector jar");
const TAR = makeTar({ "connector/mysql-connector.jar": JAR, "connector/README": "hello" });
const TGZ = gzipSync(TAR);

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
let server: Server;
let base = "";
const sockets = new Set<import("node:net").Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? "");
    if (route) return route(req, res);
    res.writeHead(404, "Not Found", { "content-type": "text/html" }).end("<html><body>404</body></html>");
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set("/plugin.tar.gz", (_req, res) =>
    res.writeHead(200, { "content-type": "application/gzip", "content-length": TGZ.length }).end(TGZ),
  );
  routes.set("/plugin.tar", (_req, res) => res.writeHead(200).end(TAR));
  routes.set("/chunked.tar.gz", (_req, res) => {
    res.writeHead(200, { "content-type": "application/gzip" });
    const half = Math.floor(TGZ.length / 2);
    res.write(TGZ.subarray(0, half));
    setTimeout(() => res.end(TGZ.subarray(half)), 10);
  });
  routes.set("/big-declared", (_req, res) => {
    res.writeHead(200, { "content-length": 5_000_000 });
    res.write(Buffer.alloc(1024));
    // never finishes on purpose: the client must refuse from the header alone
  });
  routes.set("/big-chunked", (_req, res) => {
    res.writeHead(200);
    let sent = 0;
    const tick = () => {
      if (sent >= 5_000_000 || res.destroyed) return res.end();
      res.write(Buffer.alloc(64 * 1024, 1), tick);
      sent += 64 * 1024;
    };
    tick();
  });
  routes.set("/hang", () => undefined);
  routes.set("/stall", (_req, res) => {
    res.writeHead(200, { "content-length": TGZ.length });
    res.write(TGZ.subarray(0, 100));
  });
  routes.set("/index.html", (_req, res) =>
    res
      .writeHead(200, { "content-type": "text/html" })
      .end("<!doctype html><html><body>plugin page</body></html>"),
  );
  routes.set("/plugin.zip", (_req, res) => res.writeHead(200).end(JAR));
  routes.set("/truncated.tar.gz", (_req, res) => res.writeHead(200).end(TGZ.subarray(0, TGZ.length - 20)));
  routes.set("/notar.gz", (_req, res) => res.writeHead(200).end(gzipSync(Buffer.alloc(2048, "x"))));
  routes.set("/empty.tar", (_req, res) => res.writeHead(200).end(Buffer.alloc(10240)));
  routes.set("/short.tar", (_req, res) => res.writeHead(200).end(TAR.subarray(0, 1000)));
  routes.set("/bomb.gz", (_req, res) =>
    res.writeHead(200).end(gzipSync(Buffer.concat([TAR, Buffer.alloc(20 * 1024 * 1024)]))),
  );
  routes.set("/empty", (_req, res) => res.writeHead(200).end());
  routes.set("/redirect", (_req, res) => res.writeHead(302, { location: "/plugin.tar.gz" }).end());
  routes.set("/redirect-ftp", (_req, res) =>
    res.writeHead(301, { location: "ftp://127.0.0.1/plugin.tar.gz" }).end(),
  );
  routes.set("/loop", (_req, res) => res.writeHead(307, { location: "/loop" }).end());
  routes.set("/error", (_req, res) => res.writeHead(500, "Internal Server Error").end("boom"));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let dir: string;
let dest: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "connect-plugin-"));
  dest = join(dir, "plugins", "relation-0.tar.gz");
});

/** Nothing but `expected` in the destination folder (no `.part` leftovers). */
function leftovers(): string[] {
  try {
    return readdirSync(join(dir, "plugins"));
  } catch {
    return [];
  }
}

async function failure(
  url: string,
  options: Partial<Parameters<typeof downloadPlugin>[1]> = {},
): Promise<PluginDownloadError> {
  const error = await downloadPlugin(url, { destination: dest, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginDownloadError);
  return error as PluginDownloadError;
}

describe("good tarballs", () => {
  it("a gzip tarball: complete file, size, sha256, format; parent folders created", async () => {
    const got = await downloadPlugin(`${base}/plugin.tar.gz`, { destination: dest });
    expect(got).toEqual({
      path: dest,
      bytes: TGZ.length,
      sha256: createHash("sha256").update(TGZ).digest("hex"),
      format: "tar+gzip",
    });
    expect(readFileSync(dest)).toEqual(TGZ);
    expect(leftovers()).toEqual(["relation-0.tar.gz"]);
  });

  it("a tar whose first member has a long printable name is still a tar", async () => {
    const name = "connector/confluentinc-kafka-connect-jdbc-10.7.4/lib/kafka-connect-jdbc-10.7.4.jar";
    const long = makeTar({ [name]: JAR });
    routes.set("/long.tar", (_req, res) => res.writeHead(200).end(long));
    expect((await downloadPlugin(`${base}/long.tar`, { destination: dest })).format).toBe("tar");
  });

  it("a plain tar, chunked transfer, and a redirect are fine", async () => {
    expect((await downloadPlugin(`${base}/plugin.tar`, { destination: dest })).format).toBe("tar");
    expect(readFileSync(dest)).toEqual(TAR);
    expect((await downloadPlugin(`${base}/chunked.tar.gz`, { destination: dest })).bytes).toBe(TGZ.length);
    expect((await downloadPlugin(`${base}/redirect`, { destination: dest })).format).toBe("tar+gzip");
    expect(leftovers()).toEqual(["relation-0.tar.gz"]);
  });
});

describe("refused downloads leave nothing behind and keep the old file", () => {
  beforeEach(async () => {
    // A previous good plugin is in place: a failed download must not damage it.
    await downloadPlugin(`${base}/plugin.tar`, { destination: dest });
  });
  const kept = () => {
    expect(readFileSync(dest)).toEqual(TAR);
    expect(leftovers()).toEqual(["relation-0.tar.gz"]);
  };

  it("404 → http-status with the status", async () => {
    const e = await failure(`${base}/missing.tar.gz`);
    expect(e).toMatchObject({ code: "http-status", status: 404 });
    expect(e.message).toBe(
      `plugin download from ${base}/missing.tar.gz failed: the server answered HTTP 404 Not Found`,
    );
    kept();
  });

  it("500 → http-status", async () => {
    expect(await failure(`${base}/error`)).toMatchObject({ code: "http-status", status: 500 });
    kept();
  });

  it("oversize by Content-Length → too-large before the body", async () => {
    const started = Date.now();
    const e = await failure(`${base}/big-declared`, { maxBytes: 1_000_000, timeoutMs: 10_000 });
    expect(e.code).toBe("too-large");
    expect(e.message).toMatch(/Content-Length 5000000 exceeds the limit of 1000000 bytes/);
    expect(Date.now() - started).toBeLessThan(5_000);
    kept();
  });

  it("oversize while streaming (no Content-Length) → too-large, the partial file removed", async () => {
    const e = await failure(`${base}/big-chunked`, { maxBytes: 1_000_000 });
    expect(e.code).toBe("too-large");
    expect(e.message).toMatch(/body exceeds the limit of 1000000 bytes/);
    kept();
  });

  it("no answer at all → timeout", async () => {
    const started = Date.now();
    const e = await failure(`${base}/hang`, { timeoutMs: 300 });
    expect(e.code).toBe("timeout");
    expect(e.message).toMatch(/no complete download within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
    kept();
  });

  it("a body that stalls half-way → timeout, the partial file removed", async () => {
    const e = await failure(`${base}/stall`, { timeoutMs: 300 });
    expect(e.code).toBe("timeout");
    kept();
  });

  it.each([
    ["/index.html", /the body is text or HTML \(an error page\?\), not a tarball/],
    ["/plugin.zip", /zip\/JAR archive/],
    ["/truncated.tar.gz", /gzip data is corrupt or truncated/],
    ["/notar.gz", /gzip file, but it has no valid tar header/],
    ["/empty.tar", /empty tar archive/],
    ["/short.tar", /(too short|whole number of 512-byte blocks)/],
    ["/empty", /the body is empty/],
  ])("%s → not-a-tarball (%s)", async (path, why) => {
    const e = await failure(`${base}${path}`);
    expect(e.code).toBe("not-a-tarball");
    expect(e.message).toMatch(why);
    kept();
  });

  it("a gzip bomb → too-large (maxUncompressedBytes)", async () => {
    const e = await failure(`${base}/bomb.gz`, { maxUncompressedBytes: 1_000_000 });
    expect(e.code).toBe("too-large");
    expect(e.message).toMatch(/the tar inside the gzip file exceeds 1000000 bytes/);
    kept();
  });

  it("only http(s): ftp, file, a redirect to ftp; too many redirects", async () => {
    expect(await failure("ftp://127.0.0.1/plugin.tar.gz")).toMatchObject({ code: "invalid-url" });
    expect((await failure("file:///etc/passwd")).message).toMatch(
      /unsupported scheme "file" \(only http and https\)/,
    );
    expect(await failure("not a url")).toMatchObject({ code: "invalid-url" });
    expect(await failure(`${base}/redirect-ftp`)).toMatchObject({ code: "invalid-url" });
    expect(await failure(`${base}/loop`, { maxRedirects: 3 })).toMatchObject({ code: "too-many-redirects" });
    kept();
  });

  it("NOT-REQUIRED → not-required, nothing fetched", async () => {
    const e = await failure(NOT_REQUIRED);
    expect(e.code).toBe("not-required");
    kept();
  });

  it("connection refused → network", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await failure(`http://127.0.0.1:${port}/plugin.tar.gz`);
    expect(e.code).toBe("network");
    expect(e.message).toMatch(/connection refused/);
    kept();
  });

  it("aborted by the caller → aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const e = await failure(`${base}/hang`, { signal: controller.signal, timeoutMs: 10_000 });
    expect(e.code).toBe("aborted");
    kept();
  });
});

describe("errors and helpers", () => {
  it("messages never show credentials or query strings", async () => {
    const e = await failure(`http://user:s3cret@127.0.0.1:${new URL(base).port}/missing?token=abc123`);
    expect(e.message).not.toMatch(/s3cret|abc123|user/);
    expect(e.url).toBe(`http://127.0.0.1:${new URL(base).port}/missing?…`);
    expect(redactUrl("https://a:b@h:1/p#frag")).toBe("https://h:1/p");
  });

  it("a destination that cannot be written → file-system", async () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "x");
    const e = await failure(`${base}/plugin.tar.gz`, { destination: join(blocker, "sub", "p.tgz") });
    expect(e.code).toBe("file-system");
  });

  it("tarHeaderProblem: checksum, empty and short blocks", () => {
    expect(tarHeaderProblem(TAR.subarray(0, 512))).toBeUndefined();
    const broken = Buffer.from(TAR.subarray(0, 512));
    broken[0] = broken[0]! ^ 0xff;
    expect(tarHeaderProblem(broken)).toMatch(/checksum/);
    expect(tarHeaderProblem(Buffer.alloc(512))).toMatch(/empty/);
    expect(tarHeaderProblem(Buffer.alloc(100))).toMatch(/too short/);
  });

  it("bad options are programming errors", async () => {
    await expect(downloadPlugin(`${base}/plugin.tar`, { destination: dest, maxBytes: 0 })).rejects.toThrow(
      /maxBytes must be a positive number/,
    );
  });
});
