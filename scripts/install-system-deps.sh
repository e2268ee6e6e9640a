#!/usr/bin/env bash
# Debian packages Kuager needs beside its Python packages:
#  - fonts that cover Chinese and Arabic-script names (reports, PDFs, screenshots);
#  - Pango, which WeasyPrint uses to lay out PDFs;
#  - poppler-utils (pdftoppm) to look at PDFs as images;
#  - gettext (msgfmt) to compile the interface translations after editing a .po file;
#  - chromium, which the end-to-end web tests drive headless through Playwright;
#  - libicu-dev, pkg-config and g++ to build PyICU (followthemoney needs it; PyPI has no wheel).
# Run as root (or with sudo). Does nothing that is already installed.
set -euo pipefail
pkgs=(fonts-noto-cjk fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils gettext chromium libicu-dev pkg-config g++)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
