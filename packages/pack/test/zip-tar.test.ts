import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PackError, writeZip } from "../src/index.js";
import { extractFromTgz } from "../src/tar.js";
import { readZip } from "./helpers.js";

const tmp = () => mkdtempSync(join(tmpdir(), "charm-relations-pack-zip-"));

describe("writeZip", () => {
  it("writes entries a standard reader takes back byte for byte, with Unix modes", async () => {
    const dir = tmp();
    const big = Buffer.from("node runtime bytes ".repeat(50_000));
    const deflatedPath = join(dir, "big.deflate");
    writeFileSync(deflatedPath, deflateRawSync(big));
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)); // incompressible-ish
    const path = join(dir, "x.charm");
    const bytes = await writeZip(
      path,
      [
        { name: "dispatch", mode: 0o755, content: Buffer.from("#!/bin/sh\nexec true\n") },
        { name: "dist/charm.mjs", mode: 0o644, content: Buffer.from("export {};\n".repeat(100)) },
        { name: "data/noise.bin", mode: 0o600, content: noise },
        {
          name: "node/amd64/node",
          mode: 0o755,
          content: {
            path: deflatedPath,
            crc32: crc32(big),
            size: big.length,
            compressedSize: readFileSync(deflatedPath).length,
          },
        },
        { name: "empty", mode: 0o644, content: Buffer.alloc(0) },
      ],
      new Date("2026-12-07T10:11:12Z"),
    );
    expect(bytes).toBe(readFileSync(path).length);
    const entries = await readZip(path);
    expect(entries.map((e) => [e.name, e.mode, e.madeBy])).toEqual([
      ["dispatch", 0o755, 3],
      ["dist/charm.mjs", 0o644, 3],
      ["data/noise.bin", 0o600, 3],
      ["node/amd64/node", 0o755, 3],
      ["empty", 0o644, 3],
    ]);
    expect(entries[3]!.data.equals(big)).toBe(true);
    expect(entries[2]!.data.equals(noise)).toBe(true);
    expect(entries[1]!.data.toString()).toBe("export {};\n".repeat(100));
    expect(readdirSync(dir).sort()).toEqual(["big.deflate", "x.charm"]); // no temporary file left
  });

  it("refuses names that would land outside the charm directory, and leaves no file", async () => {
    const dir = tmp();
    for (const name of ["../evil", "/etc/passwd", "a/../../b"]) {
      await expect(
        writeZip(join(dir, "x.charm"), [{ name, mode: 0o644, content: Buffer.from("x") }], new Date()),
      ).rejects.toThrow(PackError);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses a pre-deflated file whose size is not what was announced", async () => {
    const dir = tmp();
    const file = join(dir, "d");
    writeFileSync(file, deflateRawSync(Buffer.from("abc")));
    const content = { path: file, crc32: crc32("abc"), size: 3, compressedSize: 999 };
    await expect(
      writeZip(join(dir, "x.charm"), [{ name: "n", mode: 0o755, content }], new Date()),
    ).rejects.toThrow(/expected 999/);
    expect(existsSync(join(dir, "x.charm"))).toBe(false);
  });
});

/** A tar archive, block by block (ustar headers with their checksum). */
function tar(entries: { name: string; data?: Buffer; type?: string; prefix?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, "utf8");
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.write(e.type ?? "0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    if (e.prefix) h.write(e.prefix, 345, 155, "utf8");
    h.fill(0x20, 148, 156);
    const sum = h.reduce((a, b) => a + b, 0);
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const pax = (records: Record<string, string>) =>
  Buffer.from(
    Object.entries(records)
      .map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        let len = body.length + 1;
        while (`${len}${body}`.length !== len) len++;
        return `${len}${body}`;
      })
      .join(""),
  );

describe("extractFromTgz", () => {
  it("takes the wanted files out of a gzipped tar: plain, ustar prefix, pax path and GNU long names", async () => {
    const dir = tmp();
    const long = `package/${"x".repeat(120)}/LICENSE`;
    const node = Buffer.alloc(70_000, 7); // spans many blocks and stream chunks
    const tgz = join(dir, "p.tgz");
    writeFileSync(
      tgz,
      gzipSync(
        tar([
          { name: "package/README.md", data: Buffer.from("skip me") },
          { name: "node", prefix: "package/bin", data: node },
          { name: "PaxHeader", type: "x", data: pax({ path: "package/pax-named.txt" }) },
          { name: "short", data: Buffer.from("from pax") },
          { name: "././@LongLink", type: "L", data: Buffer.from(`${long}\0`) },
          { name: "truncated", data: Buffer.from("from long name") },
          { name: "package/empty", data: Buffer.alloc(0) },
        ]),
      ),
    );
    const want = new Map([
      ["package/bin/node", join(dir, "node")],
      ["package/pax-named.txt", join(dir, "pax")],
      [long, join(dir, "long")],
      ["package/empty", join(dir, "empty")],
    ]);
    await extractFromTgz(tgz, want);
    expect(readFileSync(join(dir, "node")).equals(node)).toBe(true);
    expect(readFileSync(join(dir, "pax"), "utf8")).toBe("from pax");
    expect(readFileSync(join(dir, "long"), "utf8")).toBe("from long name");
    expect(readFileSync(join(dir, "empty")).length).toBe(0);
  });

  it("names the files the archive lacks", async () => {
    const dir = tmp();
    const tgz = join(dir, "p.tgz");
    writeFileSync(tgz, gzipSync(tar([{ name: "package/LICENSE", data: Buffer.from("MIT") }])));
    await expect(
      extractFromTgz(
        tgz,
        new Map([
          ["package/bin/node", join(dir, "node")],
          ["package/LICENSE", join(dir, "L")],
        ]),
      ),
    ).rejects.toThrow(/no package\/bin\/node in the archive/);
  });
});
