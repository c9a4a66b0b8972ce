/**
 * `downloadPlugin`: fetch a requirer's connector plugin tarball for a provider charm, safely.
 *
 * kafka-connect-operator streams `plugin-url` with `requests.get(url, stream=True)` straight into a
 * file: no status check (a 404 page becomes "the plugin"), no timeout, no size limit, any scheme
 * `requests` knows, and a half-written file on failure. This helper:
 * - accepts only http:// and https:// (redirects included, at most `maxRedirects`);
 * - fails on any status but 200, with the status in the error;
 * - streams to a temporary file next to the destination, counting bytes: a `Content-Length` above
 *   `maxBytes` is refused before the body, and a body that grows past it is cut off;
 * - gives up after `timeoutMs` for the whole transfer and check (connect, headers, body);
 * - checks the result is a tarball: plain tar (header checksum, 512-byte blocks) or gzip-compressed
 *   tar (fully decompressed to check integrity, within `maxUncompressedBytes`); bzip2, xz and zstd
 *   tarballs are recognised by their magic number only (Node cannot decompress them);
 * - renames the file into place only when everything passed, and removes the temporary file on every
 *   failure: the destination is either the complete, checked tarball or untouched.
 * Errors are `PluginDownloadError`s with a `code`; their messages name the URL without credentials
 * or query string.
 */

import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { basename, dirname, join } from "node:path";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { CharmRelationsError } from "@charm-relations/juju-secrets-core";
import { NOT_REQUIRED } from "./schema.js";

export type PluginDownloadErrorCode =
  /** The requirer sent `NOT-REQUIRED`: there is nothing to download. */
  | "not-required"
  /** Not a URL, or not http(s) (also for a redirect to another scheme). */
  | "invalid-url"
  | "http-status"
  | "too-many-redirects"
  /** `Content-Length` or the body exceeded `maxBytes` (or the tar inside exceeded `maxUncompressedBytes`). */
  | "too-large"
  | "timeout"
  | "aborted"
  /** DNS, connection refused, reset, TLS failure … */
  | "network"
  /** The body is not a tarball (HTML page, zip/JAR, truncated gzip, bad tar header …). */
  | "not-a-tarball"
  /** Could not write the destination (permissions, disk full …). */
  | "file-system";

/** A plugin download failed; nothing was left at the destination. */
export class PluginDownloadError extends CharmRelationsError {
  override name = "PluginDownloadError";
  readonly code: PluginDownloadErrorCode;
  /** The URL without credentials, query or fragment (safe to log). */
  readonly url: string;
  /** `http-status`: the status the server answered. */
  readonly status?: number;
  constructor(
    code: PluginDownloadErrorCode,
    url: string,
    detail: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(
      `plugin download from ${url} failed: ${detail}`,
      options.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.code = code;
    this.url = url;
    if (options.status !== undefined) this.status = options.status;
  }
}

export type PluginFormat = "tar" | "tar+gzip" | "tar+bzip2" | "tar+xz" | "tar+zstd";

export interface DownloadedPlugin {
  /** The destination path, now holding the complete tarball. */
  readonly path: string;
  readonly bytes: number;
  /** Hex SHA-256 of the file (kafka-connect-operator names plugin folders by it). */
  readonly sha256: string;
  readonly format: PluginFormat;
}

export interface DownloadPluginOptions {
  /** Where the tarball goes. Parent folders are created. An existing file is replaced atomically on success. */
  readonly destination: string;
  /** Largest accepted download, in bytes. Default 256 MiB. */
  readonly maxBytes?: number;
  /** Largest accepted tar inside a gzip file, in bytes. Default 16 × `maxBytes` (a gzip bomb guard). */
  readonly maxUncompressedBytes?: number;
  /** Deadline for the whole download and check, in ms. Default 120 000. */
  readonly timeoutMs?: number;
  /** Redirects to follow (http(s) only). Default 5. */
  readonly maxRedirects?: number;
  /** Extra PEM CA(s) to trust for https (e.g. the requirer's own CA). */
  readonly ca?: string;
  /** Mode of the written file. Default 0o640. */
  readonly fileMode?: number;
  /** Abort from outside (e.g. the hook is being shut down). */
  readonly signal?: AbortSignal;
}

const MiB = 1024 * 1024;
export const DEFAULT_PLUGIN_MAX_BYTES = 256 * MiB;
export const DEFAULT_PLUGIN_TIMEOUT_MS = 120_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** `scheme://host[:port]/path` — no user info, query or fragment (they may carry tokens). */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Download and check a connector plugin tarball; see the module comment for the guarantees. */
export async function downloadPlugin(url: string, options: DownloadPluginOptions): Promise<DownloadedPlugin> {
  const shown = redactUrl(url);
  if (url === NOT_REQUIRED) {
    throw new PluginDownloadError(
      "not-required",
      NOT_REQUIRED,
      "the requirer needs no plugin (NOT-REQUIRED)",
    );
  }
  const first = parseHttpUrl(url, shown);
  const maxBytes = positive(options.maxBytes, DEFAULT_PLUGIN_MAX_BYTES, "maxBytes");
  const maxUncompressed = positive(options.maxUncompressedBytes, maxBytes * 16, "maxUncompressedBytes");
  const timeoutMs = positive(options.timeoutMs, DEFAULT_PLUGIN_TIMEOUT_MS, "timeoutMs");
  const maxRedirects = options.maxRedirects ?? 5;

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();

  const destination = options.destination;
  const temp = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString("hex")}.part`);
  let tempCreated = false;
  try {
    try {
      await mkdir(dirname(destination), { recursive: true });
    } catch (e) {
      throw new PluginDownloadError(
        "file-system",
        shown,
        `cannot create ${dirname(destination)}: ${fsReason(e)}`,
        { cause: e },
      );
    }
    const response = await fetchFollowing(first, shown, maxRedirects, controller.signal, options.ca);
    const declared = Number(response.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.destroy();
      throw new PluginDownloadError(
        "too-large",
        shown,
        `Content-Length ${declared} exceeds the limit of ${maxBytes} bytes`,
      );
    }
    const hash = createHash("sha256");
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          done(new PluginDownloadError("too-large", shown, `body exceeds the limit of ${maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    tempCreated = true;
    const file = createWriteStream(temp, { flags: "wx", mode: options.fileMode ?? 0o640 });
    await pipeline(response, counter, file, { signal: controller.signal });
    // Durable before it becomes visible under its final name.
    const handle = await open(temp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const format = await checkTarball(temp, bytes, shown, maxUncompressed, controller.signal);
    await rename(temp, destination);
    tempCreated = false;
    return { path: destination, bytes, sha256: hash.digest("hex"), format };
  } catch (e) {
    throw classify(e, shown, { timedOut, timeoutMs, aborted: options.signal?.aborted === true });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
    if (tempCreated) await unlink(temp).catch(() => undefined);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`downloadPlugin: ${name} must be a positive number`);
  return value;
}

function parseHttpUrl(raw: string, shown: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PluginDownloadError("invalid-url", shown, "not a valid URL");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new PluginDownloadError(
      "invalid-url",
      redactUrl(raw),
      `unsupported scheme "${u.protocol.replace(/:$/, "")}" (only http and https)`,
    );
  }
  if (u.hostname === "") throw new PluginDownloadError("invalid-url", shown, "the URL has no host");
  return u;
}

/** GET with redirects followed by hand, so every hop is checked for its scheme. */
async function fetchFollowing(
  start: URL,
  shown: string,
  maxRedirects: number,
  signal: AbortSignal,
  ca: string | undefined,
): Promise<IncomingMessage> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const response = await get(url, signal, ca);
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      response.resume();
      const location = response.headers.location;
      if (!location)
        throw new PluginDownloadError("http-status", shown, `HTTP ${status} without a Location header`, {
          status,
        });
      if (hop >= maxRedirects)
        throw new PluginDownloadError("too-many-redirects", shown, `more than ${maxRedirects} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new PluginDownloadError("invalid-url", shown, "redirected to an invalid URL");
      }
      url = parseHttpUrl(next.href, shown);
      continue;
    }
    if (status !== 200) {
      response.resume();
      const text = response.statusMessage ? ` ${response.statusMessage}` : "";
      throw new PluginDownloadError("http-status", shown, `the server answered HTTP ${status}${text}`, {
        status,
      });
    }
    return response;
  }
}

function get(url: URL, signal: AbortSignal, ca: string | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = {
      signal,
      headers: { accept: "application/gzip, application/x-tar, application/octet-stream, */*" },
      ...(ca !== undefined && url.protocol === "https:" ? { ca } : {}),
    };
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, options, resolve);
    req.on("error", reject);
    req.end();
  });
}

/** Map whatever went wrong to a `PluginDownloadError`. */
function classify(
  e: unknown,
  shown: string,
  state: { timedOut: boolean; timeoutMs: number; aborted: boolean },
): PluginDownloadError {
  if (state.timedOut)
    return new PluginDownloadError("timeout", shown, `no complete download within ${state.timeoutMs} ms`, {
      cause: e,
    });
  if (e instanceof PluginDownloadError) return e;
  if (state.aborted) return new PluginDownloadError("aborted", shown, "aborted by the caller", { cause: e });
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && FS_CODES.has(code))
    return new PluginDownloadError("file-system", shown, `cannot write the plugin: ${fsReason(e)}`, {
      cause: e,
    });
  return new PluginDownloadError("network", shown, networkReason(e), { cause: e });
}

const FS_CODES = new Set([
  "EACCES",
  "EPERM",
  "ENOSPC",
  "EROFS",
  "EEXIST",
  "EISDIR",
  "ENOTDIR",
  "EDQUOT",
  "EMFILE",
]);

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ? `${err.code}` : "I/O error";
}

function networkReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ECONNREFUSED") return "connection refused";
  if (err?.code === "ENOTFOUND" || err?.code === "EAI_AGAIN") return "host not found";
  if (err?.code === "ECONNRESET") return "connection reset";
  if (err?.code) return `network error ${err.code}`;
  return err?.message ? `network error: ${err.message}` : "network error";
}

// ---------------------------------------------------------------------------------------------
// Tarball check

const BLOCK = 512;

/** Identify and check the downloaded file; throws `not-a-tarball` (or `too-large`) with the reason. */
async function checkTarball(
  path: string,
  size: number,
  shown: string,
  maxUncompressed: number,
  signal: AbortSignal,
): Promise<PluginFormat> {
  const head = await readHead(path, BLOCK);
  const fail = (why: string) => new PluginDownloadError("not-a-tarball", shown, why);
  if (size === 0) throw fail("the body is empty");
  if (head[0] === 0x1f && head[1] === 0x8b) {
    await checkGzipTar(path, shown, maxUncompressed, signal);
    return "tar+gzip";
  }
  if (head.subarray(0, 3).toString("latin1") === "BZh" && head[3]! >= 0x31 && head[3]! <= 0x39)
    return "tar+bzip2";
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return "tar+xz";
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return "tar+zstd";
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw fail("it is a zip/JAR archive; Kafka Connect plugins must be served as one tarball");
  }
  const problem = tarHeaderProblem(head);
  // The usual culprit: an error page or a directory listing served with 200.
  if (problem)
    throw fail(looksLikeText(head) ? "the body is text or HTML (an error page?), not a tarball" : problem);
  if (size % BLOCK !== 0)
    throw fail(`a tar file is a whole number of 512-byte blocks; got ${size} bytes (truncated?)`);
  return "tar";
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Decompress the whole file (integrity), check the first tar header and the block structure. */
async function checkGzipTar(
  path: string,
  shown: string,
  maxUncompressed: number,
  signal: AbortSignal,
): Promise<void> {
  let total = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > maxUncompressed) {
        done(
          new PluginDownloadError(
            "too-large",
            shown,
            `the tar inside the gzip file exceeds ${maxUncompressed} bytes`,
          ),
        );
        return;
      }
      if (headBytes < BLOCK) {
        head.push(chunk.subarray(0, BLOCK - headBytes));
        headBytes += Math.min(chunk.length, BLOCK - headBytes);
      }
      done();
    },
  });
  try {
    await pipeline(createReadStream(path), createGunzip(), sink, { signal });
  } catch (e) {
    if (e instanceof PluginDownloadError || signal.aborted) throw e;
    throw new PluginDownloadError("not-a-tarball", shown, "the gzip data is corrupt or truncated", {
      cause: e,
    });
  }
  const problem = tarHeaderProblem(Buffer.concat(head));
  if (problem) throw new PluginDownloadError("not-a-tarball", shown, `gzip file, but ${problem}`);
  if (total % BLOCK !== 0) {
    throw new PluginDownloadError(
      "not-a-tarball",
      shown,
      `gzip file, but its content is not a whole number of 512-byte tar blocks (${total} bytes)`,
    );
  }
}

/**
 * Why the first 512-byte block is not a tar header (POSIX ustar, GNU or v7), or undefined. The header
 * checksum covers every format; an all-zero first block is an empty archive.
 */
export function tarHeaderProblem(block: Buffer): string | undefined {
  if (block.length < BLOCK) return "it is too short to be a tar archive";
  if (block.every((b) => b === 0)) return "it is an empty tar archive";
  // The checksum field ends in NULs and spaces (trimmed without a `/[\0 ]+$/` search).
  const raw = block.subarray(148, 156).toString("latin1");
  let end = raw.length;
  while (end > 0 && (raw[end - 1] === "\0" || raw[end - 1] === " ")) end--;
  const field = raw.slice(0, end).trim();
  if (!/^[0-7]{1,7}$/.test(field)) return "it has no valid tar header";
  const stored = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) return "its tar header checksum does not match";
  return undefined;
}

function looksLikeText(head: Buffer): boolean {
  const sample = head.subarray(0, 64);
  return (
    sample.length > 0 &&
    sample.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))
  );
}
