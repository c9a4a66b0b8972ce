import { createCipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CharmRelationsError, FernetError } from "../src/errors.js";
import { fernetDecrypt, fernetEncrypt, fernetTimestamp, generateFernetKey } from "../src/protocol/fernet.js";

// Vectors from https://github.com/fernet/spec (generate.json, verify.json, invalid.json).
const SECRET = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const NOW = Date.parse("1985-10-26T01:20:00-07:00") / 1000;
const IV = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
const TOKEN =
  "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";

const INVALID: Record<string, { token: string; error: RegExp }> = {
  "incorrect mac": {
    token:
      "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==",
    error: /signature/,
  },
  "too short": { token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==", error: /too short/ },
  "invalid base64": {
    token:
      "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
    error: /base64/,
  },
  "payload size not multiple of block size": {
    token: "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm",
    error: /whole number of blocks/,
  },
  "payload padding error": {
    token:
      "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==",
    error: /padding/,
  },
  "incorrect IV (causes padding error)": {
    token:
      "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==",
    error: /padding/,
  },
};

function decryptError(key: string, token: string): FernetError {
  try {
    fernetDecrypt(key, token);
  } catch (e) {
    expect(e).toBeInstanceOf(FernetError);
    expect(e).toBeInstanceOf(CharmRelationsError);
    return e as FernetError;
  }
  throw new Error("expected fernetDecrypt to throw");
}

describe("Fernet spec vectors", () => {
  it("generate.json: encrypts 'hello' to the recorded token", () => {
    expect(fernetEncrypt(SECRET, "hello", { now: NOW, iv: IV })).toBe(TOKEN);
  });

  it("verify.json: decrypts the recorded token to 'hello'", () => {
    expect(fernetDecrypt(SECRET, TOKEN)).toBe("hello");
    expect(fernetTimestamp(TOKEN)).toBe(NOW);
  });

  for (const [desc, { token, error }] of Object.entries(INVALID)) {
    it(`invalid.json: rejects "${desc}"`, () => {
      const e = decryptError(SECRET, token);
      expect(e.message).toMatch(error);
      expect(e.message).not.toContain(SECRET);
      expect(e.message).not.toContain(token);
    });
  }

  it("invalid.json TTL cases decrypt: like Python's Fernet.decrypt without ttl, there is no expiry or skew check", () => {
    const farFuture =
      "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==";
    const expired =
      "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==";
    // Both carry an empty plaintext (checked against python cryptography 48).
    expect(fernetDecrypt(SECRET, farFuture)).toBe("");
    expect(fernetDecrypt(SECRET, expired)).toBe("");
  });
});

describe("Fernet interop with python cryptography", () => {
  // Produced by cryptography 48: Fernet(SECRET)._encrypt_from_parts(pem.encode(), 1700000000, bytes(range(16))).
  const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUé€😀\n-----END CERTIFICATE-----\n";
  const PEM_TOKEN =
    "gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD4A6WsoE6gEWJ4LAhpR0nDPpfqA05IWYJVwfeC8f2eGgVuxau6xgQMV4iMdcyrS7hUJKMngLlvK1MPLO49LCyL1rg0yEPwMgjJzdiiMXztw3qIzwIr_hOFFrjLv_9lKkWsJF_BhQZzr-shP8Yaukj8LyiKtvPArLynvpq7yrOkBV";
  const EMPTY_TOKEN =
    "gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAlUmnUsx2xOx6ISrCTpvgolfACmYVKg-pj6u5kOEpVrhQ==";
  const BLOCK_TOKEN =
    "gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD1xYxWk-FnTVkOLqDQyotg1f_5l_C34LZuLmvvtMaTZBcznjNmOks-SBNygwy9g1Dso-seNAtu-hD4XTVU0AtAA=";

  it("matches a multi-block UTF-8 plaintext", () => {
    expect(fernetEncrypt(SECRET, PEM, { now: 1_700_000_000, iv: IV })).toBe(PEM_TOKEN);
    expect(fernetDecrypt(SECRET, PEM_TOKEN)).toBe(PEM);
  });

  it("matches an empty plaintext and one of exactly one block (a full padding block)", () => {
    expect(fernetEncrypt(SECRET, "", { now: 1_700_000_000, iv: IV })).toBe(EMPTY_TOKEN);
    expect(fernetEncrypt(SECRET, "0123456789abcdef", { now: 1_700_000_000, iv: IV })).toBe(BLOCK_TOKEN);
    expect(fernetDecrypt(SECRET, BLOCK_TOKEN)).toBe("0123456789abcdef");
  });
});

describe("Fernet keys and round trips", () => {
  it("generates 44-character padded url-safe keys of 32 random bytes", () => {
    const keys = new Set(Array.from({ length: 20 }, generateFernetKey));
    expect(keys.size).toBe(20);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}=$/);
      expect(Buffer.from(key, "base64url")).toHaveLength(32);
    }
  });

  it("round-trips with a random IV and the current time", () => {
    const key = generateFernetKey();
    const before = Math.floor(Date.now() / 1000);
    const a = fernetEncrypt(key, "mtls cert");
    const b = fernetEncrypt(key, "mtls cert");
    expect(a).not.toBe(b);
    expect(a.startsWith("gAAAAA")).toBe(true);
    expect(fernetDecrypt(key, a)).toBe("mtls cert");
    expect(fernetTimestamp(a)).toBeGreaterThanOrEqual(before);
    expect(fernetTimestamp(a)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("accepts a token without padding and surrounding whitespace", () => {
    expect(fernetDecrypt(SECRET, `  ${TOKEN.replace(/=+$/, "")}\n`)).toBe("hello");
  });

  it("rejects a token made with another key, without revealing either key", () => {
    const other = generateFernetKey();
    const e = decryptError(other, TOKEN);
    expect(e.message).toMatch(/signature/);
    expect(e.message).not.toContain(other);
  });

  it("rejects a wrong version byte", () => {
    const raw = Buffer.from(TOKEN, "base64url");
    raw[0] = 0x81;
    expect(decryptError(SECRET, raw.toString("base64url")).message).toMatch(/version/);
  });

  it("rejects any single flipped bit", () => {
    const raw = Buffer.from(TOKEN, "base64url");
    for (const index of [9, 25, 40, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[index]! ^= 1;
      expect(() => fernetDecrypt(SECRET, copy.toString("base64url"))).toThrow(FernetError);
    }
  });

  it("rejects an empty token and a non-string token", () => {
    expect(decryptError(SECRET, "").message).toMatch(/version/);
    expect(() => fernetDecrypt(SECRET, 42 as unknown as string)).toThrow(FernetError);
  });

  it("rejects malformed keys without echoing them", () => {
    for (const key of [
      "",
      "short",
      `${SECRET}A`,
      SECRET.replace("-", "+"),
      Buffer.alloc(16).toString("base64url"),
    ]) {
      try {
        fernetEncrypt(key, "x");
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(FernetError);
        if (key !== "") expect((e as Error).message).not.toContain(key);
      }
      expect(() => fernetDecrypt(key, TOKEN)).toThrow(FernetError);
    }
  });

  it("validates the IV and the timestamp", () => {
    expect(() => fernetEncrypt(SECRET, "x", { iv: Buffer.alloc(8) })).toThrow(/IV/);
    expect(() => fernetEncrypt(SECRET, "x", { now: -1 })).toThrow(/timestamp/);
    expect(() => fernetEncrypt(SECRET, "x", { now: 1.5 })).toThrow(/timestamp/);
  });

  it("reports a plaintext that is not UTF-8", () => {
    // Build a valid token around invalid UTF-8 by hand, signed with the right key.
    const key = Buffer.from(SECRET, "base64url");
    const cipher = createCipheriv("aes-128-cbc", key.subarray(16), IV);
    const ct = Buffer.concat([cipher.update(Buffer.from([0xff, 0xfe])), cipher.final()]);
    const header = Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 1]);
    const signed = Buffer.concat([header, IV, ct]);
    const mac = createHmac("sha256", key.subarray(0, 16)).update(signed).digest();
    const token = Buffer.concat([signed, mac]).toString("base64");
    expect(decryptError(SECRET, token.replace(/\+/g, "-").replace(/\//g, "_")).message).toMatch(/UTF-8/);
  });
});
