/**
 * @charm-relations/pack: turn a TypeScript charm into a self-contained `.charm` (bundle, pinned Node
 * runtime per platform, dispatch, charmcraft's layout and metadata).
 */

export { type Bundle, type BundleOptions, bundleCharm } from "./bundle.js";
export { COMPILE_CACHE_DIR, type DispatchOptions, dispatchScript } from "./dispatch.js";
export { PackError } from "./errors.js";
export { charmYamlFiles, manifestYaml, metadataObject } from "./metadata.js";
export { type PackedCharm, type PackOptions, type PackResult, packCharm, STAGE_DIR } from "./pack.js";
export { type Arch, type ManifestBase, type PlannedCharm, planCharms, SUPPORTED_ARCHES } from "./plan.js";
export { type CharmProject, readProject } from "./project.js";
export {
  defaultCacheDir,
  prepareRuntime,
  RUNTIME_PACKAGE,
  type Runtime,
  type RuntimeOptions,
} from "./runtime.js";
export { NODE_RUNTIME } from "./runtime-pin.js";
export { type Deflated, writeZip, type ZipEntry } from "./zip.js";
