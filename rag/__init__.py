"""A question-answering engine over a news archive, answering with paragraph citations."""
