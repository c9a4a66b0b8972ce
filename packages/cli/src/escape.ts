/**
 * Text from the input on a terminal. Key, unit, endpoint and file names come from whoever wrote the
 * data: printed raw, an ESC/OSC/CSI sequence clears the screen or retitles the window, a CR or a
 * newline fakes an `ok` line, a bidi override shows a name backwards. Every such character is printed
 * as a JSON-style escape (`\u001b`), with colour on or off; long names are shortened.
 */

/**
 * C0 controls (newline and tab too: inside a name they fake layout), DEL, C1 controls, the Arabic
 * letter mark, zero-width and directional marks, line and paragraph separators, bidi embeddings,
 * overrides and isolates, invisible operators, and the BOM. One character class: linear time.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** The same minus C0: `JSON.stringify` escapes those itself, and its indentation is made of them. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `text` with every character that could drive a terminal written as an escape. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT[c] ?? hex4(c));
}

/** Names longer than this are cut in text output (`--json` keeps them whole). */
export const MAX_SHOWN = 120;

/** A name from the input, safe to print: escaped, and cut after `max` characters. */
export function shown(name: string, max = MAX_SHOWN): string {
  if (name.length <= max) return escapeControls(name);
  // Never cut a surrogate pair in two.
  const end = name.charCodeAt(max - 1) >= 0xd800 && name.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return `${escapeControls(name.slice(0, end))}…[${name.length - end} more chars]`;
}

/**
 * JSON for stdout: `JSON.stringify` escapes C0 controls but leaves DEL, C1, separators and bidi
 * controls raw. They can only occur inside strings, so escaping them keeps the same JSON value.
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, hex4)}\n`;
}
