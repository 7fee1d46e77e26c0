#!/usr/bin/env bash
# `make test` on a fresh machine: installs what the tests use for real (LibreOffice, Chromium, fonts,
# poppler, PostgreSQL, Redis, nginx) where it can (root, or sudo without a password, on Debian/Ubuntu),
# and starts a local PostgreSQL for the run. One line per step on stderr; apt's own output goes to the
# log file given as $1. Prints the TEST_DATABASE_URL on stdout (nothing when there is none). Where it
# cannot install, it says in one line which tests will be skipped. Never fails: the tests say the rest.
set -u  # no pipefail: `fc-list | grep -q` would count fc-list's SIGPIPE as a missing font
cd "$(dirname "$0")/.."
log=${1:-.venv/apt-install.log}
mkdir -p "$(dirname "$log")"
say() { echo "make test: $*" >&2; }

packages=()
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || packages+=(python3-uno)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
compgen -G "/usr/lib/*/libjemalloc.so.2" >/dev/null || packages+=(libjemalloc2)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
fc-list 2>/dev/null | grep -qi carlito || packages+=(fonts-crosextra-carlito)
fc-list 2>/dev/null | grep -qi "liberation serif" || packages+=(fonts-liberation2)
fc-list 2>/dev/null | grep -qi caladea || packages+=(fonts-crosextra-caladea)
fc-list 2>/dev/null | grep -qi symbola || packages+=(fonts-symbola)
command -v pg_ctlcluster >/dev/null 2>&1 || packages+=(postgresql)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
command -v nginx >/dev/null 2>&1 || packages+=(nginx)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)

run=()
can_install=yes
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then run=(sudo -n); else can_install=no; fi
fi
command -v apt-get >/dev/null 2>&1 || can_install=no

if [ ${#packages[@]} -gt 0 ]; then
  if [ "$can_install" = yes ]; then
    say "instaluję ${packages[*]} (jednorazowo; szczegóły w $log)"
    export DEBIAN_FRONTEND=noninteractive
    if { "${run[@]}" apt-get update -q && "${run[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"; } \
        >>"$log" 2>&1; then
      say "zainstalowano"
    else
      say "instalacja nie powiodła się (zob. $log); testy tego, czego brakuje, zostaną pominięte"
    fi
  else
    say "brak ${packages[*]} i brak uprawnień do instalacji (root albo sudo bez hasła): testy, które ich potrzebują, zostaną pominięte"
  fi
fi

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "$TEST_DATABASE_URL"
elif [ "$can_install" = yes ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  say "uruchamiam lokalny PostgreSQL dla testów"
  url=$("${run[@]}" bash .ci/postgres.sh 2>>"$log" | tail -n 1) || url=""
  [ -n "$url" ] && echo "$url" || say "PostgreSQL nie wystartował (zob. $log): testy na PostgreSQL zostaną pominięte"
else
  say "brak PostgreSQL (ustaw TEST_DATABASE_URL): testy na PostgreSQL zostaną pominięte"
fi
exit 0
