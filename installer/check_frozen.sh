#!/usr/bin/env bash
# Run the frozen one-folder build with no Python reachable: an empty environment, and (where
# mount namespaces are allowed, e.g. as root) every Python installation of this machine hidden
# under an empty tmpfs. Checks `union-clerk-cli --version` and a Chinese screenshot of the
# workbench (offscreen, demo data).
#   bash installer/check_frozen.sh dist/union-clerk [OUT.png]
set -euo pipefail
APP=$(cd "${1:?usage: check_frozen.sh APPDIR [OUT.png]}" && pwd)
OUT=${2:-$(dirname "$APP")/frozen-workbench.png}
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT

hide=""
for dir in /usr/lib/python3* /usr/local/lib/python3* "$HOME/.pyenv" /opt/python* /opt/hostedtoolcache/Python; do
  [ -d "$dir" ] && hide="$hide $dir"
done
namespace=0
if [ -n "$hide" ] && unshare -m true 2>/dev/null; then namespace=1; fi
run() {
  local script="$*"
  if [ "$namespace" = 1 ]; then
    script="for d in $hide; do mount -t tmpfs none \"\$d\"; done; $script"
    env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen unshare -m sh -c "$script"
  else
    env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen sh -c "$script"
  fi
}

if [ "$namespace" = 1 ]; then
  if run "python3 -c 'import encodings'" 2>/dev/null; then
    echo "a Python standard library is still reachable inside the check" >&2; exit 1
  fi
  echo "   hidden:$hide (python3 on PATH cannot start)"
else
  echo "   no mount namespace here: the environment is emptied, Python installations stay visible"
fi
# Qt libraries the issue rules out (installer/union-clerk.spec drops them and what pulls them in).
unwanted=$(find "$APP" \( -iname '*Qt6Pdf*' -o -iname '*Qt6Quick*' -o -iname '*Qt6Qml*' -o -iname '*Qt6WebEngine*' \
  -o -iname '*Qt6VirtualKeyboard*' \) | sort)
if [ -n "$unwanted" ]; then echo "Qt libraries the app does not use were bundled:" >&2; echo "$unwanted" >&2; exit 1; fi
version=$(run "\"$APP/union-clerk-cli\" --version")
echo "   $version"
case "$version" in union-clerk-cli\ [0-9]*) ;; *) echo "unexpected --version output" >&2; exit 1 ;; esac
rm -f "$OUT"
run "\"$APP/union-clerk\" --demo --screenshot \"$OUT\" --page workbench"
[ -s "$OUT" ] || { echo "no screenshot written" >&2; exit 1; }
echo "   screenshot of the frozen build: $OUT"
