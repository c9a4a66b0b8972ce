/**
 * A zip writer for `.charm` files: deflate or store, Unix file modes in the external attributes (what
 * Juju's unzip reads to make `dispatch` and the runtime executable), UTF-8 names, and entries that
 * are already deflated on disk: the Node runtime is compressed once into the cache, then copied into
 * every charm that ships it.
 */

import { createReadStream } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { crc32, deflateRawSync } from "node:zlib";
import { PackError } from "./errors.js";

/** A file deflated beforehand (raw deflate, no zlib header), with what the zip headers need. */
export interface Deflated {
  readonly path: string;
  readonly crc32: number;
  readonly size: number;
  readonly compressedSize: number;
}

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading `/`. */
  readonly name: string;
  /** Permission bits (0o755, 0o644). */
  readonly mode: number;
  readonly content: Buffer | Deflated;
}

const S_IFREG = 0o100000;
const UTF8_NAMES = 0x0800;
const MADE_BY_UNIX = (3 << 8) | 20;
const NEEDED = 20;
const MAX32 = 0xffffffff;

/** MS-DOS time and date (2-second resolution, years 1980–2107), from the UTC fields. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

interface Written {
  readonly name: Buffer;
  readonly mode: number;
  readonly method: number;
  readonly crc: number;
  readonly size: number;
  readonly compressedSize: number;
  readonly offset: number;
}

/**
 * Write `entries` (in the order given) to `path`, through a temporary file renamed at the end so a
 * failed pack never leaves half a charm behind.
 */
export async function writeZip(path: string, entries: readonly ZipEntry[], mtime: Date): Promise<number> {
  const tmp = `${path}.tmp-${process.pid}`;
  const { time, date } = dosDateTime(mtime);
  const written: Written[] = [];
  let offset = 0;
  let file: FileHandle | undefined;
  const put = async (data: Buffer) => {
    await file!.write(data);
    offset += data.length;
  };
  try {
    file = await open(tmp, "w", 0o644);
    for (const entry of entries) {
      if (entry.name.startsWith("/") || entry.name.split("/").includes("..")) {
        throw new PackError(`zip entry "${entry.name}": must be a relative path without ".."`);
      }
      const name = Buffer.from(entry.name, "utf8");
      let method: number;
      let crc: number;
      let size: number;
      let body: Buffer | undefined;
      let compressedSize: number;
      if (Buffer.isBuffer(entry.content)) {
        crc = crc32(entry.content);
        size = entry.content.length;
        const deflated = deflateRawSync(entry.content, { level: 9 });
        [method, body] = deflated.length < size ? [8, deflated] : [0, entry.content];
        compressedSize = body.length;
      } else {
        ({ crc32: crc, size, compressedSize } = entry.content);
        method = 8;
      }
      if (size > MAX32 || compressedSize > MAX32 || offset > MAX32) {
        throw new PackError(`zip entry "${entry.name}": over 4 GiB (zip64 is not written)`);
      }
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(NEEDED, 4);
      local.writeUInt16LE(UTF8_NAMES, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(compressedSize, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      written.push({ name, mode: entry.mode, method, crc, size, compressedSize, offset });
      await put(Buffer.concat([local, name]));
      if (body) await put(body);
      else {
        let copied = 0;
        for await (const chunk of createReadStream(
          (entry.content as Deflated).path,
        ) as AsyncIterable<Buffer>) {
          await put(chunk);
          copied += chunk.length;
        }
        if (copied !== compressedSize) {
          throw new PackError(
            `${(entry.content as Deflated).path}: ${copied} bytes, expected ${compressedSize}`,
          );
        }
      }
    }
    const directoryStart = offset;
    for (const w of written) {
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(MADE_BY_UNIX, 4);
      central.writeUInt16LE(NEEDED, 6);
      central.writeUInt16LE(UTF8_NAMES, 8);
      central.writeUInt16LE(w.method, 10);
      central.writeUInt16LE(time, 12);
      central.writeUInt16LE(date, 14);
      central.writeUInt32LE(w.crc >>> 0, 16);
      central.writeUInt32LE(w.compressedSize, 20);
      central.writeUInt32LE(w.size, 24);
      central.writeUInt16LE(w.name.length, 28);
      // extra length, comment length, disk number, internal attributes: all 0
      central.writeUInt32LE(((S_IFREG | (w.mode & 0o7777)) << 16) >>> 0, 38);
      central.writeUInt32LE(w.offset, 42);
      await put(Buffer.concat([central, w.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(written.length, 8);
    end.writeUInt16LE(written.length, 10);
    end.writeUInt32LE(offset - directoryStart, 12);
    end.writeUInt32LE(directoryStart, 16);
    await put(end);
    await file.close();
    file = undefined;
    await rename(tmp, path);
    return offset;
  } catch (error) {
    await file?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
}
