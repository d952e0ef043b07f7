#!/usr/bin/env bash
# Installs facetag as a systemd service from a built checkout (npm ci && npm run build).
# Safe to run again: it replaces the program and the unit, keeps /etc/facetag/config.json.
# deploy/README.md describes the layout and what to do next.
set -euo pipefail
umask 022

usage() {
  cat <<'EOF'
usage: deploy/install.sh [--dry-run] [--source DIR] [--root DIR]

  --dry-run     print what would be done, change nothing (no root needed)
  --source DIR  the built facetag checkout to install (default: this script's checkout)
  --root DIR    install into DIR instead of / (packaging, tests); skips systemctl

Installs:
  /opt/facetag/                                  dist/src, models, node_modules (production), package.json
  /usr/local/lib/systemd/system/facetag.service  the unit
  /usr/local/lib/sysusers.d/facetag.conf         the facetag user and group (created now)
  /usr/local/bin/facetag                         the command line (sudo -u facetag facetag status)
  /etc/facetag/config.json                       only if absent, from config.example.json
EOF
}

dry_run=0
root=''
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
while (($# > 0)); do
  case $1 in
    -n | --dry-run) dry_run=1 ;;
    --source) src=${2:?--source needs a directory}; shift ;;
    --source=*) src=${1#--source=} ;;
    --root) root=${2:?--root needs a directory}; shift ;;
    --root=*) root=${1#--root=} ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'install.sh: unknown option %s\n' "$1" >&2; usage >&2; exit 64 ;;
  esac
  shift
done
root=${root%/}

if ((!dry_run && EUID != 0)); then
  echo 'install.sh: must run as root (sudo deploy/install.sh), or try --dry-run' >&2
  exit 77
fi

opt=$root/opt/facetag
etc=$root/etc/facetag
unit=$root/usr/local/lib/systemd/system/facetag.service
sysusers=$root/usr/local/lib/sysusers.d/facetag.conf
command=$root/usr/local/bin/facetag

# Prints each command; runs it unless --dry-run.
run() {
  if ((dry_run)); then printf 'would run:'; else printf '+'; fi
  printf ' %q' "$@"
  printf '\n'
  if ((!dry_run)); then "$@"; fi
}

warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# --- checks ------------------------------------------------------------------------------------
for f in deploy/facetag.service deploy/facetag.sysusers deploy/facetag-command.sh config.example.json; do
  [[ -f $src/$f ]] || die "$src/$f is missing: is --source a facetag checkout?"
done
if [[ ! -f $src/dist/src/cli.js ]]; then
  if ((dry_run)); then warn "$src/dist/src/cli.js is missing: run npm ci && npm run build first"
  else die "$src/dist/src/cli.js is missing: run npm ci && npm run build first"; fi
fi
# The unit runs /usr/bin/node; node_modules holds native modules built for the Node that built it.
if [[ ! -x /usr/bin/node ]]; then
  warn '/usr/bin/node not found: install Node.js >= 20.9 there, or change ExecStart with a drop-in'
elif ! /usr/bin/node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)'; then
  warn "/usr/bin/node is $(/usr/bin/node --version); facetag needs >= 20.9"
fi

# --- the program: staged beside the old one, then swapped in ------------------------------------
run mkdir -p "$root/opt"
run rm -rf "$opt.new" "$opt.old"
run mkdir -p "$opt.new/dist"
run cp -R "$src/dist/src" "$opt.new/dist/src"
for item in models node_modules package.json package-lock.json config.example.json config.schema.json deploy; do
  if [[ -e $src/$item ]]; then run cp -R "$src/$item" "$opt.new/$item"; fi
done
if [[ -d $src/node_modules ]]; then
  if command -v npm >/dev/null 2>&1; then
    # Dev tools (typescript, biome) are most of node_modules; prune needs no network.
    run npm --prefix "$opt.new" prune --omit=dev --offline --no-audit --no-fund --loglevel=error
  else
    warn 'npm not found: dev dependencies stay in /opt/facetag/node_modules'
  fi
fi
if [[ -e $opt ]]; then run mv "$opt" "$opt.old"; fi
run mv "$opt.new" "$opt"
run rm -rf "$opt.old"

# --- user and group ------------------------------------------------------------------------------
run install -D -m 0644 "$src/deploy/facetag.sysusers" "$sysusers"
if [[ -n $root ]]; then
  run mkdir -p "$root/etc" # systemd-sysusers --root needs it for its lock file
  run systemd-sysusers --root="$root" "$sysusers"
else
  run systemd-sysusers "$sysusers"
fi

# --- config: readable by the service's group, never overwritten ---------------------------------
gid=$(awk -F: '$1 == "facetag" { print $3 }' "$root/etc/group" 2>/dev/null || true)
gid=${gid:-facetag}
run install -d -m 0750 -o root -g "$gid" "$etc"
if [[ -e $etc/config.json ]]; then
  echo "keeping $etc/config.json"
else
  run install -m 0640 -o root -g "$gid" "$src/config.example.json" "$etc/config.json"
fi
# The example's "$schema" points here; it follows the installed version.
if [[ -f $src/config.schema.json ]]; then run install -m 0644 "$src/config.schema.json" "$etc/config.schema.json"; fi

# --- the command line: runs /opt/facetag with the service's data folder ----------------------------
run install -D -m 0755 "$src/deploy/facetag-command.sh" "$command"

# --- the unit ------------------------------------------------------------------------------------
run install -D -m 0644 "$src/deploy/facetag.service" "$unit"
if [[ -n $root ]]; then
  echo "--root given: not running systemctl daemon-reload"
elif [[ -d /run/systemd/system ]]; then
  run systemctl daemon-reload
else
  warn 'systemd is not running here: skipped systemctl daemon-reload'
fi

if ((dry_run)); then done_what='would be installed'; else done_what='is installed'; fi
cat <<EOF

facetag $done_what in $opt (unit: $unit).
Next:
  1. Point it at your photos: systemctl edit facetag   (FACETAG_PHOTOS and ReadWritePaths; see $opt/deploy/README.md)
  2. Let the facetag user write sidecars there, e.g.: setfacl -R -m u:facetag:rwX -m d:u:facetag:rwX /srv/photos
  3. Start it: systemctl enable --now facetag
If it was already running: systemctl restart facetag
Then: sudo -u facetag facetag status, and sudo -u facetag facetag token for the labelling page at
http://127.0.0.1:8427/
EOF
