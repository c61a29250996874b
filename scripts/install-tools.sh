#!/bin/sh
# Installs a test toolchain folder (e2e/, compat/) from its own package-lock.json into its own
# node_modules, only when it is missing or stale: the SHA-256 of the lock file is stored in
# node_modules after a successful install and compared on every run. One installer at a time.
# Never part of gatelock's own dependencies.
#
# Usage: sh scripts/install-tools.sh <dir> <label> <what> [--relock] <file in node_modules>...
#   --relock (after changing <dir>/package.json) regenerates the lock file.
#
# About the lock file: npm records every platform's optional binaries (darwin, win32, arm64
# builds of deno, the Zuplo linter, ...). Where the registry does not serve some of them,
# `npm install` skips them but still lists them as dependencies, and `npm ci` then refuses the
# lock as "out of sync". --relock drops those dangling optional references (never a package
# this platform installs), so `npm ci` works with the registry you have.
set -eu

here=$(CDPATH='' cd -- "$1" && pwd)
label=$2
what=$3
shift 3
relock=""
if [ "${1:-}" = "--relock" ]; then relock=1; shift; fi
# The rest: files (relative to node_modules) whose presence proves a complete install.
lock_file="$here/package-lock.json"
stamp="$here/node_modules/.gatelock-$label-lock.sha256"
mutex="$here/.work/install.lock" # <dir>/.work is git-ignored

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
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
  for f in "$@"; do [ -e "$here/node_modules/$f" ] || return 1; done
}

if [ -n "$relock" ]; then
  echo "$label: regenerating $lock_file" >&2
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
    const label = process.argv[2];
    for (const [path, entry] of Object.entries(pk)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolves(path, name)) {
          console.error(`${label}: lock: dropping unavailable optional ${name} of ${path}`);
          delete entry.optionalDependencies[name];
        }
      }
    }
    fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
  ' "$lock_file" "$label"
  rm -rf "$here/node_modules"
fi

want=$(sha256 "$lock_file")
if up_to_date "$@"; then
  echo "$label: $what up to date (package-lock.json sha256 $(printf %.12s "$want"))"
  exit 0
fi

# One installer at a time (other test runs may share this work tree). A lock left by a
# process that no longer runs is taken over.
mkdir -p "$here/.work"
waited=0
while ! mkdir "$mutex" 2>/dev/null; do
  holder=$(cat "$mutex/pid" 2>/dev/null || true)
  if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
    echo "$label: removing a stale install lock (pid $holder is gone)" >&2
    rm -rf "$mutex"
    continue
  fi
  if [ "$waited" -ge 900 ]; then
    echo "$label: gave up waiting for another install (lock $mutex)" >&2
    exit 1
  fi
  [ $((waited % 10)) -eq 0 ] && echo "$label: waiting for another install to finish..." >&2
  sleep 1
  waited=$((waited + 1))
done
echo $$ > "$mutex/pid"
trap 'rm -rf "$mutex"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Another run may have installed while we waited.
if up_to_date "$@"; then
  echo "$label: $what up to date"
  exit 0
fi

echo "$label: installing $what into $here/node_modules..." >&2
start=$(date +%s)
rm -f "$stamp"
# Engines are not checked: npm runs on the system Node here, while the tools run on the
# Node 24 they install (the newest @pulumi/pulumi and the Zuplo CLI need Node >= 22).
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error --engine-strict=false
printf '%s' "$want" > "$stamp"
echo "$label: installed in $(( $(date +%s) - start )) s" >&2
