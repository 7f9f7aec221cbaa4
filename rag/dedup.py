"""Wire copies and updated versions of one story: MinHash over paragraph shingles, grouped with LSH, folded at retrieval.

Agencies' copies of a story and the later versions of an article share most of their sentences. At ingest each
article gets a MinHash signature of its word 5-grams; after every ingest the signatures are grouped with LSH
(candidates confirmed by their estimated Jaccard similarity) into stories. A story's id is the smallest article
id in it, so the grouping is the same whatever order (or how many interrupted runs) the articles arrived in.
At retrieval, hits from one story are folded into one passage from its newest version; the other copies ride
along in `Passage.also`, each noting where its numbers differ from the newer text.

Stage: ingest (signatures, grouping) and retrieval (folding), above the store. Must not import retrieval, search,
answering, the engine or the edges (CLI, web app, evaluation).
"""
import functools
import re
from dataclasses import dataclass, replace

import numpy as np

from .store.keys import paragraph_id

NUM_PERM = 128
SCHEME = "affine32"  # stated, so signatures stored by one datasketch version stay comparable
SHINGLE = 5  # words per shingle: long enough that two unrelated stories share almost none
THRESHOLD = 0.5  # estimated Jaccard of shingle sets above which two articles are copies of one story
MIN_SHINGLES = 20  # shorter articles (a headline and a sentence) are never grouped: too little to tell
PARAGRAPH_MATCH = 0.5  # Jaccard of word 3-grams above which two paragraphs of copies say the same thing

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")


@dataclass(frozen=True)
class Copy:
    """The same paragraph in another copy (or version) of the story."""
    article_id: str
    paragraph: int
    title: str
    source: str | None
    published: str | None
    text: str
    differs: str | None = None  # e.g. "12 → 14" when this copy's numbers differ from the passage's

    @property
    def id(self) -> str:
        return paragraph_id(self.article_id, self.paragraph)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))} if words else set()


@functools.cache
def _permutations():
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def _minhash(values=None, hashvalues=None):
    from datasketch import MinHash
    # The permutations of seed 1, made once: drawing them for every article was a third of an ingest's MinHash time.
    m = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=hashvalues, scheme=SCHEME, permutations=_permutations())
    if values:
        m.update_batch([v.encode() for v in values])
    return m


def signature(paragraphs) -> bytes:
    """The MinHash signature of an article's paragraphs (empty bytes when the article is too short to compare)."""
    grams = set().union(*(shingles(p) for p in paragraphs)) if paragraphs else set()
    if len(grams) < MIN_SHINGLES:
        return b""
    return _minhash(grams).hashvalues.tobytes()


def group(signatures: dict[str, bytes], threshold: float = THRESHOLD) -> dict[str, str]:
    """article id -> story id (the smallest article id of its group of near-duplicates)."""
    from datasketch import MinHashLSH

    dtype = _minhash().hashvalues.dtype
    hashes = {a: _minhash(hashvalues=np.frombuffer(s, dtype=dtype)) for a, s in signatures.items() if s}
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for a in sorted(hashes):
        lsh.insert(a, hashes[a])
    parent = {a: a for a in signatures}

    def root(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a in sorted(hashes):
        for b in lsh.query(hashes[a]):
            if b != a and hashes[a].jaccard(hashes[b]) >= threshold:
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)  # the smaller id wins: the same result in any order
    return {a: root(a) for a in signatures}


def newest(records):
    """The representative of a story: the latest publication date, then the longest, then the smallest id."""
    return max(records, key=lambda r: (r.published or "", r.n_paragraphs, _neg(r.id)))


def _neg(s: str) -> tuple:
    return tuple(-ord(c) for c in s)


def paragraph_similarity(a: str, b: str) -> float:
    sa, sb = shingles(a, 3), shingles(b, 3)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def numbers_changed(old: str, new: str) -> str | None:
    """'12 → 14' when the two versions of a paragraph state different numbers; None when they agree."""
    a, b = _NUMBER.findall(old), _NUMBER.findall(new)
    if a == b:
        return None
    gone = [x for x in a if x not in b]
    came = [x for x in b if x not in a]
    if not gone and not came:
        return None
    return f"{', '.join(gone) or '—'} → {', '.join(came) or '—'}"


def fold_copies(index, passages: list) -> list:
    """One passage per paragraph of a story, taken from its newest version; the other copies go in `also`."""
    story_of = index.stories(list({p.article_id for p in passages}))
    stories = set(story_of.values())
    if not stories:
        return passages
    members = index.story_members(stories)
    if all(len(m) < 2 for m in members.values()):
        return passages
    cache: dict[str, list] = {}

    def paragraphs(aid):
        if aid not in cache:
            cache[aid] = index.paragraphs(aid)
        return cache[aid]

    def best_match(aid, text):
        scored = [(paragraph_similarity(text, t), n, t, ev) for n, t, ev in paragraphs(aid)]
        top = max(scored, default=None)
        return top if top and top[0] >= PARAGRAPH_MATCH else None

    out, placed = [], set()
    for p in passages:
        group_ids = members.get(story_of.get(p.article_id), [])
        if len(group_ids) < 2:
            out.append(p)
            continue
        records = [r for r in (index.article(a) for a in group_ids) if r is not None]
        rep = newest(records)
        target = p
        if rep.id != p.article_id and (m := best_match(rep.id, p.text)):
            target = replace(p, article_id=rep.id, paragraph=m[1], text=m[2], title=rep.title, source=rep.source,
                             published=rep.published, date_method=rep.date_method, events=tuple(m[3]))
        if (target.article_id, target.paragraph) in placed:
            continue  # this paragraph is already there, with this copy among its `also`
        placed.add((target.article_id, target.paragraph))
        copies = []
        for r in sorted(records, key=lambda r: (r.published or "", r.id), reverse=True):
            if r.id == target.article_id or not (m := best_match(r.id, target.text)):
                continue
            copies.append(Copy(r.id, m[1], r.title, r.source, r.published, m[2], numbers_changed(m[2], target.text)))
        out.append(replace(target, also=tuple(copies)))
    return out
