"""Presentation shared by the CLI and the web app: the documented JSON shapes, citation lines and references.

The last stage: it reads answers, citations and timeline events and turns them into text or JSON; nothing in the
pipeline imports it.

Stage: presentation, above answering. Must not import the engine or the edges, which both import it.
"""
import json
import re

from .safe_text import shown


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


def source_line(c) -> str:
    """One citation as one terminal line: publisher, date and how it was obtained, title, paragraph."""
    date_note = f"{c.published} ({c.date_method})" if c.published else "date unknown"
    return shown(f"{c.source or 'unknown source'}, {date_note} — {c.title} — paragraph {c.paragraph} "
                 f"({c.article_id}:{c.paragraph})")


def reference(source: str | None, published: str | None, title: str, paragraph: int, article_id: str,
              when: str | None = None) -> str:
    """A citation string to paste into a document; `when` is the date as the reader should see it."""
    return (f"{source or 'Unknown source'}, {when or published or 'date unknown'}, “{title}”, paragraph {paragraph} "
            f"[archive: {article_id}:{paragraph}]")


def also_reported(passage) -> str:
    """A line for an answer: who else ran this paragraph, and what a later version corrected."""
    copies = getattr(passage, "also", ())
    if not copies:
        return ""
    names = "; ".join(f"{c.source or 'unknown source'}, {c.published or 'date unknown'} ({c.id})" for c in copies)
    line = f"Also reported by {names}."
    fixes = [c for c in copies if c.differs and (c.published or "") <= (passage.published or "")]
    if fixes:
        line += " This version corrects an earlier one (" + "; ".join(
            f"{c.source or c.article_id}, {c.published or 'date unknown'}: {c.differs}" for c in fixes) + ")."
    return line


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_line(obj, indent: int | None = None) -> str:
    """JSON for a terminal or a pipe: UTF-8 text, with every control or line-breaking character \\u-escaped."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
