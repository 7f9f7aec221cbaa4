"""Our exception types. The library raises these; the CLI and the web app turn them into messages.

Stage: the toolkit under every stage. Imports nothing of rag/.
"""


class RagError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class NoIndexError(RagError):
    """The index folder holds no ingested archive."""


class ArticleError(RagError):
    """One archive file (or one line of it) could not be read."""

    def __init__(self, path, reason, line=None):
        self.path, self.reason, self.line = str(path), reason, line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class QuestionError(RagError):
    """The question is empty or otherwise unusable."""


class ConfigError(RagError):
    """A setting (environment variable, flag) has a value we cannot use."""


class InputError(RagError):
    """A command-line argument or one line of standard input cannot be used (the batch goes on with the next)."""
