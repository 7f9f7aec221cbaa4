from datetime import date

import pytest

from rag.dates import (EventDate, PubDate, events_in, find_event_dates, format_date, infer_publication_date,
                       parse_iso, stored_events)
from tests.conftest import ARCHIVE

AFP_FILE = ARCHIVE / "afp-2019-idleb-unilateral-ceasefire.txt"
REUTERS_FILE = ARCHIVE / "reuters-2019-06-idlib-ceasefire.txt"
SAT_31_AUG_2019 = date(2019, 8, 31)
TUE_5_MAR_2024 = date(2024, 3, 5)


def blocks(path):
    return [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]


def afp_paragraphs():
    """The seed article's paragraphs: without the "Beirut (AFP)" dateline and the "© 2019 AFP" line."""
    all_blocks = blocks(AFP_FILE)
    assert all_blocks[0] == "Beirut (AFP)" and all_blocks[-1] == "© 2019 AFP"
    return all_blocks[1:-1]


def events(text, published):
    return [(e.text, e.kind, e.start, e.end, e.time) for e in find_event_dates(text, published)]


def one(text, published):
    [e] = find_event_dates(text, published)
    return e


# --- small helpers ---------------------------------------------------------------------------------

def test_format_date():
    assert format_date(date(2019, 8, 31)) == "Saturday 31 August 2019"
    assert format_date(date(2024, 3, 1)) == "Friday 1 March 2024"


@pytest.mark.parametrize("text, expected", [
    ("2019-08-31", date(2019, 8, 31)),
    (" 2019-08-31T05:53:00Z", date(2019, 8, 31)),
    (None, None),
    ("", None),
    ("yesterday", None),
    ("2019-02-30", None),
    ("31/08/2019", None),
])
def test_parse_iso(text, expected):
    assert parse_iso(text) == expected


# --- publication date ----------------------------------------------------------------------------

def test_afp_seed_is_dated_by_weekday_and_month_day():
    pub = infer_publication_date(afp_paragraphs(), copyright_year=2019)
    assert pub == PubDate(SAT_31_AUG_2019, "text:weekday+month-day",
                          'weekday "Saturday" + "August 31" + © 2019 → Saturday 31 August 2019')


def test_afp_seed_copyright_line_in_the_text_gives_the_year():
    pub = infer_publication_date(blocks(AFP_FILE))
    assert (pub.date, pub.method) == (SAT_31_AUG_2019, "text:weekday+month-day")


def test_afp_seed_without_a_year_is_unknown():
    # The only year in the text is 2018 ("September 2018"), when August 31 was a Friday, not a Saturday.
    pub = infer_publication_date(afp_paragraphs())
    assert (pub.date, pub.method) == (None, "unknown")


def test_afp_seed_lead_weekday_not_any_weekday_decides():
    # August 8th 2019 was a Thursday and the text says "Thursday,"; only the lead's Saturday counts.
    pub = infer_publication_date(afp_paragraphs(), copyright_year=2019)
    assert pub.date == SAT_31_AUG_2019


def test_weekday_and_month_day_disagreeing_with_the_url_is_unknown():
    pub = infer_publication_date(afp_paragraphs(), copyright_year=2019,
                                 url="https://example.com/2019/08/30/syria-idlib-truce")
    assert (pub.date, pub.method) == (None, "unknown")
    assert "2019/08/30" in pub.evidence


def test_weekday_and_month_day_agreeing_with_the_url_keeps_the_text_method():
    pub = infer_publication_date(afp_paragraphs(), copyright_year=2019, url="https://example.com/2019/08/31/truce")
    assert (pub.date, pub.method) == (SAT_31_AUG_2019, "text:weekday+month-day")


def test_wrong_copyright_year_finds_no_matching_day():
    # In 2018 neither August 31 nor August 8 was a Saturday.
    pub = infer_publication_date(afp_paragraphs(), copyright_year=2018)
    assert (pub.date, pub.method) == (None, "unknown")
    assert "2018" in pub.evidence


def test_two_month_days_on_the_named_weekday_are_ambiguous():
    paragraphs = ["Shelling stopped on Saturday, monitors said.",
                  "Talks on August 3 failed, and a new truce was agreed for August 31."]
    pub = infer_publication_date(paragraphs, copyright_year=2019)  # both were Saturdays in 2019
    assert (pub.date, pub.method) == (None, "unknown")
    assert "Saturday 3 August 2019" in pub.evidence and "Saturday 31 August 2019" in pub.evidence


def test_stated_date_wins_over_text_and_url():
    pub = infer_publication_date(afp_paragraphs(), stated="2019-09-02", url="https://x.org/2019/08/31/a",
                                 copyright_year=2019)
    assert (pub.date, pub.method) == (date(2019, 9, 2), "stated")


def test_unreadable_stated_date_falls_back_to_the_text():
    pub = infer_publication_date(afp_paragraphs(), stated="last Saturday", copyright_year=2019)
    assert (pub.date, pub.method) == (SAT_31_AUG_2019, "text:weekday+month-day")


@pytest.mark.parametrize("url", ["https://www.example.com/world/2019/08/31/idlib-truce.html",
                                 "https://example.com/news/2019-08-31-idlib"])
def test_url_date(url):
    pub = infer_publication_date(["Air strikes stopped after a ceasefire took hold."], url=url)
    assert (pub.date, pub.method) == (SAT_31_AUG_2019, "url")


def test_url_date_disagreeing_with_the_copyright_year_is_unknown():
    pub = infer_publication_date(["Air strikes stopped."], url="https://x.org/2019/08/31/a", copyright_year=2020)
    assert (pub.date, pub.method) == (None, "unknown")


def test_no_evidence_is_unknown():
    pub = infer_publication_date(["Air strikes stopped after a ceasefire took hold."])
    assert pub == PubDate(None, "unknown", pub.evidence) and pub.evidence


def test_copyright_year_alone_pins_no_day():
    pub = infer_publication_date(["Air strikes stopped."], copyright_year=2019)
    assert (pub.date, pub.method) == (None, "unknown")
    assert "2019" in pub.evidence


def test_dateline_full_date():
    paragraphs = ["WASHINGTON, Jan. 5, 2026 — The president said on Monday that talks would resume.",
                  "The last round, on June 7, 2019, ended without a deal."]
    pub = infer_publication_date(paragraphs)
    assert (pub.date, pub.method) == (date(2026, 1, 5), "text:full-date")


def test_first_published_dateline_wins_over_the_update():
    paragraphs = ["March 26, 2026 Updated March 27, 2026, 5:53 p.m. ET",
                  "Officials said on Thursday that the March 2 agreement still held."]
    pub = infer_publication_date(paragraphs)
    assert pub == PubDate(date(2026, 3, 26), "text:full-date", 'dateline "March 26, 2026"')


def test_update_date_alone():
    paragraphs = ["Updated March 27, 2026, 5:53 p.m. ET",
                  "Officials said on Thursday that the March 2 agreement still held."]
    pub = infer_publication_date(paragraphs)
    assert pub == PubDate(date(2026, 3, 27), "text:full-date", '"Updated March 27, 2026"')


def test_an_earlier_url_date_is_the_first_publication_of_an_updated_story():
    paragraphs = ["Updated March 27, 2026, 5:53 p.m. ET", "Officials said the truce held."]
    pub = infer_publication_date(paragraphs, url="https://example.com/2026/03/26/world/truce.html")
    assert (pub.date, pub.method) == (date(2026, 3, 26), "url")
    later = infer_publication_date(paragraphs, url="https://example.com/2026/03/28/world/truce.html")
    assert (later.date, later.method) == (None, "unknown")


def test_dateline_later_than_the_url_without_updated_is_unknown():
    pub = infer_publication_date(["March 27, 2026", "Officials said the truce held."],
                                 url="https://example.com/2026/03/26/truce")
    assert (pub.date, pub.method) == (None, "unknown")


def test_dateline_disagreeing_with_the_copyright_year_is_unknown():
    pub = infer_publication_date(["Jan. 5, 2026", "The talks resumed."], copyright_year=2019)
    assert (pub.date, pub.method) == (None, "unknown")


def test_reuters_seed_inline_date_label_without_header_parsing():
    # The file's first paragraph begins " date 2019-06-12 …"; its body also mentions "(June 7, 2019)".
    pub = infer_publication_date(blocks(REUTERS_FILE))
    assert (pub.date, pub.method) == (date(2019, 6, 12), "text:full-date")


def test_body_full_date_is_the_last_resort_and_must_fit_the_copyright_year():
    paragraphs = ["Russia and Turkey agreed a ceasefire in the de-escalation zone, news agencies reported.",
                  "Plumes of smoke rise after shelling on the town of Khan Shaykhun (June 7, 2019) (AFP)",
                  "The memorandum was signed on September 17, 2018 in Sochi."]
    pub = infer_publication_date(paragraphs, copyright_year=2019)
    assert (pub.date, pub.method) == (date(2019, 6, 7), "text:full-date")
    assert infer_publication_date(paragraphs, copyright_year=2020).method == "unknown"


def test_only_the_first_date_of_a_story_can_be_an_unlabelled_dateline():
    pub = infer_publication_date(["Updated Jan. 6, 2025, 5:33 p.m. ET", "Dec. 19, 2020", "The board met on Monday."])
    assert (pub.date, pub.evidence) == (date(2025, 1, 6), '"Updated Jan. 6, 2025"')


def test_body_full_date_without_a_copyright_year_is_not_used():
    paragraphs = ["Russia and Turkey agreed a ceasefire in the de-escalation zone, news agencies reported.",
                  "Plumes of smoke rise after shelling on the town of Khan Shaykhun (June 7, 2019) (AFP)"]
    assert infer_publication_date(paragraphs).method == "unknown"


@pytest.mark.parametrize("paragraphs, year", [
    # the lead's weekday is in the future tense
    (["The two teams are set to meet on Saturday in Miami.", "Kick-off on August 31 is at 8 p.m."], 2019),
    # a later date in the story does not fall on the lead's weekday
    (["Shelling stopped on Saturday morning.", "A truce began on August 31.", "Talks followed on September 3."], 2019),
    # the story's dates span more than a month, so a match may be chance
    (["Shelling stopped on Saturday morning.", "The offensive began on July 1.", "A truce began on August 31."], 2019),
    # the matching date is told in the future tense
    (["Shelling stopped on Saturday.", "A truce will begin on August 31."], 2019),
    # August 31, 2018 was a Friday, but "Thursday, Aug. 8" says the year is not 2018
    (["Shelling stopped on Friday.", "The offensive began on Thursday, Aug. 8.", "A truce began on August 31."], 2018),
])
def test_weekday_and_month_day_does_not_guess(paragraphs, year):
    pub = infer_publication_date(paragraphs, copyright_year=year)
    assert (pub.date, pub.method) == (None, "unknown")


def test_weekday_and_month_day_with_the_latest_year_in_the_text():
    paragraphs = ["Shelling stopped on Saturday morning.", "A truce agreed in September 2018 collapsed.",
                  "A new truce began at 6:00 am on August 31.", "It was the worst fighting since early 2019."]
    pub = infer_publication_date(paragraphs)
    assert (pub.date, pub.method) == (SAT_31_AUG_2019, "text:weekday+month-day")
    assert pub.evidence == ('weekday "Saturday" + "August 31" + latest year in the text, 2019'
                            ' → Saturday 31 August 2019')


# --- event dates: the seed article -----------------------------------------------------------------

def test_afp_seed_event_dates():
    found = [events(p, SAT_31_AUG_2019) for p in afp_paragraphs()]
    flat = [e for es in found for e in es]
    d = date
    assert flat == [
        ("on Saturday morning", "weekday", d(2019, 8, 31), d(2019, 8, 31), None),
        ("6:00 am (0300 GMT)", "time", d(2019, 8, 31), d(2019, 8, 31), "06:00 (03:00 GMT)"),
        ("on Friday", "weekday", d(2019, 8, 30), d(2019, 8, 30), None),
        ("on Saturday morning", "weekday", d(2019, 8, 31), d(2019, 8, 31), None),
        ("6:00 am on August 31", "month-day", d(2019, 8, 31), d(2019, 8, 31), "06:00"),
        ("on August 8th", "month-day", d(2019, 8, 8), d(2019, 8, 8), None),
        ("Thursday", "weekday", d(2019, 8, 29), d(2019, 8, 29), None),
        ("in September 2018", "month", d(2018, 9, 1), d(2018, 9, 30), None),
        ("Since the end of April", "since", d(2019, 4, 21), d(2019, 8, 31), None),
        ("early in August", "month", d(2019, 8, 1), d(2019, 8, 10), None),
    ]


def test_afp_seed_without_publication_date_keeps_only_absolute_dates():
    flat = [e for p in afp_paragraphs() for e in events(p, None)]
    assert flat == [("in September 2018", "month", date(2018, 9, 1), date(2018, 9, 30), None)]


def test_offsets_point_at_the_text_in_order_without_overlaps():
    for p in blocks(AFP_FILE) + blocks(REUTERS_FILE):
        found = find_event_dates(p, SAT_31_AUG_2019)
        for e in found:
            assert p[e.char_start:e.char_end] == e.text
            assert e.start <= e.end
        for a, b in zip(found, found[1:]):
            assert a.char_end <= b.char_start


def test_reuters_seed_event_dates():
    text = "\n\n".join(blocks(REUTERS_FILE))
    got = {(e.text, e.kind, e.start, e.end) for e in find_event_dates(text, date(2019, 6, 12))}
    assert ("on Monday", "weekday", date(2019, 6, 10), date(2019, 6, 10)) in got
    assert ("since last summer", "since", date(2018, 6, 1), date(2019, 6, 12)) in got
    assert ("June 7, 2019", "full-date", date(2019, 6, 7), date(2019, 6, 7)) in got
    assert ("since early 2011", "since", date(2011, 1, 1), date(2019, 6, 12)) in got


# --- event dates: each kind --------------------------------------------------------------------------

@pytest.mark.parametrize("text, words, day", [
    ("Strikes hit the town last Friday.", "last Friday", date(2024, 3, 1)),
    ("The army said on Monday it had withdrawn.", "on Monday", date(2024, 3, 4)),
    ("Troops withdrew on Tuesday.", "on Tuesday", date(2024, 3, 5)),  # the publication weekday is that day
    ("Wednesday, government forces advanced.", "Wednesday", date(2024, 2, 28)),
    ("Clashes erupted on Friday night.", "on Friday night", date(2024, 3, 1)),
    ("Clashes erupted early on Sunday.", "early on Sunday", date(2024, 3, 3)),
    ("Last Tuesday the talks failed.", "Last Tuesday", date(2024, 2, 27)),
    ("Talks resume next Monday.", "next Monday", date(2024, 3, 11)),
    ("Talks resume this coming Tuesday.", "this coming Tuesday", date(2024, 3, 12)),
    ("The envoy will arrive in Damascus on Friday.", "on Friday", date(2024, 3, 8)),
    ("Saturday's strikes killed five.", "Saturday", date(2024, 3, 2)),
])
def test_weekdays(text, words, day):
    e = one(text, TUE_5_MAR_2024)
    assert (e.text, e.kind, e.start, e.end, e.time) == (words, "weekday", day, day, None)


@pytest.mark.parametrize("text, words, start, end", [
    ("The ceasefire holds today.", "today", date(2024, 3, 5), date(2024, 3, 5)),
    ("Shelling stopped this morning.", "this morning", date(2024, 3, 5), date(2024, 3, 5)),
    ("A vote is due tonight.", "tonight", date(2024, 3, 5), date(2024, 3, 5)),
    ("Talks broke down yesterday.", "yesterday", date(2024, 3, 4), date(2024, 3, 4)),
    ("Talks broke down yesterday evening.", "yesterday evening", date(2024, 3, 4), date(2024, 3, 4)),
    ("Talks resume tomorrow.", "tomorrow", date(2024, 3, 6), date(2024, 3, 6)),
    ("Two people died three days ago.", "three days ago", date(2024, 3, 2), date(2024, 3, 2)),
    ("Fighting flared last week.", "last week", date(2024, 2, 26), date(2024, 3, 3)),
    ("Fighting flared this week.", "this week", date(2024, 3, 4), date(2024, 3, 10)),
    ("Fighting flared earlier this week.", "earlier this week", date(2024, 3, 4), date(2024, 3, 5)),
    ("Fighting flared last month.", "last month", date(2024, 2, 1), date(2024, 2, 29)),
    ("Fighting flared last year.", "last year", date(2023, 1, 1), date(2023, 12, 31)),
])
def test_relative_words(text, words, start, end):
    e = one(text, TUE_5_MAR_2024)
    assert (e.text, e.kind, e.start, e.end) == (words, "relative", start, end)


@pytest.mark.parametrize("text, words, day", [
    ("The offensive began on August 8th.", "on August 8th", date(2019, 8, 8)),
    ("The offensive began Aug. 8 in the south.", "Aug. 8", date(2019, 8, 8)),
    ("The offensive began on 8 August.", "on 8 August", date(2019, 8, 8)),
    ("The offensive began on the 8th of August.", "on the 8th of August", date(2019, 8, 8)),
    ("A truce started August 31.", "August 31", date(2019, 8, 31)),
    ("A vote is planned for October 15.", "October 15", date(2019, 10, 15)),  # 45 days ahead: this year
    ("The town fell on December 25.", "on December 25", date(2018, 12, 25)),  # 4 months ahead: last year
])
def test_month_days_take_the_nearest_year_mostly_in_the_past(text, words, day):
    e = one(text, SAT_31_AUG_2019)
    assert (e.text, e.kind, e.start, e.end) == (words, "month-day", day, day)


def test_month_day_early_in_the_next_year():
    e = one("Elections are set for January 5.", date(2019, 12, 20))
    assert e.start == date(2020, 1, 5)


@pytest.mark.parametrize("text, words, day", [
    ("Photo taken June 7, 2019 in Idlib.", "June 7, 2019", date(2019, 6, 7)),
    ("The deal of September 5, 2018 held.", "September 5, 2018", date(2018, 9, 5)),
    ("The truce began on 31 August 2019.", "on 31 August 2019", date(2019, 8, 31)),
    ("It began on Saturday, August 31, 2019.", "on Saturday, August 31, 2019", date(2019, 8, 31)),
    ("It began Saturday 31 August 2019.", "Saturday 31 August 2019", date(2019, 8, 31)),
    ("Filed Jan. 5, 2026 by our correspondent.", "Jan. 5, 2026", date(2026, 1, 5)),
    ("Record 2019-06-12 was filed.", "2019-06-12", date(2019, 6, 12)),
])
def test_full_dates_need_no_publication_date(text, words, day):
    for published in (None, TUE_5_MAR_2024):
        e = one(text, published)
        assert (e.text, e.kind, e.start, e.end) == (words, "full-date", day, day)


def test_impossible_dates_are_ignored():
    assert find_event_dates("It happened on February 30, 2019 and on April 31.", SAT_31_AUG_2019) == []


@pytest.mark.parametrize("text, words, start, end", [
    ("A zone was unveiled in September 2018.", "in September 2018", date(2018, 9, 1), date(2018, 9, 30)),
    ("It was unveiled in Sept. 2018.", "in Sept. 2018", date(2018, 9, 1), date(2018, 9, 30)),
    ("A truce was agreed in August.", "in August", date(2019, 8, 1), date(2019, 8, 31)),
    ("It was cancelled early in August.", "early in August", date(2019, 8, 1), date(2019, 8, 10)),
    ("It was cancelled in mid-August.", "in mid-August", date(2019, 8, 11), date(2019, 8, 20)),
    ("It was cancelled in late August.", "in late August", date(2019, 8, 21), date(2019, 8, 31)),
    ("Bombing resumed at the end of April.", "the end of April", date(2019, 4, 21), date(2019, 4, 30)),
    ("Bombing resumed in December.", "in December", date(2018, 12, 1), date(2018, 12, 31)),
    ("Elections are due in October.", "in October", date(2019, 10, 1), date(2019, 10, 31)),
])
def test_months(text, words, start, end):
    e = one(text, SAT_31_AUG_2019)
    assert (e.text, e.kind, e.start, e.end) == (words, "month", start, end)


def test_a_month_named_without_context_is_no_date():
    assert find_event_dates("The August truce collapsed.", SAT_31_AUG_2019) == []


@pytest.mark.parametrize("text, words, start", [
    ("Since the end of April, 950 civilians were killed.", "Since the end of April", date(2019, 4, 21)),
    ("It has been at war since 2011.", "since 2011", date(2011, 1, 1)),
    ("It has been at war since early 2011.", "since early 2011", date(2011, 1, 1)),
    ("The worst escalation since last summer.", "since last summer", date(2018, 6, 1)),
    ("No strikes since Monday.", "since Monday", date(2019, 8, 26)),
    ("No strikes since August 8.", "since August 8", date(2019, 8, 8)),
    ("No strikes since October.", "since October", date(2018, 10, 1)),  # not a future October
])
def test_since_runs_to_the_publication_date(text, words, start):
    e = one(text, SAT_31_AUG_2019)
    assert (e.text, e.kind, e.start, e.end) == (words, "since", start, SAT_31_AUG_2019)


def test_since_without_publication_date_keeps_the_absolute_part():
    e = one("It has been at war since early 2011.", None)
    assert (e.text, e.kind, e.start, e.end) == ("early 2011", "year", date(2011, 1, 1), date(2011, 4, 30))


@pytest.mark.parametrize("text, published, words, start, end", [
    ("Fighting peaked last summer.", date(2019, 6, 12), "last summer", date(2018, 6, 1), date(2018, 8, 31)),
    ("Fighting eased last summer.", date(2019, 9, 15), "last summer", date(2019, 6, 1), date(2019, 8, 31)),
    ("Talks may resume this winter.", date(2019, 11, 2), "this winter", date(2019, 12, 1), date(2020, 2, 29)),
    ("Talks resume next spring.", date(2019, 11, 2), "next spring", date(2020, 3, 1), date(2020, 5, 31)),
    ("Talks resumed in the autumn.", date(2019, 11, 2), "in the autumn", date(2019, 9, 1), date(2019, 11, 30)),
    ("The front moved in summer 2019.", None, "in summer 2019", date(2019, 6, 1), date(2019, 8, 31)),
    ("The front moved in the summer of 2019.", None, "in the summer of 2019", date(2019, 6, 1), date(2019, 8, 31)),
])
def test_seasons(text, published, words, start, end):
    e = one(text, published)
    assert (e.text, e.kind, e.start, e.end) == (words, "season", start, end)


@pytest.mark.parametrize("text", ["The Arab Spring began in Tunisia.", "After the fall of Aleppo, rebels fled.",
                                  "Water from a spring was cut."])
def test_season_words_that_are_not_seasons(text):
    assert find_event_dates(text, SAT_31_AUG_2019) == []


@pytest.mark.parametrize("text, words, start, end", [
    ("The uprising began in 2011.", "in 2011", date(2011, 1, 1), date(2011, 12, 31)),
    ("The uprising began in early 2011.", "in early 2011", date(2011, 1, 1), date(2011, 4, 30)),
    ("It was retaken in mid-2018.", "in mid-2018", date(2018, 5, 1), date(2018, 8, 31)),
    ("It was retaken by the end of 2018.", "the end of 2018", date(2018, 9, 1), date(2018, 12, 31)),
])
def test_years_in_a_temporal_context(text, words, start, end):
    e = one(text, None)
    assert (e.text, e.kind, e.start, e.end) == (words, "year", start, end)


@pytest.mark.parametrize("text", ["The project cost $2011 million.", "Some 2,011 people fled.",
                                  "Exactly 2011 people were displaced.", "Turnout rose in 2011 percent terms."])
def test_numbers_are_not_years(text):
    assert find_event_dates(text, SAT_31_AUG_2019) == []


def test_time_with_zone_belongs_to_the_publication_day_when_the_sentence_names_none():
    e = one("The truce entered into force around 6:00 am (0300 GMT) but artillery fire continued.",
            SAT_31_AUG_2019)
    assert (e.text, e.kind, e.start, e.end, e.time) == ("6:00 am (0300 GMT)", "time", SAT_31_AUG_2019,
                                                        SAT_31_AUG_2019, "06:00 (03:00 GMT)")


def test_time_next_to_a_date_is_one_event():
    e = one("A ceasefire starting at 6:00 am on August 31, the statement said.", date(2019, 8, 30))
    assert (e.text, e.kind, e.start, e.time) == ("6:00 am on August 31", "month-day", SAT_31_AUG_2019, "06:00")


def test_time_after_a_weekday_is_one_event():
    e = one("On Friday, at 2 p.m., the talks ended.", TUE_5_MAR_2024)
    assert (e.text, e.kind, e.start, e.time) == ("On Friday, at 2 p.m.", "weekday", date(2024, 3, 1), "14:00")


def test_time_elsewhere_in_the_sentence_takes_that_sentence_day():
    found = find_event_dates("Strikes resumed on Friday and lasted until 2 p.m. The next day was calm.",
                             TUE_5_MAR_2024)
    assert [(e.text, e.kind, e.start, e.time) for e in found] == [
        ("on Friday", "weekday", date(2024, 3, 1), None), ("2 p.m.", "time", date(2024, 3, 1), "14:00")]


def test_updated_line_time_with_zone_without_publication_date():
    e = one("Updated March 27, 2026, 5:53 p.m. ET", None)
    assert (e.text, e.kind, e.start, e.time) == ("March 27, 2026, 5:53 p.m. ET", "full-date", date(2026, 3, 27),
                                                 "17:53 ET")


@pytest.mark.parametrize("text, clock", [
    ("The vote closed at 14:30.", "14:30"),
    ("Shelling began at midnight.", "00:00"),
    ("Firing stopped at 1200 GMT.", "12:00 GMT"),
    ("The curfew starts at 9 PM local time.", "21:00 local time"),
])
def test_clock_formats(text, clock):
    assert one(text, TUE_5_MAR_2024).time == clock


def test_times_need_a_clock_not_just_digits():
    assert find_event_dates("The score was 3:15 and the ratio 14:30.", TUE_5_MAR_2024) == []
    assert find_event_dates("The truce started at 6:00 am.", None) == []  # no day to hang it on


def test_relative_words_need_a_publication_date():
    assert find_event_dates("Yesterday, on Friday, last week, in August, on August 8 and last summer.", None) == []


def test_event_date_is_frozen():
    e = one("Talks broke down yesterday.", TUE_5_MAR_2024)
    assert isinstance(e, EventDate)
    with pytest.raises(AttributeError):
        e.kind = "x"


def test_a_capitalised_season_before_a_name_is_no_date():
    """'the Winter Games' and 'Winter Storm Elliott' name things; 'Winter 2019' and 'this summer' are dates."""
    found = [e.text for e in find_event_dates("In Winter 2019 and this summer, the Summer Olympics and the Winter "
                                              "Games", date(2020, 5, 1))]
    assert found == ["In Winter 2019", "this summer"]


SUN_1_SEP_2019 = date(2019, 9, 1)


def test_a_time_without_a_day_belongs_to_the_day_told_of_before_it():
    """A wire copy published on Sunday: the time in the second sentence is Saturday's, as the first one says."""
    found = find_event_dates("Airstrikes stopped on Saturday morning. The truce entered into force around 6:00 am "
                             "(0300 GMT).", SUN_1_SEP_2019)
    assert [(e.kind, e.start, e.time) for e in found] == [("weekday", SAT_31_AUG_2019, None),
                                                         ("time", SAT_31_AUG_2019, "06:00 (03:00 GMT)")]
    alone = one("The truce entered into force around 6:00 am (0300 GMT).", SUN_1_SEP_2019)
    assert alone.start == SUN_1_SEP_2019  # nothing told before it: the publication day
    given = find_event_dates("The truce entered into force around 6:00 am (0300 GMT).", SUN_1_SEP_2019,
                             day=SAT_31_AUG_2019)
    assert [(e.kind, e.start) for e in given] == [("time", SAT_31_AUG_2019)]


def test_paragraph_events_carry_the_day_across_paragraphs():
    from rag.articles import Article
    from rag.ingest import paragraph_events
    article = Article("copy", "Truce in Idleb", ("Airstrikes on Idleb stopped on Saturday morning, an NGO said.",
                                                 "Fighting in the region had also ceased around 6:00 am (0300 GMT).",
                                                 "Talks had resumed on Friday at 10:00."), published="2019-09-01")
    events = paragraph_events(article)
    assert [e.to_dict() for e in events[1]] == [{"text": "6:00 am (0300 GMT)", "start": "2019-08-31",
                                                  "end": "2019-08-31", "kind": "time", "time": "06:00 (03:00 GMT)",
                                                  "char_start": 46, "char_end": 64}]
    assert [(e.start, e.time) for e in events[2]] == [(date(2019, 8, 30), "10:00")]  # its own day wins


# --- stored once, read back --------------------------------------------------------------------------------

PARAGRAPH = ("Airstrikes stopped on Saturday morning. The truce entered into force around 6:00 am (0300 GMT), "
             "the monitor said. Talks had failed on Friday.")


def test_event_dates_are_stored_with_their_offsets_and_read_back_whole():
    events = find_event_dates(PARAGRAPH, SUN_1_SEP_2019)
    stored = [e.to_dict() for e in events]
    assert stored[1] == {"text": "6:00 am (0300 GMT)", "start": "2019-08-31", "end": "2019-08-31", "kind": "time",
                         "time": "06:00 (03:00 GMT)", "char_start": PARAGRAPH.index("6:00"),
                         "char_end": PARAGRAPH.index(", the")}
    assert stored_events(stored, PARAGRAPH) == tuple(events)


def test_an_index_stored_without_offsets_is_read_by_finding_the_words_in_order():
    """Records written before offsets were stored: each event's words are found after the one before."""
    text = "On Friday talks failed; on Friday, a truce began."
    events = find_event_dates(text, SUN_1_SEP_2019)
    old = [{k: v for k, v in e.to_dict().items() if not k.startswith("char_")} for e in events]
    assert [(e.char_start, e.char_end) for e in stored_events(old, text)] == [(0, 9), (24, 33)]
    assert stored_events([{"text": "on Monday", "start": "2019-08-26", "end": "2019-08-26"}], text)[0].char_start == -1
    assert stored_events([{"text": "x", "start": "not a date", "end": "2019-08-26"}], text) == ()


def test_a_sentence_takes_the_stored_events_that_begin_in_it_with_offsets_into_it():
    events = find_event_dates(PARAGRAPH, SUN_1_SEP_2019)
    second = "The truce entered into force around 6:00 am (0300 GMT), the monitor said."
    found = events_in(second, PARAGRAPH, events)
    # the clock time keeps the Saturday told in the sentence before, which reading the sentence alone would lose
    assert [(e.text, e.start, e.time) for e in found] == [("6:00 am (0300 GMT)", SAT_31_AUG_2019, "06:00 (03:00 GMT)")]
    assert second[found[0].char_start:found[0].char_end] == "6:00 am (0300 GMT)"
    assert [e.text for e in events_in("Talks had failed on Friday.", PARAGRAPH, events)] == ["on Friday"]
    assert events_in("Not in the paragraph.", PARAGRAPH, events) == []
