"""Add articles: upload files, keep them in the archive folder, index them; answerable at once."""
import math
from pathlib import Path

import streamlit as st

from rag.articles import SUFFIXES
from webapp.common import ARCHIVE_PAGE, get_engine
from webapp.safe import md
from webapp.uploads import UploadError, archive_dir, safe_name, save_upload

engine = get_engine()
limit_mb = engine.config.max_file_mb
folder = archive_dir()

st.title("Add articles")
st.markdown(md(f"Formats: {', '.join(sorted(SUFFIXES))}, up to {limit_mb:g} MB per file. Plain text: paragraphs "
               "separated by blank lines, with optional header lines at the top (title: …, date: 2019-08-31, "
               "source: …). JSONL: one article object per line (id, title, text, source, published, url)."))
st.caption(md(f"Files are kept in {folder.resolve()} and indexed at once; the chat can answer from them "
              "right away."))

generation = st.session_state.setdefault("upload_generation", 0)
files = st.file_uploader("Article files", type=sorted(SUFFIXES), accept_multiple_files=True,
                         key=f"upload-{generation}", max_upload_size=max(1, math.ceil(limit_mb)))


def add(files) -> dict:
    """Save the uploads, ingest them with a progress bar, drop files that gave nothing; the outcome."""
    outcome = {"added": [], "replaced": [], "unchanged": [], "failed": [], "notes": [], "renamed": []}
    saved: dict[Path, tuple[str, bool]] = {}
    for f in files:
        data = f.getvalue()
        if len(data) > limit_mb * 1e6:
            outcome["failed"].append((f.name, f"file is {len(data) / 1e6:.1f} MB, over the {limit_mb:g} MB limit "
                                              "per file; split it into smaller files"))
            continue
        try:
            path, created = save_upload(folder, f.name, data)
        except (UploadError, OSError) as e:
            outcome["failed"].append((f.name, str(e)))
            continue
        saved[path.resolve()] = (f.name, created)
        if path.name != f.name:
            why = ("a different file with that name is already there" if path.name != safe_name(f.name)
                   else "a plain file name")
            outcome["renamed"].append((f.name, path.name, why))
    if not saved:
        return outcome
    bar = st.progress(0.0, text="Reading files…")

    def progress(done, total, label):
        bar.progress(done / total if total else 1.0, text=f"Indexed {done} of {total} {label}")

    report = engine.ingest(list(saved), progress=progress)
    bar.progress(1.0, text=f"Done in {report.seconds:.1f} s")
    for kind in ("added", "replaced", "unchanged"):
        for article_id in getattr(report, kind):
            record = engine.index.article(article_id)
            outcome[kind].append((article_id, record.title if record else article_id))
    failed_paths = set()
    for err in report.failed:
        resolved = Path(err.path).resolve()
        failed_paths.add(resolved)
        name = saved.get(resolved, (Path(err.path).name, False))[0]
        outcome["failed"].append((name + (f", line {err.line}" if err.line else ""), err.reason))
    outcome["notes"] = [n.replace(str(folder.resolve()) + "/", "").replace(str(folder) + "/", "")
                        for n in report.notes]
    # A file that gave no article at all is not kept: the next `make run` would only fail on it again.
    indexed_paths = {Path(r.path).resolve() for r in engine.index.articles()}
    for path, (name, created) in saved.items():
        if created and path in failed_paths and path not in indexed_paths:
            path.unlink(missing_ok=True)
            outcome["notes"].append(f"{name} was not kept in the archive folder.")
            outcome["renamed"] = [r for r in outcome["renamed"] if r[1] != path.name]
    return outcome


if st.button("Add to archive", type="primary", icon=":material/upload:", disabled=not files, key="add"):
    st.session_state["upload_outcome"] = add(files)
    st.session_state["upload_generation"] = generation + 1  # a fresh, empty uploader
    st.rerun()

outcome = st.session_state.get("upload_outcome")
if outcome:
    added, replaced, unchanged, failed = (outcome[k] for k in ("added", "replaced", "unchanged", "failed"))
    summary = (f"{len(added)} added, {len(replaced)} updated, {len(unchanged)} unchanged, {len(failed)} failed")
    (st.error if failed and not (added or replaced or unchanged) else st.warning if failed else st.success)(summary)
    for title, items in (("Added", added), ("Updated", replaced), ("Already in the archive, unchanged", unchanged)):
        if items:
            st.markdown(f"**{title}**")
            for article_id, article_title in items:
                st.page_link(ARCHIVE_PAGE, label=md(article_title), icon=":material/article:",
                             query_params={"article": article_id})
    if failed:
        st.markdown("**Failed**")
        for name, reason in failed:
            st.error(md(f"{name}: {reason}"))
    for original, new, why in outcome["renamed"]:
        st.caption(md(f"{original} was saved as {new} ({why})."))
    for note in outcome["notes"]:
        st.caption(md(note))
    if added or replaced:
        st.page_link("webapp/chat.py", label="Ask about them in the chat", icon=":material/forum:")
