/** Every file a package's entry points lead to (`exports`, `bin`, `main`, `types`), as written there. */
export function entryPointFiles(pkg) {
  const walk = (value, key = "") => {
    // The source condition points into src/, which ships as it is: nothing to build.
    if (typeof value === "string") return key === "@charm-relations/source" ? [] : [value];
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value).flatMap(([k, v]) => walk(v, k));
  };
  return [...new Set([pkg.exports, pkg.bin, pkg.main, pkg.types].flatMap((v) => walk(v)))];
}
