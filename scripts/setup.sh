#!/usr/bin/env bash
# Install the pinned pnpm (never corepack: its signature check fails on this registry), then the
# workspace from the lockfile, then build every package (bins and example charms run from dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
  npm i -g "pnpm@$want" >/dev/null
fi
pnpm install --frozen-lockfile
pnpm build
