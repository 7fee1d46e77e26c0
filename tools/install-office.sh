#!/usr/bin/env bash
# LibreOffice for PDFs, poppler for previews, and fonts with Polish glyphs and Word's metrics.
# Installs what is missing where it can (root, or sudo without a password, on Debian/Ubuntu);
# where it cannot, it says so and the app runs anyway: .docx works, PDF says what it needs.
set -uo pipefail

packages=()
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || packages+=(python3-uno)
compgen -G "/usr/lib/*/libjemalloc.so.2" >/dev/null || packages+=(libjemalloc2)
command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
fc-list 2>/dev/null | grep -qi carlito || packages+=(fonts-crosextra-carlito)
fc-list 2>/dev/null | grep -qi caladea || packages+=(fonts-crosextra-caladea)
fc-list 2>/dev/null | grep -qi "liberation serif" || packages+=(fonts-liberation2)
fc-list 2>/dev/null | grep -qi symbola || packages+=(fonts-symbola)  # emoji print as outlines; colour emoji print blank
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Uwaga: brak ${packages[*]}. Zainstaluj LibreOffice (z mostkiem UNO dla Pythona) i poppler-utils;" \
       "bez nich aplikacja tworzy pliki .docx, a PDF i podgląd pokażą, czego brakuje."
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "Uwaga: do plików PDF potrzebne są pakiety: ${packages[*]}."
  echo "Zainstaluj je poleceniem: sudo apt-get install --no-install-recommends ${packages[*]}"
  echo "Do tego czasu aplikacja tworzy pliki .docx, a przy PDF mówi, czego brakuje."
  exit 0
fi
log=${DOCGEN_INSTALL_LOG:-.venv/apt-install.log}  # apt's own lines go there, not to the screen
mkdir -p "$(dirname "$log")"
echo "Instaluję: ${packages[*]} (jednorazowo, kilka minut; szczegóły w $log)…"
export DEBIAN_FRONTEND=noninteractive
if ! { "${run[@]}" apt-get update -q && "${run[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"; } \
    >>"$log" 2>&1; then
  echo "Uwaga: nie udało się zainstalować ${packages[*]} (zob. $log); aplikacja działa bez PDF (pliki .docx są dostępne)."
else
  echo "Zainstalowano."
fi
exit 0
