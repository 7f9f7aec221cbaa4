"""Untrusted text (articles, titles, file names, questions) made safe for Streamlit's markdown and HTML elements.

Archive text is data, never markup: a paragraph that says `<script>` or `[x](javascript:…)` must show those
characters. Markdown elements get every ASCII punctuation character backslash-escaped (CommonMark allows it
for all of them, and it also defuses Streamlit's own `:red[…]`, `:emoji:` and `$math$` syntax); HTML
elements get html.escape, with our own tags added around already-escaped text only.
"""
import html
import re

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_MARKER = re.compile(r"\[(\d{1,3})\]")


def md(text: str | None) -> str:
    """Text that markdown shows literally: punctuation escaped, line structure flattened."""
    flat = " ".join(str(text or "").split())  # no indented code blocks, setext headings or tables
    return _PUNCT.sub(r"\\\1", flat)


def answer_md(text: str) -> str:
    """An answer's text as markdown: everything literal except the [n] citation markers, which are emphasised."""
    out = []
    for i, piece in enumerate(_MARKER.split(text)):
        if i % 2:  # split() puts the captured marker numbers at odd positions
            out.append(f":blue[**\\[{piece}\\]**]")
        elif piece.strip():
            out.append((" " if piece[0].isspace() else "") + md(piece) + (" " if piece[-1].isspace() else ""))
        elif piece:
            out.append(" ")
    return "".join(out).strip()


def find_quote(paragraph: str, quote: str | None) -> tuple[int, int] | None:
    """Where the quoted sentence sits in the paragraph (tolerating different spacing), or None."""
    if not quote or not quote.strip():
        return None
    start = paragraph.find(quote)
    if start >= 0:
        return start, start + len(quote)
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    m = re.search(pattern, paragraph)
    return (m.start(), m.end()) if m else None


def paragraph_html(paragraph: str, quote: str | None = None, number: int | None = None,
                   focus: bool = False) -> str:
    """One paragraph as HTML: escaped text, the quote inside <mark>, an optional ¶ number and anchor id."""
    span = find_quote(paragraph, quote)
    if span:
        a, b = span
        body = (html.escape(paragraph[:a]) + '<mark class="quote">' + html.escape(paragraph[a:b]) + "</mark>"
                + html.escape(paragraph[b:]))
    else:
        body = html.escape(paragraph)
    number_html = f'<span class="pn">¶{int(number)}</span> ' if number is not None else ""
    anchor = f' id="para-{int(number)}"' if number is not None else ""
    css = "para focus" if focus else "para"
    return f'<div class="{css}"{anchor}>{number_html}{body}</div>'
