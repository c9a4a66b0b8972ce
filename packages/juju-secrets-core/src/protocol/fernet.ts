/**
 * Fernet (the `cryptography` package's format, https://github.com/fernet/spec) with node:crypto,
 * used for the cross-model `mtls-cert` handshake (protocol §7). No TTL: Python decrypts without one.
 * Errors never carry key material or plaintext.
 */

import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { FernetError } from "../errors.js";
import { trimTrailing } from "./codecs.js";

const VERSION = 0x80;
const HEADER_BYTES = 1 + 8 + 16; // version, timestamp, IV
const HMAC_BYTES = 32;
const BLOCK_BYTES = 16;
const URLSAFE_B64_RE = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decode url-safe base64, padded or not; `undefined` when the text is not url-safe base64. */
function decodeUrlsafeBase64(text: string): Buffer | undefined {
  if (typeof text !== "string" || !URLSAFE_B64_RE.test(text)) return undefined;
  const body = trimTrailing(text, "=");
  // A lone trailing character cannot encode a byte; padding, when present, must be complete.
  if (body.length % 4 === 1) return undefined;
  if (body.length !== text.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(body, "base64url");
}

function encodeUrlsafeBase64(bytes: Buffer): string {
  // Python's `urlsafe_b64encode` keeps the `=` padding.
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

function splitKey(key: string): { signing: Buffer; encryption: Buffer } {
  const raw = decodeUrlsafeBase64(key);
  if (raw === undefined || raw.length !== 32) {
    throw new FernetError("Fernet key must be 32 url-safe base64-encoded bytes");
  }
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16, 32) };
}

/** A new key: 32 random bytes, url-safe base64 with padding (44 characters). */
export function generateFernetKey(): string {
  return encodeUrlsafeBase64(randomBytes(32));
}

export interface FernetEncryptOptions {
  /** Seconds since the epoch to stamp into the token (default: now). */
  readonly now?: number;
  /** The 16-byte IV (default: random). Only tests should pass one. */
  readonly iv?: Buffer | Uint8Array;
}

/** Encrypt UTF-8 text into a Fernet token (url-safe base64 with padding). */
export function fernetEncrypt(key: string, plaintext: string, options: FernetEncryptOptions = {}): string {
  const { signing, encryption } = splitKey(key);
  if (typeof plaintext !== "string") throw new FernetError("Fernet plaintext must be a string");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new FernetError("Fernet timestamp must be a non-negative integer number of seconds");
  }
  const iv = options.iv === undefined ? randomBytes(16) : Buffer.from(options.iv);
  if (iv.length !== 16) throw new FernetError("Fernet IV must be 16 bytes");

  const cipher = createCipheriv("aes-128-cbc", encryption, iv); // PKCS7 padding is the default
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const header = Buffer.alloc(9);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(now), 1);
  const signed = Buffer.concat([header, iv, ciphertext]);
  const hmac = createHmac("sha256", signing).update(signed).digest();
  return encodeUrlsafeBase64(Buffer.concat([signed, hmac]));
}

/** Decrypt a Fernet token to UTF-8 text. Checks version, HMAC (constant time), padding; no TTL. */
export function fernetDecrypt(key: string, token: string): string {
  const { signing, encryption } = splitKey(key);
  if (typeof token !== "string") throw new FernetError("Fernet token must be a string");
  const data = decodeUrlsafeBase64(token.trim());
  if (data === undefined) throw new FernetError("Fernet token is not url-safe base64");
  if (data.length === 0 || data[0] !== VERSION)
    throw new FernetError("Fernet token has an unsupported version");
  if (data.length < HEADER_BYTES + HMAC_BYTES) throw new FernetError("Fernet token is too short");

  const signed = data.subarray(0, data.length - HMAC_BYTES);
  const expected = createHmac("sha256", signing).update(signed).digest();
  if (!timingSafeEqual(expected, data.subarray(data.length - HMAC_BYTES))) {
    throw new FernetError("Fernet token signature does not match (wrong key or tampered token)");
  }

  // Checked only after the HMAC, so these failures reveal nothing to a forger.
  const ciphertext = signed.subarray(HEADER_BYTES);
  if (ciphertext.length === 0 || ciphertext.length % BLOCK_BYTES !== 0) {
    throw new FernetError("Fernet ciphertext is not a whole number of blocks");
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-128-cbc", encryption, signed.subarray(9, HEADER_BYTES));
    plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new FernetError("Fernet token padding is invalid");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    throw new FernetError("Fernet plaintext is not valid UTF-8");
  }
}

/** The timestamp (seconds since the epoch) stamped in a token, without verifying it. */
export function fernetTimestamp(token: string): number {
  const data = decodeUrlsafeBase64(token);
  if (data === undefined || data.length < 9 || data[0] !== VERSION) {
    throw new FernetError("not a Fernet token");
  }
  return Number(data.readBigUInt64BE(1));
}
