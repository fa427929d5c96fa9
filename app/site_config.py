"""The site configuration: what a city's IT sets once for every clerk's PC.

An INI file named `union-clerk-site.ini`:

    [server]
    url = https://baozhang.example.org.cn
    ; optional: the city's own root certificate(s), PEM; a relative path is beside this file
    ca_bundle = city-root-ca.pem
    ; test installations only: allow a plain http:// server on another PC (passwords in clear)
    allow_insecure = no

It is looked up in this order, the first file found wins:
1. the file named by the environment variable UNION_CLERK_SITE_CONFIG (IT scripts, tests);
2. beside the program (the Windows installer puts IT's file there; a Linux tarball too);
3. the machine-wide configuration folder (e.g. C:\\ProgramData\\ShanghaiUnion\\UnionClerk,
   /etc/xdg/UnionClerk), where a group policy can drop it after installation.

Reading it never fails: a file that cannot be used is reported in `problems` (said to the clerk
with what to tell IT) and the app goes on as if there were none. Plain Python, no Qt.
"""
from __future__ import annotations

import configparser
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

FILE_NAME = "union-clerk-site.ini"
ENV_VAR = "UNION_CLERK_SITE_CONFIG"


@dataclass(frozen=True)
class SiteConfig:
    server_url: str = ""
    ca_bundle: str | None = None
    #: IT allows plain http:// to a server on another PC (a test installation; app.sync.client.check_transport)
    allow_insecure: bool = False
    #: the file these values came from (None: no site configuration)
    source: Path | None = None
    #: what is wrong with the file, in words for the clerk (empty: nothing)
    problems: tuple[str, ...] = field(default=())


def program_dir() -> Path:
    """The folder of the running program: the frozen executable's, or the interpreter's."""
    return Path(sys.executable).resolve().parent


def machine_config_dir() -> Path:
    from platformdirs import site_config_dir

    return Path(site_config_dir("UnionClerk", "ShanghaiUnion"))


def candidates() -> list[Path]:
    """Where a site configuration may be, in the order they are tried."""
    paths = []
    if os.environ.get(ENV_VAR):
        paths.append(Path(os.environ[ENV_VAR]))
    paths.append(program_dir() / FILE_NAME)
    paths.append(machine_config_dir() / FILE_NAME)
    return paths


def valid_server_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def parse(path: Path) -> SiteConfig:
    """The site configuration in `path` (which exists); problems are collected, never raised."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    try:
        with open(path, encoding="utf-8-sig") as handle:  # Notepad may save with a BOM
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        return SiteConfig(source=path, problems=(
            f"站点配置文件 {path} 无法读取（{type(exc).__name__}），已忽略。请联系电脑管理员检查该文件。",))
    problems: list[str] = []
    url = parser.get("server", "url", fallback="").strip()
    if url and not valid_server_url(url):
        problems.append(f"站点配置文件 {path} 中的服务器地址“{url}”不是 http:// 或 https:// 开头的网址，已忽略。"
                        "请联系电脑管理员修改该文件的 [server] url 一项。")
        url = ""
    ca_bundle: str | None = parser.get("server", "ca_bundle", fallback="").strip() or None
    if ca_bundle:
        ca_path = Path(ca_bundle)
        if not ca_path.is_absolute():
            ca_path = path.parent / ca_path
        if ca_path.is_file():
            ca_bundle = str(ca_path)
        else:
            problems.append(f"站点配置文件 {path} 指定的证书文件 {ca_path} 不存在，已改用系统自带的证书。"
                            "请联系电脑管理员补上该文件。")
            ca_bundle = None
    allow_insecure = False
    try:
        allow_insecure = parser.getboolean("server", "allow_insecure", fallback=False)
    except ValueError:
        problems.append(f"站点配置文件 {path} 中的 allow_insecure 只能写 yes 或 no，已按 no（不允许不加密连接）处理。"
                        "请联系电脑管理员修改该文件。")
    return SiteConfig(server_url=url.rstrip("/"), ca_bundle=ca_bundle, allow_insecure=allow_insecure, source=path,
                      problems=tuple(problems))


def load() -> SiteConfig:
    """The site configuration of this PC (an empty one when IT set none)."""
    for path in candidates():
        if path.is_file():
            return parse(path)
    return SiteConfig()


_current: SiteConfig | None = None


def current() -> SiteConfig:
    """This run's site configuration, read once (the files do not change while the app runs)."""
    global _current
    if _current is None:
        _current = load()
    return _current


def permit_insecure() -> None:
    """`union-clerk --allow-insecure`: this run may use a plain http:// server on another PC, as if
    IT's site configuration said `allow_insecure = yes` (a test installation)."""
    global _current
    _current = replace(current(), allow_insecure=True)


def forget() -> None:
    """Read the files again on the next current() (tests; IT changed a file)."""
    global _current
    _current = None


def server_url(saved: str = "") -> str:
    """The server address a login form starts with: IT's site configuration wins over the one
    this profile used last, which wins over nothing."""
    return current().server_url or saved
