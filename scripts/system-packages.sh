#!/usr/bin/env bash
# Makes sure the Debian/Ubuntu packages the portal needs outside Python are present: the libraries
# WeasyPrint loads to draw PDF reports, fonts for them (parents' languages included), and pdftoppm (tests render PDFs to check them).
#
#   scripts/system-packages.sh [EXTRA_PACKAGE...]
#
# As root it installs whatever is missing with apt-get. Anyone else is told the exact `sudo apt-get install`
# line to run, and the script fails, so `make run` stops before a page that makes a PDF would.
# SKIP_SYSTEM_PACKAGES=1 skips the check (for a machine that is not Debian-like and has the libraries).
set -euo pipefail

if [ "${SKIP_SYSTEM_PACKAGES:-0}" = "1" ]; then
    exit 0
fi

# package -> how to tell it is there. Libraries are looked up by soname rather than by package name,
# because Ubuntu renamed some packages (the t64 transition) while keeping the libraries.
declare -A PRESENT_IF=(
    [libpango-1.0-0]="lib libpango-1.0.so.0"
    [libpangoft2-1.0-0]="lib libpangoft2-1.0.so.0"
    [libharfbuzz-subset0]="lib libharfbuzz-subset.so.0"
    [fonts-dejavu-core]="file /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    [poppler-utils]="cmd pdftoppm"
    # Parents sign in Bengali, Punjabi (Gurmukhi), Urdu and Arabic: their certificates need those scripts' fonts.
    [fonts-noto-core]="file /usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf"
)
ORDER=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core poppler-utils)

LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
LIBS=$("$LDCONFIG" -p 2>/dev/null || true)

present() {
    local kind=$1 what=$2
    case $kind in
        lib) grep -qF "$what " <<<"$LIBS" ;;
        file) [ -e "$what" ] ;;
        cmd) command -v "$what" >/dev/null 2>&1 ;;
        pkg) dpkg-query -W -f='${db:Status-Status}' "$what" 2>/dev/null | grep -qx installed ;;
    esac
}

missing=()
for package in "${ORDER[@]}"; do
    # shellcheck disable=SC2086
    present ${PRESENT_IF[$package]} || missing+=("$package")
done
for package in "$@"; do
    present pkg "$package" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "These system libraries seem to be missing: ${missing[*]}" >&2
    echo "This is not a Debian/Ubuntu machine: install Pango and HarfBuzz (see WeasyPrint's install notes)" >&2
    echo "and poppler's pdftoppm, then run again with SKIP_SYSTEM_PACKAGES=1." >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo >&2
    echo "The portal needs some system packages that are not installed: ${missing[*]}" >&2
    echo "Install them with this command, then run make again:" >&2
    echo >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo >&2
    exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}"
