#!/usr/bin/env bash
# Dev helper: bundle and run one TypeScript file (same esbuild settings as the build).
set -euo pipefail
out=$(mktemp -d)/run.mjs
npx esbuild "$1" --bundle --platform=node --format=esm --outfile="$out" --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
shift
node "$out" "$@"
