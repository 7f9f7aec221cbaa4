"""User-supplied strings at the edges: repaired on the way in, escaped on the way out to a terminal.

Command-line arguments and standard input may carry bytes that are not UTF-8 (Python keeps them as lone
surrogates) and control characters: an escape sequence in a file name would reach the terminal, and a newline in
one would forge an output line. Nothing here imports another module of the package.

Stage: the toolkit under every stage. Imports nothing of rag/.
"""
import re

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidirectional overrides that can make
# one line look like two or reorder what is shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def repaired(text: str) -> str:
    """`text` with undecodable bytes (lone surrogates from argv or stdin) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def one_line(text: str) -> str:
    """`text` repaired, with control characters as spaces and runs of white space collapsed to one."""
    return " ".join(_CONTROL.sub(" ", repaired(text)).split())


def shown(text, keep_newlines: bool = False) -> str:
    """`text` for one terminal line: control characters escaped as \\n, \\x1b, \\u2028 (like repr, no quotes).
    `keep_newlines` keeps line breaks, for text of several lines that we laid out (an answer)."""
    escape = _escape_but_newline if keep_newlines else _escape
    return _CONTROL.sub(escape, repaired(str(text)))


def _escape(m: re.Match) -> str:
    c = m.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def _escape_but_newline(m: re.Match) -> str:
    return m.group() if m.group() == "\n" else _escape(m)
