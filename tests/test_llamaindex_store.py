"""The index's Chroma collection is a llama-index vector store: llama-index code can open and query it."""
from rag.store import ChunkKey, Filters

QUESTION = "When did the August truce start?"


def test_llama_index_retrieves_our_paragraphs_with_their_metadata(seed_engine, hash_embedder):
    from llama_index.core import VectorStoreIndex

    index = VectorStoreIndex.from_vector_store(seed_engine.index.store, embed_model=hash_embedder)
    nodes = index.as_retriever(similarity_top_k=3).retrieve(QUESTION)
    ours = seed_engine.searcher.retriever.dense(QUESTION, Filters())
    assert [ChunkKey.parse(n.node.node_id).chunk_id for n in nodes] == [chunk_id for chunk_id, _ in ours[:3]]
    top = nodes[0].node
    article_id, paragraph = top.metadata["article_id"], top.metadata["paragraph"]
    text, _ = seed_engine.index.paragraph(article_id, paragraph)
    assert top.get_content() in text  # the chunk's own text, not the header it was embedded with
