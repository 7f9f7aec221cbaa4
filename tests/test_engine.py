"""The pipeline end to end with the tiny embedder: ingest, hybrid retrieval, answers, abstention, JSON, CLI."""
import json

import pytest

from rag.answerers.extractive import ExtractiveAnswerer
from rag.dates import find_event_dates, parse_iso
from rag.spans import question_type
from rag.present import answer_json
from rag.errors import ConfigError, NoIndexError, QuestionError
from rag.retrieve import Passage, Retriever
from rag.store import Filters


def test_ingest_counts_and_stats(seed_engine):
    stats = seed_engine.index.stats()
    assert stats["articles"] == 2 and stats["paragraphs"] == 13 + 15
    assert stats["first_date"] == "2019-06-12" and stats["last_date"] == "2019-08-31"
    assert stats["by_source"] == {"AFP": 1, "Reuters": 1}
    assert seed_engine.index.check() == []


def test_reingest_unchanged_embeds_nothing(seed_engine, archive_copy):
    calls = []
    original = seed_engine.embedder.get_text_embedding_batch
    seed_engine.embedder.__dict__["get_text_embedding_batch"] = lambda texts, **kw: calls.append(texts) or \
        original(texts, **kw)
    report = seed_engine.ingest([archive_copy])
    assert calls == [] and len(report.unchanged) == 2 and report.paragraphs == 0


def test_changed_article_is_replaced_whole(seed_engine, archive_copy):
    f = archive_copy / "reuters-2019-06-idlib-ceasefire.txt"
    f.write_text(f.read_text() + "\n\nA new closing paragraph about the Idlib truce.")
    report = seed_engine.ingest([archive_copy])
    assert report.replaced == ["reuters-2019-06-idlib-ceasefire"] and report.unchanged == [
        "afp-2019-idleb-unilateral-ceasefire"]
    assert seed_engine.index.article("reuters-2019-06-idlib-ceasefire").n_paragraphs == 16
    assert seed_engine.index.check() == []
    assert seed_engine.index.collection.count() == seed_engine.index.stats()["chunks"]


def test_prune_removes_articles_whose_files_are_gone(seed_engine, archive_copy):
    (archive_copy / "reuters-2019-06-idlib-ceasefire.txt").unlink()
    report = seed_engine.ingest([archive_copy], prune=True)
    assert report.removed == ["reuters-2019-06-idlib-ceasefire"]
    assert seed_engine.index.stats()["articles"] == 1 and seed_engine.index.check() == []


def test_bad_file_does_not_stop_the_others_or_lose_the_index(seed_engine, archive_copy):
    (archive_copy / "broken.txt").write_bytes(b"\x00\x01" * 50)
    (archive_copy / "good.txt").write_text("date 2020-01-02\n\nA brand new story about wheat prices.")
    report = seed_engine.ingest([archive_copy])
    assert not report.ok and "broken.txt" in str(report.failed[0])
    assert report.added == ["good"]
    assert seed_engine.index.stats()["articles"] == 3


def test_hybrid_retrieval_finds_truce_paragraphs(seed_engine):
    passages = seed_engine.searcher.retriever.retrieve("When did the August truce start?", k=5)
    assert len(passages) == 5 and len({p.id for p in passages}) == 5
    assert any(p.id == "afp-2019-idleb-unilateral-ceasefire:5" for p in passages)


def test_fusion_rewards_agreement(seed_engine):
    r = Retriever(seed_engine.index, seed_engine.embedder)
    dense = [("a:1#0", 0.9), ("b:1#0", 0.8)]
    r.dense = lambda q, f: dense
    r.lexical = lambda q, f: [("b:1#0", 5.0), ("c:1#0", 4.0)]
    r.passages = lambda ids, scores, sim: ids
    assert r.retrieve("q", k=3) == ["b:1", "a:1", "c:1"]


def test_filters_restrict_retrieval(seed_engine):
    only_reuters = seed_engine.searcher.retriever.retrieve("ceasefire", k=10, filters=Filters(sources=("Reuters",)))
    assert only_reuters and {p.source for p in only_reuters} == {"Reuters"}
    june = seed_engine.searcher.retriever.retrieve("ceasefire", k=10, filters=Filters(date_to="2019-07-01"))
    assert june and {p.published for p in june} == {"2019-06-12"}


def test_truce_question_answered_with_date_and_citations(seed_engine):
    answer = seed_engine.ask("When did the August truce start?")
    assert not answer.abstained
    assert "31 August 2019" in answer.short_answer
    assert answer.citations and all(c.article_id == "afp-2019-idleb-unilateral-ceasefire" for c in answer.citations)
    assert "[1]" in answer.text and answer.citations[0].quote in answer.citations[0].text


def test_unanswerable_question_abstains_without_citations(seed_engine):
    answer = seed_engine.ask("Who won the Eurovision Song Contest in 2019?")
    assert answer.abstained and answer.citations == () and answer.text.startswith("The archive does not say")


def test_follow_up_uses_the_conversation(seed_engine):
    from rag.answer import Turn
    first = seed_engine.ask("When did the August truce start?")
    follow = seed_engine.ask("Who announced it?", history=(Turn("When did the August truce start?", first),))
    assert follow.standalone_question and "truce" in follow.standalone_question
    assert not follow.abstained and "Russia" in follow.text


def test_empty_question_is_refused(seed_engine):
    with pytest.raises(QuestionError, match="empty"):
        seed_engine.ask("   ")


def test_answer_json_schema(seed_engine):
    data = answer_json(seed_engine.ask("When did the August truce start?"))
    assert set(data) >= {"question", "answer", "short_answer", "abstained", "citations", "passages", "timings_ms"}
    c = data["citations"][0]
    assert set(c) >= {"n", "article_id", "paragraph", "title", "source", "published", "text", "quote"}
    assert c["n"] == 1 and isinstance(c["paragraph"], int) and c["published"] == "2019-08-31"
    assert set(data["passages"][0]) >= {"article_id", "paragraph", "score", "text"}
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}
    json.dumps(data)


def _passage(text, n=1, published="2019-08-31"):
    return Passage("art", n, text, 1.0 / n, 0.5, "Title", "AFP", published, "stated",
                   tuple(find_event_dates(text, parse_iso(published))))


@pytest.mark.parametrize("question,qtype", [("When did it start?", "when"), ("How many died?", "number"),
                                             ("Who said it?", "who"), ("Where is it?", "where"),
                                             ("What year was it?", "when"), ("Which policy won?", "other"),
                                             # a "when" that opens a clause asks for no date
                                             ("Finally, when does summer begin?", "when"),
                                             ("How old was she when she won?", "number"),
                                             ("Who was king when the colonies declared independence?", "who"),
                                             ("What should you not wear after Labor Day, when summer ends?",
                                              "other")])
def test_question_types(question, qtype):
    assert question_type(question) == qtype


def test_extractive_marks_short_answer_spans():
    a = ExtractiveAnswerer()
    ps = [_passage("The bombings have killed more than 950 civilians in the Idleb region."),
          _passage("Rami Abdel Rahman, director of the Observatory, said strikes stopped.", 2)]
    assert a.answer("How many civilians have the bombings killed?", ps).short_answer == "more than 950"
    who = a.answer("Who is the director of the Observatory?", ps)
    assert who.short_answer == "Rami Abdel Rahman" and who.citations[0].paragraph == 2


def test_extractive_abstains_when_nothing_covers_the_question():
    ps = [_passage("The bombings have killed more than 950 civilians in the Idleb region.")]
    answer = ExtractiveAnswerer().answer("What is the price of bitcoin?", ps)
    assert answer.abstained and not answer.citations and answer.passages == tuple(ps)


def test_no_index_gives_one_clear_line(index_dir, capsys):
    from rag.cli import main
    assert main(["ask", "When did the August truce start?"]) == 2
    err = capsys.readouterr().err
    assert "python -m rag ingest archive/" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(NoIndexError):
        from rag.store import Index
        Index(index_dir)


def test_wire_copy_is_cited_once_with_also_reported(seed_engine, archive_copy):
    afp = (archive_copy / "afp-2019-idleb-unilateral-ceasefire.txt").read_text()
    copy = afp.replace("Beirut (AFP)", "date 2019-09-01\nsource: Wire Desk\n\nBeirut (AFP)").replace("950", "960")
    (archive_copy / "wire-copy.txt").write_text(copy)
    assert seed_engine.ingest([archive_copy]).ok
    answer = seed_engine.ask("How many civilians have the bombings killed in the Idleb region since the end of April?")
    assert not answer.abstained
    [c] = [c for c in answer.citations if "civilians" in c.text]
    assert c.article_id == "wire-copy" and "960" in c.text  # the newest version represents the story
    assert [o.article_id for o in c.also] == ["afp-2019-idleb-unilateral-ceasefire"]
    data = answer_json(answer)
    also = data["citations"][0]["also_reported"]
    assert also[0]["source"] == "AFP" and also[0]["paragraph"] == c.paragraph


def test_when_answer_takes_the_date_nearest_the_questions_words():
    sentence = ("The Russian army announced on Friday that a unilateral ceasefire would come into effect on "
                "Saturday morning in the Idleb region.")
    p = _passage(sentence)  # published Saturday 31 August 2019
    answer = ExtractiveAnswerer().answer("When did the unilateral ceasefire come into effect?", [p])
    assert answer.short_answer.startswith("Saturday 31 August 2019")
    announced = ExtractiveAnswerer().answer("When did the Russian army announce the ceasefire?", [p])
    assert announced.short_answer.startswith("Friday 30 August 2019")


def test_since_and_year_answers_read_as_people_write_them():
    p = _passage("Syria has been locked in a vicious civil war since early 2011, when protests were crushed.")
    assert ExtractiveAnswerer().answer("Since when has Syria been locked in a civil war?", [p]).short_answer \
        == "since 2011"


def test_who_answer_is_the_name_before_the_questions_words():
    p = _passage("Turkey had complained to Moscow, which backs the Assad regime, while Russia had said the onus "
                 "was on Ankara to rein in the opposition.")
    assert ExtractiveAnswerer().answer("Who backs the Assad regime?", [p]).short_answer == "Moscow"


def test_plural_question_prefers_several_names():
    ps = [_passage("Russian agencies said on Wednesday that a ceasefire was agreed in Idlib."),
          _passage("Russia and Turkey have agreed on a ceasefire in Idlib.", 2)]
    assert ExtractiveAnswerer().answer("Which countries agreed on a ceasefire in Idlib?", ps).short_answer \
        == "Russia and Turkey"


def test_caption_date_stays_with_its_sentence():
    from rag.text import split_sentences
    assert split_sentences("Smoke rises over Khan Shaykhun. (June 7, 2019) (AFP)") == [
        "Smoke rises over Khan Shaykhun. (June 7, 2019) (AFP)"]


def test_a_next_day_copy_dates_a_bare_time_by_the_day_its_article_told_of():
    """The copy published on Sunday says "around 6:00 am" of the Saturday its first paragraph named."""
    from rag.answerers.extractive import ExtractiveAnswerer
    from rag.articles import Article
    from rag.ingest import paragraph_events
    paragraphs = ("Airstrikes on Idleb stopped on Saturday morning, an NGO said.",
                  "The unilateral truce entered into force around 6:00 am (0300 GMT), he added.")
    article = Article("copy", "Truce in Idleb", paragraphs, source="AFP", published="2019-09-01")
    events = paragraph_events(article)
    passage = Passage("copy", 2, paragraphs[1], 1.0, 0.5, "Truce in Idleb", "AFP", "2019-09-01", "stated",
                      tuple(events[1]))
    answer = ExtractiveAnswerer().answer("When did the unilateral truce enter into force?", [passage])
    assert answer.short_answer == "Saturday 31 August 2019, 06:00 (03:00 GMT)"


# --- the answerer: the reader by default, extractive on request or when the model cannot be loaded -----------

def test_default_answerer_is_the_reader_and_tests_ask_for_extractive(monkeypatch):
    from rag.config import Config
    monkeypatch.delenv("RAG_ANSWERER")
    assert Config.from_env().answerer == "llamacpp"
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    assert Config.from_env().answerer == "extractive"


def test_missing_reader_model_falls_back_to_extractive_with_one_notice(seed_engine, hash_embedder, monkeypatch,
                                                                        tmp_path):
    from rag.config import Config
    from rag.engine import build_engine
    monkeypatch.setenv("RAG_LLM_MODEL", str(tmp_path / "missing.gguf"))
    engine = build_engine(Config.from_env(answerer="llamacpp"), embedder=hash_embedder)
    assert engine.answerer.name == "extractive"
    assert engine.notice and "\n" not in engine.notice and "missing.gguf" in engine.notice
    assert engine.notice.endswith("Answering with the extractive answerer.")
    answer = engine.ask("When did the August truce start?")
    assert answer.answerer == "extractive" and "31 August 2019" in answer.text


def test_a_model_file_that_is_no_gguf_falls_back_too(seed_engine, hash_embedder, monkeypatch, tmp_path):
    pytest.importorskip("llama_cpp")
    from rag.config import Config
    from rag.engine import build_engine
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model" * 100)
    monkeypatch.setenv("RAG_LLM_MODEL", str(junk))
    engine = build_engine(Config.from_env(answerer="llamacpp"), embedder=hash_embedder)
    assert engine.answerer.name == "extractive" and engine.notice


def test_ask_picks_the_extractive_answerer_on_request(seed_engine):
    from rag.answerers.base import LLMAnswerer

    class Refuses(LLMAnswerer):
        name = "reader"

        def complete(self, messages, max_tokens, start=""):
            raise AssertionError("the model must not be asked")

    seed_engine.answerer = Refuses(seed_engine.embedder)
    answer = seed_engine.ask("When did the August truce start?", answerer="extractive")
    assert answer.answerer == "extractive" and "31 August 2019" in answer.text
    with pytest.raises(ConfigError):
        seed_engine.ask("When did the August truce start?", answerer="ollama")
