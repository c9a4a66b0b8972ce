/**
 * Throw-away X.509 material for the simulations: etcd_client needs a client certificate whose common
 * name becomes the etcd user, and the legacy etcd interface ships a client key + certificate + CA.
 * Keys are generated fresh for each run (EC P-256) and certificates are built here with a minimal DER
 * encoder, so no private key lives in the source tree and no `openssl` is needed.
 */

import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

// -- DER ---------------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

const seq = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));
/** A BIT STRING with `unused` trailing bits in its last byte. */
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);

function integer(b: Buffer): Buffer {
  // DER integers are signed: a leading 1 bit needs a 0x00 in front to stay positive.
  return tlv(0x02, (b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  // RFC 5280: UTCTime through 2049, GeneralizedTime after.
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

const name = (cn: string): Buffer => seq(set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

// -- certificates ------------------------------------------------------------------------------

export interface DemoCertificate {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM (PKCS#8) private key: test material, never printed. */
  readonly key: string;
  readonly commonName: string;
  /** For signing further certificates (CAs). */
  readonly privateKey: KeyObject;
}

export interface DemoCertificateOptions {
  readonly commonName: string;
  /** Signing CA; omitted: self-signed. */
  readonly issuer?: DemoCertificate;
  /** `ca` (keyCertSign, cRLSign, CA:TRUE), `client` or `server` leaf. */
  readonly usage: "ca" | "client" | "server";
  readonly validDays?: number;
}

/** A fresh EC P-256 key and an X.509 v3 certificate for it. */
export function demoCertificate(options: DemoCertificateOptions): DemoCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const issuerKey = options.issuer?.privateKey ?? privateKey;
  const issuerName = options.issuer?.commonName ?? options.commonName;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const now = Date.now();
  const notBefore = new Date(now - 60 * 60 * 1000);
  const notAfter = new Date(now + (options.validDays ?? 3650) * 24 * 60 * 60 * 1000);
  const ca = options.usage === "ca";
  const extensions = [
    extension(OID.basicConstraints, true, ca ? seq(bool(true)) : seq()),
    // KeyUsage bits: digitalSignature = bit 0 (0x80); keyCertSign = bit 5, cRLSign = bit 6 (0x06, 1 unused).
    extension(OID.keyUsage, true, ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    ...(ca
      ? []
      : [
          extension(
            OID.extKeyUsage,
            false,
            seq(oid(options.usage === "client" ? OID.clientAuth : OID.serverAuth)),
          ),
        ]),
  ];
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    name(issuerName),
    seq(time(notBefore), time(notAfter)),
    name(options.commonName),
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign("sha256", tbs, issuerKey);
  const der = seq(tbs, algorithm, bits(signature));
  return {
    cert: pem("CERTIFICATE", der),
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    commonName: options.commonName,
    privateKey,
  };
}
