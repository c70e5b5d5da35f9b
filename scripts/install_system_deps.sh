#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (the browser test), a CJK font (the
# charts) and antiword (the legacy .doc reader, tests/read/test_office_fixtures.py).
# LibreOffice is not needed: the Office fixtures are committed (tests/fixtures/office).
# Installs only what is missing; without root (or apt) it says what to install and goes on.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v antiword >/dev/null 2>&1 || need+=(antiword)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "note: install ${need[*]} (e.g. sudo apt-get install ${need[*]}) for the browser test, CJK chart fonts and .doc files" >&2
fi
exit 0
