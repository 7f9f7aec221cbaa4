"""python -m rag ingest|ask|chat|eval|timeline|stats|check: a thin shell over the engine.

Stage: the edge. Everything below may be imported here; nothing in rag/ imports it.
"""
import argparse
import json
import os
import re
import sys
from datetime import date

from .config import Config
from .errors import InputError, RagError
from .present import also_reported, answer_json, json_line, source_line, timeline_json
from .safe_text import shown
from .store import Filters


def print_timeline(topic: str, events, out=None) -> None:
    out = out or sys.stdout  # the current one, not the one at import time
    if not events:
        print(f"The archive holds no dated events about \u201c{shown(topic)}\u201d.", file=out)
        return
    for e in events:
        also = "".join(f"[{c.n}]" for c in e.also)
        print(f"{e.start.isoformat()}  {shown(e.label)} (\"{shown(e.date_text)}\")\n    {shown(e.text)} "
              f"[{e.citation.n}]{also}", file=out)
    print("\nSources:", file=out)
    cited = {c.n: c for e in events for c in (e.citation, *e.also)}
    for n, c in sorted(cited.items()):
        print(f"[{n}] {source_line(c)}", file=out)


def print_answer(answer, out=sys.stdout, with_text: bool = True) -> None:
    if with_text:
        print(shown(answer.text, keep_newlines=True), file=out)
    v = answer.verification
    if v and v.get("sentences"):
        fallback = "; none survived, so this is the extractive answer" if v.get("fallback") else ""
        print(f"\nVerified {v['supported'] + v['reattributed']} of {v['sentences']} sentences of the {answer.answerer} "
              f"answer ({v['reattributed']} re-attributed, {v['removed']} removed){fallback}.", file=out)
    if answer.short_answer:
        print(f"\nShort answer: {shown(answer.short_answer)}", file=out)
    if answer.citations:
        print("\nSources:", file=out)
        for c in answer.citations:
            print(f"[{c.n}] {source_line(c)}\n    “{shown(c.quote)}”", file=out)
            if c.also:
                print(f"    {shown(also_reported(c))}", file=out)
    elif answer.abstained and answer.passages:
        print("\nRelated, but not an answer:", file=out)
        for p in answer.passages[:3]:
            print("- " + shown(f"{p.source or 'unknown source'}, {p.published or 'date unknown'} — {p.title} — "
                               f"paragraph {p.paragraph}"), file=out)


def _engine(args, create=False, answerer=None):
    from .engine import build_engine
    answerer = answerer or getattr(args, "answerer", None)
    engine = build_engine(Config.from_env(top_k=getattr(args, "top_k", None), answerer=answerer), create=create)
    if engine.notice:  # e.g. the reader model is missing: answers still come, from the extractive answerer
        print(f"note: {shown(engine.notice)}", file=sys.stderr)
    return engine


def _filters(args) -> Filters:
    start, end = args.date_from, args.date_to
    if start and end and start > end:
        raise InputError(f"--from {start} is after --to {end}; nothing can match, swap them")
    return Filters(tuple(args.source or ()), start and start.isoformat(), end and end.isoformat())


def cmd_ingest(args) -> int:
    from tqdm import tqdm
    engine = _engine(args, create=True, answerer="extractive")  # ingest answers nothing: no language model
    paths = list(args.paths)
    if args.repair:
        recorded = sorted({a.path for a in engine.index.articles() if a.path})
        gone = [p for p in recorded if not os.path.exists(p)]
        for p in gone[:5]:
            print(f"warning: {shown(p)}: indexed from this file, which is gone; `ingest --prune` drops its "
                  "articles", file=sys.stderr)
        paths += [p for p in recorded if p not in gone]
    elif not paths:
        raise InputError("name the files or folders to ingest, e.g. `python -m rag ingest archive/`")
    bar = tqdm(total=0, unit="para", disable=args.quiet or None, file=sys.stderr)

    def progress(done, total, _label):
        bar.total = total
        bar.n = done
        bar.refresh()

    report = engine.ingest(paths, prune=args.prune, progress=progress)
    bar.close()
    for note in report.notes:
        print(f"warning: {shown(note)}", file=sys.stderr)
    for entry in report.skipped:
        print(f"skipped: {shown(entry)}", file=sys.stderr)
    for err in report.failed:
        print(f"failed: {shown(err)}", file=sys.stderr)
    print(shown(f"Ingested {report.files} files into {engine.config.index_dir}: {report.summary()}"))
    return 0 if report.ok else 1


def cmd_ask(args) -> int:
    engine = _engine(args)
    if args.question:
        _answer(engine, " ".join(args.question), args.json, filters=_filters(args), as_of=args.as_of)
        return 0
    status = 0
    for lineno, line in enumerate(sys.stdin, start=1):  # batch mode: one question or JSON object per line
        if not line.strip():
            continue
        try:
            question, as_of = batch_line(line, args.as_of)
            _answer(engine, question, args.json, filters=_filters(args), as_of=as_of)
        except Exception as e:  # one bad line never stops the batch
            _line_error(args.json, lineno, line, e)
            status = 1
    return status


def batch_line(line: str, as_of: date | None) -> tuple[str, date | None]:
    """One standard-input line: a question, or {"question": "...", "as_of": "YYYY-MM-DD"}."""
    line = line.strip()
    if not line.startswith("{"):
        return line, as_of
    try:
        obj = json.loads(line)
    except ValueError as e:
        raise InputError(f"not valid JSON ({e}); write one question or one JSON object per line") from None
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object like {\"question\": \"...\"}")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise InputError(f"field \"question\" must be a non-empty string, not {json.dumps(question)[:40]}")
    if obj.get("as_of") is None:
        return question, as_of
    if not isinstance(obj["as_of"], str):
        raise InputError(f"field \"as_of\" must be a date string YYYY-MM-DD, not {json.dumps(obj['as_of'])[:40]}")
    try:
        return question, iso_date(obj["as_of"])
    except argparse.ArgumentTypeError as e:
        raise InputError(f"field \"as_of\": {e}") from None


def _line_error(as_json: bool, lineno: int, line: str, error: Exception) -> None:
    """One line (a JSON object with --json) naming the input line that failed and why; the batch goes on."""
    if not isinstance(error, RagError):
        error = f"unexpected {type(error).__name__}: {error}; this is a bug, please report it"
    if as_json:
        print(json_line({"line": lineno, "input": line.rstrip("\n")[:200], "error": str(error)}), flush=True)
    else:
        print(f"error: line {lineno}: {shown(error)}", file=sys.stderr, flush=True)


def _answer(engine, question: str, as_json: bool, **kwargs):
    """Ask and print; in text mode the answer streams to the terminal sentence by sentence, as verified."""
    from .answer import Answer
    if as_json:
        # stdout stays one JSON object per answer; a person watching a terminal still sees the answer arrive.
        show = sys.stderr.isatty()
        for answer in engine.ask_stream(question, **kwargs):
            if show and not isinstance(answer, Answer):
                print(shown(answer, keep_newlines=True), end="", file=sys.stderr, flush=True)
        if show:
            print(file=sys.stderr)
        _emit(answer, True, engine.index)
        return answer
    for piece in engine.ask_stream(question, **kwargs):
        if isinstance(piece, Answer):
            print(file=sys.stdout)
            print_answer(piece, out=sys.stdout, with_text=False)  # sys.stdout now, not at import
            print(flush=True)
            return piece
        print(shown(piece, keep_newlines=True), end="", flush=True)


def _emit(answer, as_json: bool, index=None) -> None:
    if as_json:
        print(json_line(answer_json(answer, index)), flush=True)
    else:
        print_answer(answer)
        print(flush=True)


def cmd_chat(args) -> int:
    from .answer import Turn
    engine = _engine(args)
    history: list[Turn] = []
    interactive = sys.stdin.isatty() and not args.json
    status, lineno = 0, 0
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except EOFError:
            break
        lineno += 1
        if not interactive and not line:
            break
        if not line.strip():
            continue
        try:
            answer = _answer(engine, line, args.json, history=tuple(history), filters=_filters(args),
                             as_of=args.as_of)
        except Exception as e:  # one bad turn never ends the conversation
            _line_error(args.json, lineno, line, e)
            status = 1
            continue
        history.append(Turn(answer.question, answer))
    return 0 if interactive else status


def cmd_eval(args) -> int:
    from .evaluate import evaluate, format_report
    engine = _engine(args)
    report = evaluate(engine, args.gold)
    print(json_line(report, indent=2) if args.json else shown(format_report(report), keep_newlines=True))
    if args.min_accuracy is not None and report["overall"]["answer_accuracy"] < args.min_accuracy:
        print(f"answer accuracy {report['overall']['answer_accuracy']:.3f} is below --min-accuracy "
              f"{args.min_accuracy}", file=sys.stderr)
        return 1
    return 0


def cmd_timeline(args) -> int:
    from .timeline import timeline
    engine = _engine(args, answerer="extractive")  # a timeline is dated sentences: no language model
    topic = " ".join(args.topic)
    events = timeline(engine, topic, k=args.k, filters=_filters(args), as_of=args.as_of)
    if args.json:
        print(json_line(timeline_json(topic, events, engine.index)))
    else:
        print_timeline(topic, events)
    return 0


def cmd_stats(args) -> int:
    from .store import Index
    config = Config.from_env()
    index = Index(config.index_dir, chroma_url=config.chroma_url)
    stats = index.stats()
    if args.json:
        print(json_line(stats))
    else:
        for k, v in stats.items():
            print(shown(f"{k:12} {v}"))
    return 0


def cmd_check(args) -> int:
    from .store import Index
    config = Config.from_env()
    index = Index(config.index_dir, chroma_url=config.chroma_url)
    problems = index.check()
    for p in problems:
        print(f"problem: {shown(p)}")
    if problems:
        print(f"Repair: run `{repair_command(config)}` (it re-reads the files the index came from, removes "
              "orphans and re-adds what is missing).")
        return 1
    print(shown(f"Index at {config.index_dir} is consistent."))
    return 0


def repair_command(config: Config) -> str:
    """The command that repairs this index, as a user would paste it (naming the index folder if not the default)."""
    import shlex
    where = "" if config.index_dir == Config.index_dir else f"RAG_INDEX_DIR={shlex.quote(shown(config.index_dir))} "
    return f"{where}python -m rag ingest --repair"


def iso_date(text: str) -> date:
    """A YYYY-MM-DD date (argparse type); anything else is refused with the accepted form."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{shown(text)!r} is not a date; use YYYY-MM-DD, e.g. 2019-08-31")


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error that names the bad argument and points to --help."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {shown(message)} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m rag", description="Ask a news archive; answers cite paragraphs.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="add or update archive files and folders")
    s.add_argument("paths", nargs="*")
    s.add_argument("--prune", action="store_true", help="remove indexed articles whose files are gone")
    s.add_argument("--repair", action="store_true", help="also re-read every file the index came from "
                                                          "(what `check` asks for)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_ingest)

    def filters(s):
        s.add_argument("--source", action="append", help="only this publisher (repeatable)")
        dates(s)
        s.add_argument("--top-k", type=positive, help=f"passages to retrieve (default {Config.top_k})")
        answerer(s)

    def dates(s):
        s.add_argument("--from", dest="date_from", type=iso_date, help="published on or after YYYY-MM-DD")
        s.add_argument("--to", dest="date_to", type=iso_date, help="published on or before YYYY-MM-DD")

    def answerer(s):
        s.add_argument("--answerer", help="answer backend: extractive (default, or RAG_ANSWERER), llamacpp, "
                                          "ollama, openai")

    s = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    s.add_argument("question", nargs="*")
    s.add_argument("--json", action="store_true")
    s.add_argument("--as-of", type=iso_date, help="answer as of this date (YYYY-MM-DD) for 'this week', "
                                                   "'yesterday'")
    filters(s)
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="a conversation; with --json, stdin lines are its turns")
    s.add_argument("--json", action="store_true")
    s.add_argument("--as-of", type=iso_date, help="answer as of this date (YYYY-MM-DD)")
    filters(s)
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("eval", help="score the engine on gold Q&A pairs")
    s.add_argument("gold", nargs="?", default="eval/seed_gold.jsonl")
    s.add_argument("--json", action="store_true")
    s.add_argument("--min-accuracy", type=float)
    s.add_argument("--top-k", type=positive)
    answerer(s)
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("timeline", help="dated events about a topic, oldest first, with citations")
    s.add_argument("topic", nargs="+")
    s.add_argument("--json", action="store_true")
    s.add_argument("--as-of", type=iso_date, help="read 'this year', 'last month' in the topic as of this date "
                                                   "(YYYY-MM-DD)")
    s.add_argument("--k", type=positive, default=40, help="paragraphs to gather events from (default 40)")
    s.add_argument("--source", action="append", help="only this publisher (repeatable)")
    dates(s)
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser("stats", help="what the index holds")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("check", help="verify the index is consistent")
    s.set_defaults(func=cmd_check)
    return p


def positive(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    if not text.strip().isdigit() or int(text) < 1 or int(text) > 1000:
        raise argparse.ArgumentTypeError(f"{shown(text)!r} is not a whole number from 1 to 1000")
    return int(text)


def main(argv=None) -> int:
    # Bytes that are not UTF-8 on stdin become U+FFFD instead of an exception; output never fails on a character.
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "backslashreplace"), (sys.stderr, "backslashreplace")):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except RagError as e:
        print(f"error: {shown(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to finish (finished articles are kept)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head`: the reader went away; nothing more to say
        sys.stdout = open(os.devnull, "w")
        return 1
    except Exception as e:
        if os.environ.get("RAG_DEBUG"):  # read here, not in Config: the bug may be in building the Config
            raise
        print(f"error: unexpected {type(e).__name__}: {shown(e)}; this is a bug, please report it with the "
              "command you ran (RAG_DEBUG=1 shows the details)", file=sys.stderr)
        return 2
