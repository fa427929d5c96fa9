#!/bin/sh
# Install the unpacked one-folder app for the current user (no root): a launcher in the menu.
#   tar -xzf union-clerk-VERSION-linux-x86_64.tar.gz && union-clerk/install.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$here/_internal/resources/icons/union-clerk.png" "$icons/union-clerk.png"
sed "s|^Exec=union-clerk|Exec=\"$here/union-clerk\"|" "$here/union-clerk.desktop" > "$apps/union-clerk.desktop"
echo "已安装菜单项：$apps/union-clerk.desktop"
