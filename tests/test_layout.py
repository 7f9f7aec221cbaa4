"""Layout: the package's modules import each other without a cycle (read with ast, so lazy imports inside
functions count too), every import goes down the pipeline's stages, no module of rag/ imports the CLI, and no
module is longer than a sitting's reading."""
import ast
from pathlib import Path

RAG = Path(__file__).resolve().parent.parent / "rag"
MAX_LINES = 420

# The pipeline's stages, lowest first (README, "How an answer is made"). A module may import its own stage and
# those below it, never one above: tuning an answerer cannot change retrieval, nor search the records' format.
STAGES = [
    ("rag.errors", "rag.config", "rag.safe_text", "rag.text", "rag.scoring"),  # the toolkit every stage uses
    ("rag.dates", "rag.places"),  # reading dates and places in text
    ("rag.articles", "rag.formats", "rag.chunking"),  # files -> articles -> chunks
    ("rag.store", "rag.embed", "rag.dedup", "rag.model_files"),  # records, vectors, BM25; copies of a story
    ("rag.ingest", "rag.retrieve"),  # writing the archive, reading candidates back
    ("rag.temporal", "rag.spans", "rag.rerank", "rag.search"),  # one search path
    ("rag.answer", "rag.verify", "rag.reader", "rag.prompts", "rag.answerers"),  # answering and checking
    ("rag.engine", "rag.timeline", "rag.present", "rag.evaluate"),  # wiring and what is made of answers
    ("rag.cli", "rag.__main__", "rag"),  # the edge
]


def stage(module: str) -> int:
    """The stage of a module: that of the longest listed name it is, or is inside of."""
    best = max((name for names in STAGES for name in names if module == name or module.startswith(name + ".")),
               key=len)
    return next(i for i, names in enumerate(STAGES) if best in names)


def module_name(path: Path) -> str:
    parts = path.relative_to(RAG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The rag modules that `path` imports, anywhere in it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(0, node.level - 1)):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
            # `from .. import model_files` imports the submodule, not the package around it
            candidates = submodules or [target]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c in modules and c != name}
    return found


def graph() -> dict[str, set[str]]:
    files = [p for p in RAG.rglob("*.py")]
    modules = {module_name(p) for p in files}
    return {module_name(p): imports(p, modules) for p in files}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_rag_has_no_import_cycle():
    assert find_cycle(graph()) is None


def test_no_pipeline_module_imports_the_edges():
    edges = graph()
    for module, targets in edges.items():
        if module not in ("rag.cli", "rag.__main__"):
            assert "rag.cli" not in targets, module


def test_every_import_goes_down_the_stages():
    edges = graph()
    upward = [f"{a} (stage {stage(a)}) imports {b} (stage {stage(b)})"
              for a, targets in edges.items() for b in targets if stage(b) > stage(a)]
    assert upward == []


def test_every_module_is_listed_in_a_stage_and_short():
    for path in RAG.rglob("*.py"):
        stage(module_name(path))  # raises for a module no stage names: add it where it belongs
    long = {module_name(p): n for p in RAG.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, "split these modules"


def test_every_module_says_what_it_is():
    silent = [module_name(p) for p in RAG.rglob("*.py") if p.name != "__main__.py"
              and (tree := ast.parse(p.read_text())).body and not ast.get_docstring(tree)]
    assert silent == [], "say in a docstring which stage each is"
