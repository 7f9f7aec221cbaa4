"""Chunk ids are built and parsed by ChunkKey alone: every form round-trips, and a foreign string is refused."""
import pytest

from rag.store import ChunkKey
from rag.store.keys import article_of, entry_id, vouched


def test_every_form_round_trips():
    key = ChunkKey("afp-2019-idleb", 12, 1).of_version("0123456789abcdef")
    assert key.id == "afp-2019-idleb:12#1@0123456789ab"
    assert (key.chunk_id, key.paragraph_id) == ("afp-2019-idleb:12#1", "afp-2019-idleb:12")
    for text in (key.id, key.chunk_id):
        assert ChunkKey.parse(text).id == text
    assert ChunkKey.parse(key.paragraph_id) == ChunkKey("afp-2019-idleb", 12)
    assert entry_id(key.chunk_id, "0123456789abcdef") == key.id
    assert article_of(key.id) == article_of(key.paragraph_id) == "afp-2019-idleb"


def test_an_entry_is_vouched_for_only_by_its_article_version():
    entry = ChunkKey("a", 1).of_version("0123456789abcdef").id
    assert vouched(entry, {"a": "0123456789abcdef"})
    assert not vouched(entry, {"a": "fedcba9876543210"}) and not vouched(entry, {})


@pytest.mark.parametrize("text", ["", "story", "story:x#0", "story:1#y", ":1#0"])
def test_a_foreign_string_is_refused(text):
    with pytest.raises(ValueError):
        ChunkKey.parse(text)
