"""python -m rag ingest|ask|chat|eval|timeline|stats|check: a thin shell over the engine."""
import argparse
import json
import sys
from datetime import date

from .config import Config
from .dedup import also_reported
from .errors import RagError
from .index import Filters


def answer_json(answer, index=None) -> dict:
    """The documented JSON shape of an answer (see README); given the index, citations say how each article's
    publication date was obtained (date_evidence)."""
    evidence = date_evidence(index, answer.citations)
    return {
        "question": answer.question,
        "answer": answer.text,
        "short_answer": answer.short_answer,
        "abstained": answer.abstained,
        "answerer": answer.answerer,
        "standalone_question": answer.standalone_question,
        "citations": [citation_json(c, evidence.get(c.article_id)) for c in answer.citations],
        "passages": [{"article_id": p.article_id, "paragraph": p.paragraph, "score": round(p.score, 6),
                      "title": p.title, "source": p.source, "published": p.published, "text": p.text}
                     for p in answer.passages],
        "timings_ms": answer.timings_ms,
        **({"verification": answer.verification} if answer.verification is not None else {}),
    }


def citation_json(c, date_evidence: str | None = None) -> dict:
    """One citation, the same shape in `ask --json` and `timeline --json`."""
    return {"n": c.n, "article_id": c.article_id, "paragraph": c.paragraph, "title": c.title, "source": c.source,
            "published": c.published, "date_method": c.date_method, "date_evidence": date_evidence,
            "text": c.text, "quote": c.quote, "verified": c.verified,
            "also_reported": [{"article_id": o.article_id, "paragraph": o.paragraph, "title": o.title,
                               "source": o.source, "published": o.published, "differs": o.differs}
                              for o in getattr(c, "also", ())]}


def date_evidence(index, citations) -> dict[str, str]:
    """article id -> how its publication date was obtained ("weekday \"Saturday\" + \"August 31\" + © 2019 → …")."""
    if index is None:
        return {}
    records = {c.article_id: index.article(c.article_id) for c in citations}
    return {aid: r.date_evidence for aid, r in records.items() if r is not None}


def timeline_json(topic: str, events, index=None) -> dict:
    """The documented JSON shape of a timeline: {"topic", "events": [{"date", "date_text", "text", "citation"}]}."""
    evidence = date_evidence(index, [c for e in events for c in (e.citation, *e.also)])
    return {"topic": topic, "events": [
        {"date": e.start.isoformat(), "end": e.end.isoformat(), "time": e.time, "label": e.label, "kind": e.kind,
         "date_text": e.date_text, "text": e.text, "citation": citation_json(e.citation, evidence.get(
             e.citation.article_id)), "also": [citation_json(c, evidence.get(c.article_id)) for c in e.also]}
        for e in events]}


def print_timeline(topic: str, events, out=None) -> None:
    out = out or sys.stdout  # the current one, not the one at import time
    if not events:
        print(f"The archive holds no dated events about \u201c{topic}\u201d.", file=out)
        return
    for e in events:
        also = "".join(f"[{c.n}]" for c in e.also)
        print(f"{e.start.isoformat()}  {e.label} (\"{e.date_text}\")\n    {e.text} [{e.citation.n}]{also}", file=out)
    print("\nSources:", file=out)
    cited = {c.n: c for e in events for c in (e.citation, *e.also)}
    for n, c in sorted(cited.items()):
        date_note = f"{c.published} ({c.date_method})" if c.published else "date unknown"
        print(f"[{n}] {c.source or 'unknown source'}, {date_note} — {c.title} — paragraph {c.paragraph} "
              f"({c.article_id}:{c.paragraph})", file=out)


def print_answer(answer, out=sys.stdout, with_text: bool = True) -> None:
    if with_text:
        print(answer.text, file=out)
    v = answer.verification
    if v and v.get("sentences"):
        fallback = "; none survived, so this is the extractive answer" if v.get("fallback") else ""
        print(f"\nVerified {v['supported'] + v['reattributed']} of {v['sentences']} sentences of the {answer.answerer} "
              f"answer ({v['reattributed']} re-attributed, {v['removed']} removed){fallback}.", file=out)
    if answer.short_answer:
        print(f"\nShort answer: {answer.short_answer}", file=out)
    if answer.citations:
        print("\nSources:", file=out)
        for c in answer.citations:
            date_note = f"{c.published} ({c.date_method})" if c.published else "date unknown"
            print(f"[{c.n}] {c.source or 'unknown source'}, {date_note} — {c.title} — paragraph {c.paragraph} "
                  f"({c.article_id}:{c.paragraph})\n    “{c.quote}”", file=out)
            if c.also:
                print(f"    {also_reported(c)}", file=out)
    elif answer.abstained and answer.passages:
        print("\nRelated, but not an answer:", file=out)
        for p in answer.passages[:3]:
            print(f"- {p.source or 'unknown source'}, {p.published or 'date unknown'} — {p.title} — "
                  f"paragraph {p.paragraph}", file=out)


def _engine(args, create=False):
    from .engine import build_engine
    return build_engine(Config.from_env(top_k=getattr(args, "top_k", None), answerer=getattr(args, "answerer", None)),
                        create=create)


def _filters(args) -> Filters:
    return Filters(tuple(args.source or ()), args.date_from, args.date_to)


def cmd_ingest(args) -> int:
    from tqdm import tqdm
    engine = _engine(args, create=True)
    bar = tqdm(total=0, unit="para", disable=args.quiet or None, file=sys.stderr)

    def progress(done, total, _label):
        bar.total = total
        bar.n = done
        bar.refresh()

    report = engine.ingest(args.paths, prune=args.prune, progress=progress)
    bar.close()
    for note in report.notes:
        print(f"warning: {note}", file=sys.stderr)
    for err in report.failed:
        print(f"failed: {err}", file=sys.stderr)
    print(f"Ingested {report.files} files into {engine.config.index_dir}: {report.summary()}")
    return 0 if report.ok else 1


def cmd_ask(args) -> int:
    engine = _engine(args)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    if args.question:
        _answer(engine, " ".join(args.question), args.json, filters=_filters(args), as_of=as_of)
        return 0
    status = 0
    for line in sys.stdin:  # batch mode: one question (or {"question", "as_of"} object) per line
        if not line.strip():
            continue
        question, line_as_of = line.strip(), as_of
        if question.startswith("{"):
            try:
                obj = json.loads(question)
                question = obj["question"]
                line_as_of = date.fromisoformat(obj["as_of"]) if obj.get("as_of") else as_of
            except (ValueError, KeyError, TypeError) as e:
                print(json.dumps({"question": question, "error": f"bad input line ({e})"}), flush=True)
                status = 1
                continue
        try:
            _answer(engine, question, args.json, filters=_filters(args), as_of=line_as_of)
        except RagError as e:
            print(json.dumps({"question": question, "error": str(e)}) if args.json else f"error: {e}", flush=True)
            status = 1
    return status


def _answer(engine, question: str, as_json: bool, **kwargs):
    """Ask and print; in text mode the answer streams to the terminal sentence by sentence, as verified."""
    from .answer import Answer
    if as_json:
        # stdout stays one JSON object per answer; a person watching a terminal still sees the answer arrive.
        show = sys.stderr.isatty()
        for answer in engine.ask_stream(question, **kwargs):
            if show and not isinstance(answer, Answer):
                print(answer, end="", file=sys.stderr, flush=True)
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
        print(piece, end="", flush=True)


def _emit(answer, as_json: bool, index=None) -> None:
    if as_json:
        print(json.dumps(answer_json(answer, index), ensure_ascii=False), flush=True)
    else:
        print_answer(answer)
        print(flush=True)


def cmd_chat(args) -> int:
    from .engine import Turn
    engine = _engine(args)
    history: list[Turn] = []
    interactive = sys.stdin.isatty() and not args.json
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except EOFError:
            break
        if not interactive and not line:
            break
        if not line.strip():
            continue
        try:
            answer = _answer(engine, line, args.json, history=tuple(history), filters=_filters(args))
        except RagError as e:
            print(json.dumps({"question": line.strip(), "error": str(e)}) if args.json else f"error: {e}", flush=True)
            continue
        history.append(Turn(line.strip(), answer))
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate, format_report
    engine = _engine(args)
    report = evaluate(engine, args.gold)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    if args.min_accuracy is not None and report["overall"]["answer_accuracy"] < args.min_accuracy:
        print(f"answer accuracy {report['overall']['answer_accuracy']:.3f} is below --min-accuracy "
              f"{args.min_accuracy}", file=sys.stderr)
        return 1
    return 0


def cmd_timeline(args) -> int:
    from .timeline import timeline
    engine = _engine(args)
    topic = " ".join(args.topic)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    events = timeline(engine, topic, k=args.k, filters=_filters(args), as_of=as_of)
    if args.json:
        print(json.dumps(timeline_json(topic, events, engine.index), ensure_ascii=False))
    else:
        print_timeline(topic, events)
    return 0


def cmd_stats(args) -> int:
    from .index import Index
    index = Index(Config.from_env().index_dir)
    stats = index.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        for k, v in stats.items():
            print(f"{k:12} {v}")
    return 0


def cmd_check(args) -> int:
    engine = _engine(args)
    problems = engine.index.check()
    for p in problems:
        print(f"problem: {p}")
    if problems:
        print("Repair: run `python -m rag ingest archive/` again (it removes orphans and re-adds what is "
              "missing), or `python -m rag ingest --rebuild archive/` to start over.")
        return 1
    print(f"Index at {engine.config.index_dir} is consistent.")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag", description="Ask a news archive; answers cite paragraphs.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="add or update archive files and folders")
    s.add_argument("paths", nargs="+")
    s.add_argument("--prune", action="store_true", help="remove indexed articles whose files are gone")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_ingest)

    def filters(s):
        s.add_argument("--source", action="append", help="only this publisher (repeatable)")
        s.add_argument("--from", dest="date_from", help="published on or after YYYY-MM-DD")
        s.add_argument("--to", dest="date_to", help="published on or before YYYY-MM-DD")
        s.add_argument("--top-k", type=int, help="passages to retrieve (default 5)")
        answerer(s)

    def answerer(s):
        s.add_argument("--answerer", help="answer backend: extractive (default, or RAG_ANSWERER), llamacpp, "
                                          "ollama, openai")

    s = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    s.add_argument("question", nargs="*")
    s.add_argument("--json", action="store_true")
    s.add_argument("--as-of", help="answer as of this date (YYYY-MM-DD) for 'this week', 'yesterday'")
    filters(s)
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="a conversation; with --json, stdin lines are its turns")
    s.add_argument("--json", action="store_true")
    filters(s)
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("eval", help="score the engine on gold Q&A pairs")
    s.add_argument("gold", nargs="?", default="eval/seed_gold.jsonl")
    s.add_argument("--json", action="store_true")
    s.add_argument("--min-accuracy", type=float)
    s.add_argument("--top-k", type=int)
    answerer(s)
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("timeline", help="dated events about a topic, oldest first, with citations")
    s.add_argument("topic", nargs="+")
    s.add_argument("--json", action="store_true")
    s.add_argument("--as-of", help="read 'this year', 'last month' in the topic as of this date (YYYY-MM-DD)")
    s.add_argument("--k", type=int, default=40, help="paragraphs to gather events from (default 40)")
    s.add_argument("--source", action="append", help="only this publisher (repeatable)")
    s.add_argument("--from", dest="date_from", help="published on or after YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", help="published on or before YYYY-MM-DD")
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser("stats", help="what the index holds")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("check", help="verify the index is consistent")
    s.set_defaults(func=cmd_check)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except RagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to finish (finished articles are kept)", file=sys.stderr)
        return 130
