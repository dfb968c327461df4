#!/usr/bin/env bash
# Builds the dashboard into dashboard/dist (`npm run build`: typed GraphQL documents generated
# from schema/schema.graphql, a type check, then Vite) when anything it is made from is newer
# than the last build, so `make run` and `make test` always serve a UI that matches the sources
# and the schema. scripts/bootstrap.sh installs its npm packages first and then calls this.
# Safe to run again: a current build is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

# Vite empties dist/ when it starts, and the stamp is removed before the build anyway: a build
# that fails leaves no stamp, and the next run builds again.
stamp=dashboard/.built

sources=()
for source in dashboard/src dashboard/public dashboard/index.html dashboard/graphiql.html \
    dashboard/package.json dashboard/package-lock.json dashboard/node_modules/.installed \
    dashboard/vite.config.* dashboard/tsconfig*.json dashboard/codegen.* schema/schema.graphql; do
    if [ -e "$source" ]; then sources+=("$source"); fi
done

if [ -f "$stamp" ] && [ -z "$(find "${sources[@]}" -newer "$stamp" -print -quit)" ]; then
    exit 0
fi
if [ ! -d dashboard/node_modules ]; then
    echo "build-dashboard: dashboard/node_modules is missing; run make install" >&2
    exit 1
fi
echo "build-dashboard: building the dashboard into dashboard/dist"
rm -f "$stamp"
# Quiet when it works; when it fails, everything it said (tsc reports its errors on stdout).
if ! output=$(cd dashboard && npm run build 2>&1); then
    printf '%s\n' "$output" >&2
    echo "build-dashboard: npm run build failed (above)" >&2
    exit 1
fi
touch "$stamp"
