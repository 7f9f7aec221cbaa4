"""The Timeline page through streamlit's AppTest: the real app over the seed archive (plus an article full of
markup), indexed with the real bundled model as users have it. rag.timeline's own choices are tested in
test_timeline.py; these tests check what the page shows, which settings it honours, and its errors.
"""
import re
from datetime import date, datetime

import pytest

# The module-scoped index and app fixtures of test_app, shared rather than copied.
from test_app import (AFP_ID, _assert_inert, _unescape_md, app_env, fresh_app_env, page_links,  # noqa: F401
                      shared_index, start)

REUTERS_ID = "reuters-2019-06-idlib-ceasefire"
TOPIC = "Idlib ceasefire"


def open_timeline(monkeypatch):
    at = start(monkeypatch)
    at.switch_page("webapp/timeline.py").run()
    assert not at.exception, at.exception
    return at


def build(at, topic: str):
    at.text_input(key="timeline_topic").set_value(topic)
    at.button(key="timeline_go").click().run()
    assert not at.exception, at.exception
    return at


def in_order(node):
    """The elements under a block in page order, an expander standing for everything inside it."""
    for child in getattr(node, "children", {}).values():
        yield child
        if child.type != "expander":
            yield from in_order(child)


def events(at) -> list[dict]:
    """What the page shows, one dict per event: its date heading, time and date words, sentence, citations."""
    out = []
    for box in (c for c in at.main.children.values() if c.type == "flex_container"):
        heading = None
        for child in in_order(box):
            if child.type == "markdown" and child.value.startswith("##### "):
                heading = _unescape_md(child.value[6:])
            elif child.type == "caption":
                out.append({"heading": heading, "said": _unescape_md(child.value), "citations": []})
            elif child.type == "markdown":
                out[-1]["sentence"] = child.value
            elif child.type == "expander":
                out[-1]["citations"].append(child)
    return out


def day(heading: str) -> date:
    """The first day a heading stands for: 'Saturday 31 August 2019', 'Early August 2019', 'Since 2011'."""
    words = re.sub(r"^(since|early|mid-|late)\s*", "", heading, flags=re.I)
    for fmt in ("%A %d %B %Y", "%B %Y", "%Y"):
        try:
            return datetime.strptime(words, fmt).date()
        except ValueError:
            pass
    raise AssertionError(f"not a date heading: {heading!r}")


def test_idlib_events_come_in_date_order_each_with_its_citation(app_env, monkeypatch):
    at = build(open_timeline(monkeypatch), TOPIC)
    shown = events(at)
    headings = [e["heading"] for e in shown]
    assert len(shown) >= 8, headings
    assert [day(h) for h in headings] == sorted(day(h) for h in headings)
    for key in ["September 2018", "Wednesday 12 June 2019", "Friday 30 August 2019", "Saturday 31 August 2019"]:
        assert key in headings
    assert headings.index("Friday 30 August 2019") < headings.index("Saturday 31 August 2019")
    for e in shown:
        # the sentence ends with the numbers of its citations, the first one opening as that citation
        numbers = re.findall(r":blue\[\*\*\\\[(\d+)\\\]\*\*\]", e["sentence"])
        assert numbers, e["sentence"]
        first = _unescape_md(e["citations"][0].label)
        assert first.startswith(f"[{numbers[0]}] ") and re.match(r"\[\d+\] (AFP|Reuters) · \d+ \w+ 2019 · ¶\d+", first)
    truce = next(e for e in shown if e["heading"] == "Saturday 31 August 2019")
    assert truce["said"] == "06:00 · the article says “6:00 am on August 31”"
    assert "a unilateral ceasefire by Syrian government forces starting at 6:00 am on August 31" in \
        _unescape_md(truce["sentence"])
    cited = truce["citations"][0]
    assert re.match(r"\[\d+\] AFP · 31 August 2019 · ¶5 · ", _unescape_md(cited.label))
    assert '<mark class="quote">An agreement was reached' in cited.get("html")[0].value
    caption = _unescape_md(cited.caption[0].value)
    assert "published 31 August 2019, inferred from a weekday and a day named in the text" in caption
    assert "paragraph 5 of 13" in caption
    assert ("Open the article at ¶5", f"article={AFP_ID}&p=5") in page_links(at)
    # the same truce told again in other paragraphs: one entry, the others under "Also told in"
    assert len(truce["citations"]) == 2 and _unescape_md(truce["citations"][1].label).startswith("Also told in")
    assert [b.label for b in at.download_button] == ["Download JSON"]

    # Following the link: the archive view shows that paragraph with the timeline's sentence marked.
    at.query_params.update({"article": AFP_ID, "p": "5"})
    at.switch_page("webapp/archive.py").run()
    assert not at.exception, at.exception
    body = "".join(h.value for h in at.get("html") if 'class="para' in h.value)
    assert '<div class="para focus" id="para-5"><span class="pn">¶5</span> <mark class="quote">An agreement' in body


def test_a_publisher_filter_without_afp_drops_the_afp_events(app_env, monkeypatch):
    at = build(open_timeline(monkeypatch), TOPIC)
    everything = events(at)
    assert any("AFP" in _unescape_md(c.label) for e in everything for c in e["citations"])
    at.multiselect(key="f_sources").set_value(["Reuters"]).run()  # the topic stays; the timeline is rebuilt
    assert not at.exception, at.exception
    reuters = events(at)
    assert reuters and len(reuters) < len(everything)
    labels = [_unescape_md(c.label) for e in reuters for c in e["citations"]]
    assert all(" Reuters " in label or label.startswith("Also told in") for label in labels)
    assert not any("AFP" in label for label in labels)
    assert not any(AFP_ID in q for _, q in page_links(at))
    assert "Saturday 31 August 2019" not in [e["heading"] for e in reuters]
    assert _unescape_md(at.info[0].value).startswith("Searching only: Reuters.")


def test_a_publication_date_range_keeps_only_the_articles_in_it(app_env, monkeypatch):
    at = open_timeline(monkeypatch)
    at.date_input(key="f_from").set_value(date(2019, 8, 1)).run()
    shown = events(build(at, TOPIC))
    assert shown and all(f"article={REUTERS_ID}" not in q for _, q in page_links(at))
    assert all(" · 31 August 2019 · " in _unescape_md(e["citations"][0].label) for e in shown)


def test_the_as_of_date_reads_last_month_in_the_topic(app_env, monkeypatch):
    at = build(open_timeline(monkeypatch), f"{TOPIC} last month")
    assert not events(at)  # last month from today: the archive has nothing
    assert "The archive holds no dated events about “Idlib ceasefire last month”" in _unescape_md(at.info[0].value)
    at.sidebar.date_input(key="as_of").set_value(date(2019, 9, 10)).run()
    shown = events(at)
    assert shown and all(day(e["heading"]).strftime("%Y-%m") == "2019-08" for e in shown)
    assert "Saturday 31 August 2019" in [e["heading"] for e in shown]


@pytest.mark.parametrize("topic,message", [
    ("   ", "The topic is empty: type a few words, e.g. “Idlib ceasefire”."),
    ("ceasefire " * 200, "The topic is 1,999 characters long; a topic is a few words (at most 1,000 characters)."),
])
def test_an_empty_or_too_long_topic_is_an_error_not_a_traceback(app_env, monkeypatch, topic, message):
    at = build(open_timeline(monkeypatch), topic)
    assert at.error[0].value.startswith(message)
    assert not events(at) and not at.download_button


def test_markup_in_an_article_shows_as_text(app_env, monkeypatch):
    at = build(open_timeline(monkeypatch), "Zenda dam")
    shown = events(at)
    assert [e["heading"] for e in shown] == ["Wednesday 3 March 2021"]
    for m in [*at.main.markdown, *at.main.caption]:
        _assert_inert(m.value)
    assert "officials said <script>alert(3)</script> and <img src=x onerror=alert(4)>" in \
        _unescape_md(shown[0]["sentence"])
    label = shown[0]["citations"][0].label
    _assert_inert(label)
    assert '<script>alert("t")</script> Dam <img src=x onerror=alert(1)>' in _unescape_md(label)
    para = shown[0]["citations"][0].get("html")[0].value
    assert "<script" not in para and "<img" not in para and "&lt;script&gt;alert(3)&lt;/script&gt;" in para
    assert not [h.value for h in at.get("html") if "<script" in h.value]


def test_a_wire_copy_shows_as_also_reported_by(fresh_app_env, monkeypatch, real_embedder):
    from rag.config import Config
    from rag.engine import build_engine

    afp = (fresh_app_env / f"{AFP_ID}.txt").read_text()
    (fresh_app_env / "wire-copy.txt").write_text(afp.replace("Beirut (AFP)", "date 2019-09-01\nsource: Wire Desk"
                                                                             "\n\nBeirut (AFP)"))
    engine = build_engine(Config.from_env(), embedder=real_embedder)
    assert engine.ingest([fresh_app_env]).added == ["wire-copy"]
    engine.index.close()
    at = build(open_timeline(monkeypatch), TOPIC)
    truce = next(e for e in events(at) if e["heading"] == "Friday 30 August 2019")
    cited = truce["citations"][0]
    assert "Wire Desk" in _unescape_md(cited.label)  # the newest copy stands for the story
    assert _unescape_md(cited.caption[-1].value).startswith("Also reported by AFP, 2019-08-31")
    assert ("Also: AFP, 31 August 2019, ¶4", f"article={AFP_ID}&p=4") in [
        (_unescape_md(label), q) for label, q in page_links(at)]
