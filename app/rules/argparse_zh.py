"""argparse in Chinese, for union-clerk, union-clerk-cli and union-server alike (here because the
rules are what the client and the server both import): argparse's own English — its usage errors
and the headings of --help — said in Chinese by one table of its wordings. Python's argparse has no
Chinese catalogue of its own, and its English otherwise reaches the clerk."""
from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

#: argparse's usage errors, each matched whole.
MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"the following arguments are required: (.*)"), r"缺少必需的参数：\1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"无法识别的参数：\1"),
    (re.compile(r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)"), r"参数 \1 的值 \2 无效（可选：\3）"),
    (re.compile(r"argument (.*?): invalid \w+ value: (.*)"), r"参数 \1 的值 \2 无效"),
    (re.compile(r"argument (.*?): expected one argument"), r"参数 \1 后面需要一个值"),
    (re.compile(r"argument (.*?): expected at least one argument"), r"参数 \1 后面至少需要一个值"),
    (re.compile(r"argument (.*?): not allowed with argument (.*)"), r"参数 \1 不能与参数 \2 同时使用"),
    (re.compile(r"one of the arguments (.*) is required"), r"参数 \1 必须给出其中一个"),
    (re.compile(r"ambiguous option: (.*?) could match (.*)"), r"选项 \1 不明确，可能是：\2"),
)

#: The English argparse writes into --help and the usage line, wherever it stands.
HEADINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^usage: ", re.MULTILINE), "用法："),
    (re.compile(r"^(options|optional arguments):$", re.MULTILINE), "选项："),
    (re.compile(r"^positional arguments:$", re.MULTILINE), "位置参数："),
    (re.compile(r"show this help message and exit"), "显示此帮助信息并退出"),
    (re.compile(r"show program's version number and exit"), "显示程序的版本号并退出"),
)


def argparse_message_zh(message: str) -> str:
    """A usage error of argparse in Chinese (as it was when no wording matches)."""
    for pattern, chinese in MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(chinese, message)
    return message


def argparse_help_zh(text: str) -> str:
    """argparse's help or usage text with its English headings in Chinese."""
    for pattern, chinese in HEADINGS:
        text = pattern.sub(chinese, text)
    return text


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose --help, usage line and usage errors are in Chinese (its subcommands'
    parsers are of the same class unless told otherwise)."""

    def format_usage(self) -> str:
        return argparse_help_zh(super().format_usage())

    def format_help(self) -> str:
        return argparse_help_zh(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{argparse_message_zh(message)}\n")
