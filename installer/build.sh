#!/usr/bin/env bash
# `make dist` after its build virtualenv is ready: freeze, check, pack, compile the Windows setup.
#   bash installer/build.sh PYTHON   (PYTHON: a venv with '.[clerk,dist]' only)
set -euo pipefail
PY=${1:?usage: build.sh PYTHON}
cd "$(dirname "$0")/.."
VERSION=$("$PY" -c 'import app; print(app.__version__)')
ARCH=$(uname -m)
APP=dist/union-clerk

echo "== PyInstaller: $APP (version $VERSION)"
rm -rf "$APP"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
    installer/union-clerk.spec
install -m 644 installer/linux/union-clerk.desktop "$APP/union-clerk.desktop"
install -m 755 installer/linux/install.sh "$APP/install.sh"
install -m 644 installer/union-clerk-site.ini.example "$APP/union-clerk-site.ini.example"

echo "== smoke test of the frozen build (no Python on its path)"
bash installer/check_frozen.sh "$APP"

TARBALL="dist/union-clerk-$VERSION-linux-$ARCH.tar.gz"
tar -C dist -czf "$TARBALL" union-clerk
size=$(du -sm "$APP" | cut -f1)
files=$(find "$APP" -type f | wc -l)
echo "== $APP: ${size} MB in $files files; $TARBALL: $(du -m "$TARBALL" | cut -f1) MB"

if ! command -v makensis >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsis >/dev/null
  else
    echo "makensis not found: install NSIS (Debian: apt-get install nsis) to compile the Windows setup" >&2
    exit 1
  fi
fi
echo "== makensis: the Windows setup script with the Linux build as a stand-in payload"
makensis -V2 -WX -DNOCOMPRESS -DVERSION="$VERSION" -DPAYLOAD="$PWD/$APP" -DSITE_CONFIG="$PWD/installer/union-clerk-site.ini.example" \
    -DOUTFILE="$PWD/dist/union-clerk-$VERSION-setup-STANDIN-linux-payload.exe" installer/windows/union-clerk.nsi
echo "   dist/union-clerk-$VERSION-setup-STANDIN-linux-payload.exe proves the script compiles; it is not a Windows setup."
echo
echo "The Windows setup (union-clerk-$VERSION-setup.exe) is built on Windows by"
echo ".github/workflows/windows-installer.yml: the same spec with a Windows Python, then makensis"
echo "with the Windows one-folder build as PAYLOAD (installer/README.md has the manual steps)."
