/**
 * How Juju reads `relation-set --file` (and `secret-add --file`): go-yaml v2 `Unmarshal` into a map of
 * strings (juju-hook-tools.md §4, §5.4). Modelled here so the hook-tool fakes and `MemoryBackend` accept,
 * refuse and fold exactly what Juju does, whoever wrote the bytes:
 *
 * - the reader refuses invalid UTF-8 and every character outside YAML 1.1's printable set (raw U+007F,
 *   C0 controls but tab/LF/CR, C1 controls but NEL, surrogates, U+FFFE, U+FFFF): `yaml: control
 *   characters are not allowed`;
 * - NEL, LS and PS are line breaks: inside a quoted scalar a break is folded (NEL → a space, LS/PS kept
 *   but the blanks around them dropped), and `--- `/`... ` after one ends the document;
 * - double-quoted escapes are YAML's (`\0 \a \b \t \n \v \f \r \e \  \" \' \\ \N \_ \L \P \xXX \uXXXX
 *   \UXXXXXXXX`); `\/` and surrogate code points are refused;
 * - plain scalars keep their text (`true`, `1` stay strings), `null`/`~`/empty is "" (deletes the key);
 *   sequences and mappings as values are unmarshal errors.
 *
 * Error texts are go-yaml's (`yaml: …`, `yaml: line N: …`). Only what these tools are fed is modelled:
 * one document, a flow or block mapping of scalars; anchors, tags and block scalars are refused.
 */

export class JujuYamlError extends Error {
  override name = "JujuYamlError";
}

/** A value node: a scalar (null for YAML null), or a collection (an unmarshal error for a string). */
export type YamlValue =
  | { readonly kind: "scalar"; readonly value: string | null; readonly line: number }
  | { readonly kind: "seq" | "map"; readonly line: number };

// ---------------------------------------------------------------------------------------------
// Reader: bytes → characters (go-yaml's readerc.go checks)

const readerError = (problem: string): never => {
  throw new JujuYamlError(`yaml: ${problem}`);
};

/** YAML 1.1 printable: tab, LF, CR, 0x20–0x7E, NEL, 0xA0–0xD7FF, 0xE000–0xFFFD, 0x10000–0x10FFFF. */
function printable(c: number): boolean {
  return (
    c === 0x09 ||
    c === 0x0a ||
    c === 0x0d ||
    (c >= 0x20 && c <= 0x7e) ||
    c === 0x85 ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function decodeUtf8(b: Uint8Array, start: number): number[] {
  const out: number[] = [];
  let i = start;
  while (i < b.length) {
    const o = b[i]!;
    const width =
      o < 0x80 ? 1 : (o & 0xe0) === 0xc0 ? 2 : (o & 0xf0) === 0xe0 ? 3 : (o & 0xf8) === 0xf0 ? 4 : 0;
    if (width === 0) readerError("invalid leading UTF-8 octet");
    if (i + width > b.length) readerError("incomplete UTF-8 octet sequence");
    let v = width === 1 ? o : o & (width === 2 ? 0x1f : width === 3 ? 0x0f : 0x07);
    for (let k = 1; k < width; k++) {
      const t = b[i + k]!;
      if ((t & 0xc0) !== 0x80) readerError("invalid trailing UTF-8 octet");
      v = (v << 6) + (t & 0x3f);
    }
    const shortest = width === 1 || (width === 2 && v >= 0x80) || (width === 3 && v >= 0x800) || v >= 0x10000;
    if (!shortest) readerError("invalid length of a UTF-8 sequence");
    if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) readerError("invalid Unicode character");
    out.push(v);
    i += width;
  }
  return out;
}

function decodeUtf16(b: Uint8Array, littleEndian: boolean): number[] {
  const out: number[] = [];
  const unit = (i: number) => (littleEndian ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!);
  for (let i = 2; i < b.length; ) {
    if (i + 2 > b.length) readerError("incomplete UTF-16 character");
    const v = unit(i);
    if ((v & 0xfc00) === 0xdc00) readerError("unexpected low surrogate area");
    if ((v & 0xfc00) === 0xd800) {
      if (i + 4 > b.length) readerError("incomplete UTF-16 surrogate pair");
      const w = unit(i + 2);
      if ((w & 0xfc00) !== 0xdc00) readerError("expected low surrogate area");
      out.push(0x10000 + ((v & 0x3ff) << 10) + (w & 0x3ff));
      i += 4;
    } else {
      out.push(v);
      i += 2;
    }
  }
  return out;
}

/**
 * The characters go-yaml's reader hands to its scanner. A JS string is first encoded as Node writes it
 * to a pipe (UTF-8, a lone surrogate as U+FFFD), so in-process callers see what a child process would.
 */
export function readYamlInput(input: string | Uint8Array): number[] {
  const b = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  let chars: number[];
  if (b[0] === 0xff && b[1] === 0xfe) chars = decodeUtf16(b, true);
  else if (b[0] === 0xfe && b[1] === 0xff) chars = decodeUtf16(b, false);
  else chars = decodeUtf8(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
  for (const c of chars) if (!printable(c)) readerError("control characters are not allowed");
  return chars;
}

// ---------------------------------------------------------------------------------------------
// Scanner and parser (the subset of scannerc.go / parserc.go the tools are fed)

const NEL = 0x85;
const LS = 0x2028;
const PS = 0x2029;
const isBreak = (c: number | undefined) => c === 0x0a || c === 0x0d || c === NEL || c === LS || c === PS;
const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;
const isBlankz = (c: number | undefined) => c === undefined || isBlank(c) || isBreak(c);
const FLOW_END = new Set([0x2c, 0x5b, 0x5d, 0x7b, 0x7d]); // , [ ] { }

class Scanner {
  i = 0;
  line = 0;
  column = 0;
  flow = 0;
  constructor(readonly c: number[]) {}

  peek(k = 0): number | undefined {
    return this.c[this.i + k];
  }
  skip(): void {
    this.i++;
    this.column++;
  }
  /** Consume one line break; returns what it reads as (`\n` for CR/LF/CRLF/NEL, LS/PS themselves). */
  readBreak(): string {
    const c = this.peek();
    if (c === 0x0d && this.peek(1) === 0x0a) this.i += 2;
    else this.i += 1;
    this.line++;
    this.column = 0;
    return c === LS || c === PS ? String.fromCodePoint(c) : "\n";
  }
  fail(problem: string, contextLine?: number): never {
    // go-yaml: the problem's line (1-based) when it is not the first, else the context's (0-based).
    const line = this.line !== 0 ? this.line + 1 : (contextLine ?? 0);
    throw new JujuYamlError(`yaml: ${line !== 0 ? `line ${line}: ` : ""}${problem}`);
  }
  atDocumentIndicator(): boolean {
    if (this.column !== 0) return false;
    const [a, b, c] = [this.peek(), this.peek(1), this.peek(2)];
    return (
      ((a === 0x2d && b === 0x2d && c === 0x2d) || (a === 0x2e && b === 0x2e && c === 0x2e)) &&
      isBlankz(this.peek(3))
    );
  }
  /** Blanks, breaks and comments between tokens. */
  skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (isBlank(c)) this.skip();
      else if (isBreak(c)) this.readBreak();
      else if (c === 0x23) while (this.peek() !== undefined && !isBreak(this.peek())) this.skip();
      else return;
    }
  }

  /** A single- or double-quoted scalar (yaml_parser_scan_flow_scalar). */
  quoted(): string {
    const single = this.peek() === 0x27;
    const startLine = this.line;
    this.skip();
    let s = "";
    for (;;) {
      if (this.atDocumentIndicator()) this.fail("found unexpected document indicator", startLine);
      if (this.peek() === undefined) this.fail("found unexpected end of stream", startLine);
      let leadingBlanks = false;
      while (!isBlankz(this.peek())) {
        const c = this.peek()!;
        if (single && c === 0x27 && this.peek(1) === 0x27) {
          s += "'";
          this.skip();
          this.skip();
        } else if (c === (single ? 0x27 : 0x22)) break;
        else if (!single && c === 0x5c && isBreak(this.peek(1))) {
          this.skip();
          this.readBreak();
          leadingBlanks = true;
          break;
        } else if (!single && c === 0x5c) s += this.escape(startLine);
        else {
          s += String.fromCodePoint(c);
          this.skip();
        }
      }
      if (this.peek() === (single ? 0x27 : 0x22)) break;
      let whitespaces = "";
      let leadingBreak = "";
      let trailingBreaks = "";
      while (isBlank(this.peek()) || isBreak(this.peek())) {
        if (isBlank(this.peek())) {
          if (!leadingBlanks) whitespaces += String.fromCodePoint(this.peek()!);
          this.skip();
        } else if (!leadingBlanks) {
          whitespaces = "";
          leadingBreak = this.readBreak();
          leadingBlanks = true;
        } else trailingBreaks += this.readBreak();
      }
      if (leadingBlanks) {
        // A line break folds to a space (or to the further breaks); LS and PS are kept as they are.
        if (leadingBreak === "\n") s += trailingBreaks === "" ? " " : trailingBreaks;
        else s += leadingBreak + trailingBreaks;
      } else s += whitespaces;
    }
    this.skip();
    return s;
  }

  escape(startLine: number): string {
    const e = this.peek(1);
    const simple: Record<number, string> = {
      48: "\0",
      97: "\x07",
      98: "\b",
      116: "\t",
      9: "\t",
      110: "\n",
      118: "\v",
      102: "\f",
      114: "\r",
      101: "\x1b",
      32: " ",
      34: '"',
      39: "'",
      92: "\\",
      78: "\x85",
      95: "\xa0",
      76: "\u2028",
      80: "\u2029",
    };
    const length = e === 0x78 ? 2 : e === 0x75 ? 4 : e === 0x55 ? 8 : 0;
    if (length === 0 && (e === undefined || !Object.hasOwn(simple, e)))
      this.fail("found unknown escape character", startLine);
    this.skip();
    this.skip();
    if (length === 0) return simple[e!]!;
    let v = 0;
    for (let k = 0; k < length; k++) {
      const h = this.peek(k);
      const d = h === undefined ? -1 : Number.parseInt(String.fromCodePoint(h), 16);
      if (Number.isNaN(d) || d < 0) this.fail("did not find expected hexdecimal number", startLine);
      v = v * 16 + d;
    }
    if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
      this.fail("found invalid Unicode character escape code", startLine);
    for (let k = 0; k < length; k++) this.skip();
    return String.fromCodePoint(v);
  }

  /** A plain scalar: up to `: `, ` #`, a break (block) or a flow indicator (flow); blanks trimmed. */
  plain(): string {
    let s = "";
    let pending = "";
    for (;;) {
      const c = this.peek();
      if (c === undefined || isBreak(c)) break;
      if (c === 0x3a && (isBlankz(this.peek(1)) || (this.flow > 0 && FLOW_END.has(this.peek(1)!)))) break;
      if (this.flow > 0 && c === 0x3a) this.fail("found unexpected ':'");
      if (this.flow > 0 && FLOW_END.has(c)) break;
      if (c === 0x23 && pending !== "") break;
      if (isBlank(c)) pending += String.fromCodePoint(c);
      else {
        s += pending + String.fromCodePoint(c);
        pending = "";
      }
      this.skip();
    }
    return s;
  }
}

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);

function scalar(sc: Scanner): YamlValue {
  const line = sc.line + 1;
  const c = sc.peek();
  if (c === 0x22 || c === 0x27) return { kind: "scalar", value: sc.quoted(), line };
  if (
    c === 0x26 ||
    c === 0x2a ||
    c === 0x21 ||
    c === 0x7c ||
    c === 0x3e ||
    c === 0x25 ||
    c === 0x40 ||
    c === 0x60
  )
    sc.fail("anchors, aliases, tags and block scalars are not modelled by the hook-tool fakes");
  const text = sc.plain();
  return { kind: "scalar", value: NULLS.has(text) ? null : text, line };
}

/** Skip a flow collection (its content only matters as an unmarshal error). */
function skipFlow(sc: Scanner): void {
  const line = sc.line;
  let depth = 0;
  do {
    const c = sc.peek();
    if (c === undefined) sc.fail("did not find expected ',' or ']'", line);
    if (c === 0x22 || c === 0x27) sc.quoted();
    else if (isBreak(c)) sc.readBreak();
    else {
      if (c === 0x5b || c === 0x7b) depth++;
      if (c === 0x5d || c === 0x7d) depth--;
      sc.skip();
    }
  } while (depth > 0);
}

function flowValue(sc: Scanner): YamlValue {
  const c = sc.peek();
  if (c === 0x5b || c === 0x7b) {
    const line = sc.line + 1;
    skipFlow(sc);
    return { kind: c === 0x5b ? "seq" : "map", line };
  }
  if (c === 0x2c || c === 0x7d || c === 0x5d) return { kind: "scalar", value: null, line: sc.line + 1 };
  return scalar(sc);
}

function flowMapping(sc: Scanner, out: [string | null, YamlValue][]): void {
  const startLine = sc.line;
  sc.skip();
  sc.flow++;
  for (;;) {
    sc.skipSpace();
    if (sc.peek() === 0x7d) break;
    if (sc.peek() === undefined) sc.fail("did not find expected ',' or '}'", startLine);
    const key = flowValue(sc);
    sc.skipSpace();
    let value: YamlValue = { kind: "scalar", value: null, line: sc.line + 1 };
    if (sc.peek() === 0x3a) {
      sc.skip();
      sc.skipSpace();
      value = flowValue(sc);
      sc.skipSpace();
    }
    if (key.kind !== "scalar") sc.fail("invalid map key", startLine);
    out.push([key.value, value]);
    if (sc.peek() === 0x2c) sc.skip();
    else if (sc.peek() !== 0x7d) sc.fail("did not find expected ',' or '}'", startLine);
  }
  sc.skip();
  sc.flow--;
}

function blockMapping(sc: Scanner, out: [string | null, YamlValue][]): void {
  while (sc.peek() !== undefined && !sc.atDocumentIndicator()) {
    if (sc.column !== 0) sc.fail("did not find expected key");
    const key = scalar(sc);
    while (isBlank(sc.peek())) sc.skip();
    if (sc.peek() !== 0x3a || !isBlankz(sc.peek(1))) sc.fail("could not find expected ':'");
    sc.skip();
    while (isBlank(sc.peek())) sc.skip();
    const line = sc.line + 1;
    let value: YamlValue;
    const c = sc.peek();
    if (c === 0x5b || c === 0x7b) value = flowValue(sc);
    else if (c === undefined || isBreak(c) || c === 0x23) {
      // Nothing on this line: an indented block (a collection) or a "- " list makes a non-scalar.
      sc.skipSpace();
      const nested =
        sc.peek() !== undefined && (sc.column > 0 || (sc.peek() === 0x2d && isBlankz(sc.peek(1))));
      if (nested) sc.fail("nested block collections are not modelled by the hook-tool fakes");
      value = { kind: "scalar", value: null, line };
    } else value = scalar(sc);
    sc.skipSpace();
    out.push([key.kind === "scalar" ? key.value : null, value]);
  }
}

/**
 * Parse one document into its top-level mapping entries (in order; a later duplicate key wins when
 * applied). `null` for an empty document; a non-mapping document is an unmarshal error for the caller.
 */
export function parseYamlMapping(
  input: string | Uint8Array,
): { entries: [string | null, YamlValue][] } | { notMapping: "!!seq" | "!!str" } | null {
  const sc = new Scanner(readYamlInput(input));
  sc.skipSpace();
  if (sc.atDocumentIndicator() && sc.peek() === 0x2d) {
    for (let k = 0; k < 3; k++) sc.skip();
    sc.skipSpace();
  }
  if (sc.peek() === undefined || sc.atDocumentIndicator()) return null;
  const entries: [string | null, YamlValue][] = [];
  const c = sc.peek();
  if (c === 0x7b) {
    flowMapping(sc, entries);
    sc.skipSpace();
    if (sc.peek() !== undefined && !sc.atDocumentIndicator())
      sc.fail("did not find expected <document start>");
    return { entries };
  }
  if (c === 0x5b || (c === 0x2d && isBlankz(sc.peek(1)))) return { notMapping: "!!seq" };
  const mark = { i: sc.i, line: sc.line, column: sc.column };
  const first = scalar(sc);
  while (isBlank(sc.peek())) sc.skip();
  if (sc.peek() !== 0x3a || !isBlankz(sc.peek(1))) {
    if (first.kind === "scalar" && first.value === null) return null;
    return { notMapping: "!!str" };
  }
  Object.assign(sc, mark);
  blockMapping(sc, entries);
  return { entries };
}

/**
 * `goyaml.Unmarshal(data, map[string]string)`: every entry as a string, YAML null as "" (relation-set
 * then deletes the key). Keys are kept as own keys (a `__proto__` key is a key).
 */
export function unmarshalStringMap(
  input: string | Uint8Array,
  what = "map[string]string",
): Map<string, string> {
  const doc = parseYamlMapping(input);
  const out = new Map<string, string>();
  if (doc === null) return out;
  if ("notMapping" in doc)
    throw new JujuYamlError(
      `yaml: unmarshal errors:\n  line 1: cannot unmarshal ${doc.notMapping} into ${what}`,
    );
  const errors: string[] = [];
  for (const [key, value] of doc.entries) {
    if (value.kind !== "scalar") {
      errors.push(`  line ${value.line}: cannot unmarshal !!${value.kind} into string`);
      continue;
    }
    out.set(key ?? "", value.value ?? "");
  }
  if (errors.length) throw new JujuYamlError(`yaml: unmarshal errors:\n${errors.join("\n")}`);
  return out;
}
