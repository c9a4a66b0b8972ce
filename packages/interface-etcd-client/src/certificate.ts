/**
 * Client certificate parsing for the etcd_client interface, with node:crypto only.
 *
 * charmed-etcd derives the etcd user from the common name of the FIRST certificate of `mtls-cert`
 * and refuses a leaf that is a CA (BasicConstraints `ca=true`, or KeyUsage keyCertSign / cRLSign):
 * the leaf itself is what goes into the trust store, so a CA there would let everything it signed in.
 * Errors name the field and the certificate's position, never the PEM itself.
 */

import { createHash, X509Certificate } from "node:crypto";
import { CharmRelationsError } from "@charm-relations/juju-secrets-core";
import { pemBlocks } from "@charm-relations/juju-secrets-core/protocol";

export type ClientCertificateProblem = "empty" | "malformed" | "ca-certificate" | "no-common-name";

/** A client certificate cannot be used to derive an etcd user. */
export class ClientCertificateError extends CharmRelationsError {
  override name = "ClientCertificateError";
  readonly reason: ClientCertificateProblem;
  /** Where the certificate came from (`mtls-cert`, `mtlsCert` option, …). */
  readonly field: string;
  constructor(reason: ClientCertificateProblem, field: string, message: string) {
    super(`${field}: ${message}`);
    this.reason = reason;
    this.field = field;
  }
}

/** The text is not a PEM certificate chain node:crypto can parse. */
export class MalformedCertificateError extends ClientCertificateError {
  override name = "MalformedCertificateError";
  /** 0-based position of the offending certificate in the chain (undefined: no PEM block at all). */
  readonly index: number | undefined;
  constructor(field: string, message: string, index?: number, reason: "empty" | "malformed" = "malformed") {
    super(reason, field, message);
    this.index = index;
  }
}

/** The first certificate is a CA: it cannot serve as a client certificate. */
export class CaCertificateError extends ClientCertificateError {
  override name = "CaCertificateError";
  constructor(field: string, detail: string) {
    super(
      "ca-certificate",
      field,
      `the first certificate is a CA certificate (${detail}); a client certificate must come first and must not be a CA`,
    );
  }
}

/** The first certificate has no subject common name, so there is no etcd user to derive. */
export class MissingCommonNameError extends ClientCertificateError {
  override name = "MissingCommonNameError";
  constructor(field: string) {
    super("no-common-name", field, "the first certificate has no subject common name (CN)");
  }
}

/** What the provider needs from a client certificate. */
export interface ClientCertificate {
  /** Subject CN of the first (leaf) certificate: the etcd user name. */
  readonly commonName: string;
  /** The leaf certificate as PEM (what charmed-etcd puts into the trust store). */
  readonly leaf: string;
  /** Every certificate of the chain as PEM, leaf first. */
  readonly chain: readonly string[];
  /** SHA-256 fingerprint of the leaf (`AB:CD:…`), handy to compare trust stores. */
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** The `-----BEGIN CERTIFICATE-----` blocks of a PEM text, in order, each normalised to end with `\n`. */
export function splitPemCertificates(pem: string): string[] {
  return pemBlocks(pem).map((block) => `${block}\n`);
}

/**
 * Parse a client certificate (PEM, possibly a chain with the leaf first). Throws a
 * `ClientCertificateError` subclass: `MalformedCertificateError` (nothing parseable, or a block that
 * is not a certificate), `CaCertificateError` (leaf is a CA), `MissingCommonNameError`.
 */
export function parseClientCertificate(pem: string, options: { field?: string } = {}): ClientCertificate {
  const field = options.field ?? "mtls-cert";
  if (typeof pem !== "string" || pem.trim() === "") {
    throw new MalformedCertificateError(field, "empty certificate", undefined, "empty");
  }
  const blocks = splitPemCertificates(pem);
  if (blocks.length === 0) throw new MalformedCertificateError(field, "no PEM certificate block found");
  const certs = blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new MalformedCertificateError(
        field,
        `certificate #${i + 1} of the chain is not a valid X.509 certificate`,
        i,
      );
    }
  });
  const leaf = certs[0]!;
  const der = Buffer.from(leaf.raw);
  let info: LeafInfo;
  try {
    info = readLeafInfo(der);
  } catch {
    throw new MalformedCertificateError(field, "certificate #1 has an unreadable DER structure", 0);
  }
  if (leaf.ca) throw new CaCertificateError(field, "BasicConstraints ca=true");
  if (info.keyCertSign || info.cRLSign) {
    throw new CaCertificateError(
      field,
      `KeyUsage ${[info.keyCertSign && "keyCertSign", info.cRLSign && "cRLSign"].filter(Boolean).join(", ")}`,
    );
  }
  if (info.commonName === undefined || info.commonName === "") throw new MissingCommonNameError(field);
  return {
    commonName: info.commonName,
    leaf: blocks[0]!,
    chain: blocks,
    fingerprint256: leaf.fingerprint256,
    serialNumber: leaf.serialNumber,
    validFrom: new Date(leaf.validFrom),
    validTo: new Date(leaf.validTo),
  };
}

/** The common name of the first certificate (throws like `parseClientCertificate`). */
export function leafCommonName(pem: string): string {
  return parseClientCertificate(pem).commonName;
}

/**
 * Whether the first certificate of `pem` is a CA certificate (BasicConstraints ca=true, or KeyUsage
 * keyCertSign / cRLSign). Throws `MalformedCertificateError` when it is not a certificate.
 */
export function isCaCertificate(pem: string): boolean {
  try {
    parseClientCertificate(pem);
    return false;
  } catch (e) {
    if (e instanceof CaCertificateError) return true;
    if (e instanceof MissingCommonNameError) return false;
    throw e;
  }
}

/** SHA-256 (hex) of a PEM text, to compare trust stores without keeping certificates around. */
export function pemDigest(pem: string): string {
  return createHash("sha256").update(pem, "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------
// A minimal DER reader: node:crypto exposes neither the subject's raw CN nor the KeyUsage bits.

interface LeafInfo {
  commonName: string | undefined;
  keyCertSign: boolean;
  cRLSign: boolean;
}

interface Tlv {
  tag: number;
  /** Content start. */
  start: number;
  /** Content end (exclusive). */
  end: number;
}

function readTlv(buf: Buffer, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Error("truncated");
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) throw new Error("bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  if (pos + len > limit) throw new Error("truncated");
  return { tag, start: pos, end: pos + len };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const t = readTlv(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

const OID_CN = Buffer.from([0x55, 0x04, 0x03]); // 2.5.4.3
const OID_KEY_USAGE = Buffer.from([0x55, 0x1d, 0x0f]); // 2.5.29.15

function oidIs(buf: Buffer, t: Tlv, oid: Buffer): boolean {
  return t.tag === 0x06 && buf.subarray(t.start, t.end).equals(oid);
}

function decodeString(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.start, t.end);
  switch (t.tag) {
    case 0x1e: {
      // BMPString: UTF-16BE
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString("utf16le");
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) s += String.fromCodePoint(bytes.readUInt32BE(i));
      return s;
    }
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // T61String
      return bytes.toString("latin1");
    default:
      return bytes.toString("utf8");
  }
}

/** Certificate → tbsCertificate → subject CN and extensions → KeyUsage bits. */
function readLeafInfo(der: Buffer): LeafInfo {
  const cert = readTlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (tbs?.tag !== 0x30) throw new Error("no tbsCertificate");
  const fields = children(der, tbs);
  // [0] version is optional; then serial, signature, issuer, validity, subject, spki, …
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[i + 4];
  if (subject?.tag !== 0x30) throw new Error("no subject");
  let commonName: string | undefined;
  for (const rdn of children(der, subject)) {
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      if (commonName === undefined && type && value && oidIs(der, type, OID_CN))
        commonName = decodeString(der, value);
    }
  }
  let keyCertSign = false;
  let cRLSign = false;
  i += 6;
  for (const f of fields.slice(i)) {
    if (f.tag !== 0xa3) continue; // [3] extensions
    const seq = children(der, f)[0];
    if (!seq) continue;
    for (const ext of children(der, seq)) {
      const parts = children(der, ext);
      if (!parts[0] || !oidIs(der, parts[0], OID_KEY_USAGE)) continue;
      const octets = parts[parts.length - 1]!;
      const bits = readTlv(der, octets.start, octets.end);
      if (bits.tag !== 0x03 || bits.end - bits.start < 2) continue;
      const first = der[bits.start + 1]!;
      // Bit 0 is the MSB: digitalSignature(0) … keyCertSign(5) = 0x04, cRLSign(6) = 0x02.
      keyCertSign = (first & 0x04) !== 0;
      cRLSign = (first & 0x02) !== 0;
    }
  }
  return { commonName, keyCertSign, cRLSign };
}
