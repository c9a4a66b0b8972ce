#!/usr/bin/env bash
# pnpm release: publish what the changesets describe.
#   1. changeset version: .changeset/*.md → versions and CHANGELOG.md of the public packages
#      (private ones are ignored), committed as "Version packages";
#   2. build (turbo, tsc -b) and the checks on what ships: workspace hygiene and, per public package,
#      the packed tarball (files, publint --strict, are-the-types-wrong esm-only);
#   3. changeset publish: `pnpm publish` of every public package whose version the registry lacks
#      (prepack rebuilds and adds LICENSE; workspace: ranges become ^x.y.z), and a git tag per package.
# Then: git push --follow-tags. Extra arguments go to `changeset publish` (e.g. --otp <code>).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
if [ -n "$(git status --porcelain)" ]; then
  echo "release: commit or stash your changes first (the version commit must hold only the release)" >&2
  exit 1
fi
pnpm exec changeset version
if [ -n "$(git status --porcelain)" ]; then
  git add -A
  git commit -q -m "Version packages"
fi
pnpm exec sherif
# The published packages only (examples are private): build, then check each packed tarball.
pnpm exec turbo run build check:package --filter="./packages/*"
pnpm exec changeset publish "$@"
