/**
 * The shapes the CLI recognises in text it did not write, checked piece by piece (split, then one
 * character class per piece) so that each runs in linear time on any input: a regular expression
 * with overlapping quantifiers (`[a-z0-9]*[a-z][a-z0-9]*` repeated) backtracks exponentially on a
 * crafted 110-character key, and an unanchored `[a-z][a-z0-9+.-]*:\/\/` quadratically on a long word.
 */

const LOWER_ALNUM = /^[a-z0-9]+$/;
const DIGITS = /^[0-9]+$/;
const HAS_LETTER = /[a-z]/;

/**
 * A Juju application name: lower-case letters and digits in `-`-separated parts, the first starting
 * with a letter, every part holding a letter (`pg-k8s`, not `pg-16`, `pg-` or `pg--a`).
 */
function isApplicationName(name: string): boolean {
  const parts = name.split("-");
  return parts.every((part, i) => LOWER_ALNUM.test(part) && HAS_LETTER.test(i === 0 ? part[0]! : part));
}

/** A Juju unit name: `<application>/<number>`. */
export function isUnitName(name: string): boolean {
  const slash = name.indexOf("/");
  return slash > 0 && DIGITS.test(name.slice(slash + 1)) && isApplicationName(name.slice(0, slash));
}

/** `myapp/0:` alone on the first line: what `juju show-unit` prints without `--format=json`. */
export function looksLikeYamlDump(text: string): boolean {
  const newline = text.indexOf("\n");
  // Only the first line, and a pattern without overlapping quantifiers: linear on a 64 MiB line.
  return /^[a-z][a-z0-9-]*\/[0-9]+:$/.test((newline === -1 ? text : text.slice(0, newline)).trimEnd());
}

/** `scheme://user:password@…` anywhere in the text (a URL that carries a password). */
export function hasUrlCredentials(text: string): boolean {
  for (let i = text.indexOf("://"); i !== -1; i = text.indexOf("://", i + 1)) {
    if (!hasScheme(text, i)) continue;
    // user: no `/`, blank, `:` or `@`; then `:`; password: no `@`, blank or `/`; then `@`.
    let j = i + 3;
    const userStart = j;
    while (j < text.length && !"/:@".includes(text[j]!) && !isBlank(text[j]!)) j++;
    if (j === userStart || text[j] !== ":") continue;
    const passwordStart = ++j;
    while (j < text.length && !"@/".includes(text[j]!) && !isBlank(text[j]!)) j++;
    if (j > passwordStart && text[j] === "@") return true;
  }
  return false;
}

const isBlank = (c: string) => /\s/.test(c);

/** The characters before `://` at `at` form a URL scheme: `[a-z][a-z0-9+.-]*`, any case. */
function hasScheme(text: string, at: number): boolean {
  let letter = false;
  for (let k = at - 1; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))
      letter = true; // ASCII letters only
    else if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e || c === 0x2d)) break;
  }
  return letter;
}
