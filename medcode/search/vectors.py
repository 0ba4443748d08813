"""The semantic layer's data: embedding every search text once, and searching the vectors.

`build_vectors` (the `medcode search build` step) embeds each Entry text whose hash has no
vector yet, committing batch by batch so an interrupted build resumes where it stopped; a
text that did not change is never embedded again. Vectors are stored as int8 (a float32
scale and 384 bytes). It then groups the vectors into cells (k-means) so a query compares
itself with the few cells nearest to it instead of every vector.

`get_vector_index()` loads them once per process as one int8 matrix (about 100 MB for the
full data), sorted by cell; it returns None when vectors are not built, and search then
runs on words alone and says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from medcode.search.embeddings import (
    BUILD_WORKERS,
    DEFAULT_MODEL,
    Embedder,
    EmbeddingModelMissing,
    EmbeddingPool,
    FloatArray,
    StorageFormat,
    is_model_installed,
    normalise,
    to_bytes,
)
from medcode.search.models import Entry, IndexState, Vector

VECTORS = "vectors"
FORMAT: StorageFormat = "int8"
# Entry kinds that get a vector: what a code is called, its inclusion terms and the names the
# Alphabetic Index sends to it ("see" references: the lay words). Left to the word index, to
# keep the build within minutes: short titles (they abbreviate the title) and index paths
# (68,000 texts, mostly a title's words in another order).
EMBEDDED_KINDS = ("title", "inclusion", "see", "stem", "editorial", "licensed")
BATCH = 256  # texts per commit
# Texts per model call. Texts come shortest first, so a batch pads little; smaller calls
# were cheaper per text on this model (bench/embed_build.py).
INNER_BATCH = 16
SAMPLE_FOR_CELLS = 40_000
KMEANS_ROUNDS = 8
# How often a process checks whether the index it holds is still the newest.
RELOAD_CHECK_SECONDS = 15.0

SYSTEM_CODES = {"ICD10CM": 0, "ICD10PCS": 1, "HCPCS": 2, "MODIFIER": 3, "CPT": 4, "POS": 5}

IntArray = npt.NDArray[np.int64]


class TextEmbedder(Protocol):
    """What build_vectors needs of a model (embeddings.Embedder, or a test stand-in)."""

    @property
    def model_name(self) -> str: ...

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> FloatArray: ...


@dataclass(frozen=True)
class BuildReport:
    texts: int
    embedded: int
    cached: int
    cells: int
    seconds: float
    texts_per_second: float
    model: str


# ---------------------------------------------------------------- building


def embedded_entries(kinds: Sequence[str] = EMBEDDED_KINDS) -> QuerySet[Entry]:
    """The entries that get a vector. Left out, to keep the build within minutes: an
    ICD-10-CM code's encounter and sequela variants (its 7th character; search finds the
    code above and resolves it to the initial encounter) and ICD-10-PCS full titles (80,000
    combinations of approach, device and qualifier; their "operation of body part" stem is
    embedded once instead)."""
    encounter = (
        Q(document__title__contains=", initial encounter")
        | Q(document__title__contains=", subsequent encounter")
        | Q(document__title__endswith=", sequela")
    )
    return (
        Entry.objects.filter(document__is_current=True, kind__in=kinds)
        .exclude(Q(document__system="ICD10CM") & encounter)
        .exclude(document__system="ICD10PCS", kind="title")
    )


def texts_to_embed(kinds: Sequence[str] = EMBEDDED_KINDS) -> dict[str, str]:
    """hash -> text for every embedded entry of a current document that has no vector yet."""
    have = set(Vector.objects.values_list("text_hash", flat=True))
    entries = embedded_entries(kinds)
    wanted: dict[str, str] = {}
    for text_hash, text in entries.values_list("text_hash", "text").iterator(chunk_size=20_000):
        if text_hash not in have and text_hash not in wanted:
            wanted[text_hash] = text
    return wanted


def build_vectors(
    *,
    embedder: TextEmbedder | None = None,
    kinds: Sequence[str] = EMBEDDED_KINDS,
    batch_size: int = BATCH,
    limit: int | None = None,
    recluster: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int = BUILD_WORKERS,
) -> BuildReport:
    """Embed what is missing (resumable), then (re)assign cells. `limit` caps the number of
    texts embedded in this run (tests and trial runs). Without an `embedder`, the model runs
    in `workers` processes of one thread each (EmbeddingPool).

    Each distinct text is embedded once (texts are keyed by hash), shortest first, so every
    batch holds texts of about one length and pads little."""
    started = time.perf_counter()
    wanted = texts_to_embed(kinds)
    todo = sorted(wanted.items(), key=lambda item: len(item[1]))
    if limit is not None:
        todo = todo[:limit]
    total = embedded_entries(kinds).count()
    batches = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]
    done = 0
    embed_started = time.perf_counter()
    model_name = embedder.model_name if embedder is not None else DEFAULT_MODEL.name
    with ExitStack() as stack:
        results: Iterable[FloatArray]
        if embedder is not None:
            model = embedder
            results = (model.embed([t for _, t in b], batch_size=INNER_BATCH) for b in batches)
        elif not batches:
            results = ()
        else:
            pool = stack.enter_context(EmbeddingPool(workers=workers))
            results = pool.map([[t for _, t in b] for b in batches], INNER_BATCH)
        for batch, vectors in zip(batches, results, strict=True):
            rows = [
                Vector(text_hash=h, model=model_name, vector=to_bytes(v, FORMAT))
                for (h, _), v in zip(batch, vectors, strict=True)
            ]
            with transaction.atomic():
                Vector.objects.bulk_create(rows, ignore_conflicts=True)
            done += len(batch)
            if progress:
                progress(done, len(todo))
    embed_seconds = time.perf_counter() - embed_started
    cells = assign_cells(recluster=recluster)
    _invalidate()
    return BuildReport(
        texts=total,
        embedded=done,
        cached=total - done,
        cells=cells,
        seconds=round(time.perf_counter() - started, 1),
        texts_per_second=round(done / embed_seconds, 1) if done and embed_seconds else 0.0,
        model=model_name,
    )


def _decode(
    blobs: Sequence[bytes | memoryview], dim: int
) -> tuple[npt.NDArray[np.int8], FloatArray]:
    """int8 rows and their scales from to_bytes(..., "int8") blobs, without a Python loop."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.int8), np.zeros(0, dtype=np.float32)
    raw = np.frombuffer(b"".join(bytes(b) for b in blobs), dtype=np.uint8).reshape(-1, 4 + dim)
    scales = raw[:, :4].copy().view(np.float32).ravel()
    return raw[:, 4:].view(np.int8), scales


def _as_float(rows: npt.NDArray[np.int8], scales: FloatArray) -> FloatArray:
    out: FloatArray = rows.astype(np.float32) * scales[:, None]
    return out


def assign_cells(*, recluster: bool = False, dim: int = DEFAULT_MODEL.dim) -> int:
    """Give every vector a cell; choose new centroids when asked or when a third or more of
    the vectors have none (first build, big new release)."""
    state = IndexState.objects.filter(name=VECTORS).first()
    unassigned = Vector.objects.filter(cluster=-1).count()
    count = Vector.objects.count()
    if count == 0:
        return 0
    centroids = None
    if state is not None and state.blob and not recluster and unassigned * 3 < count:
        centroids = np.frombuffer(bytes(state.blob), dtype=np.float32).reshape(-1, dim)
    if centroids is None:
        centroids = _kmeans(dim=dim, cells=cell_count(count))
        hashes = list(Vector.objects.values_list("text_hash", flat=True))
    else:
        hashes = list(Vector.objects.filter(cluster=-1).values_list("text_hash", flat=True))
    for start in range(0, len(hashes), 20_000):
        chunk = hashes[start : start + 20_000]
        blobs = dict(Vector.objects.filter(text_hash__in=chunk).values_list("text_hash", "vector"))
        keys = [h for h in chunk if h in blobs]
        rows, scales = _decode([blobs[h] for h in keys], dim)
        cells = np.argmax(_as_float(rows, scales) @ centroids.T, axis=1)
        _save_cells(keys, [int(c) for c in cells])
    IndexState.objects.update_or_create(
        name=VECTORS,
        defaults={
            "built_at": timezone.now(),
            "blob": centroids.astype(np.float32).tobytes(),
            "details": {"model": DEFAULT_MODEL.name, "cells": len(centroids), "vectors": count},
        },
    )
    return len(centroids)


def cell_count(n: int) -> int:
    return int(min(1024, max(1, round(2 * np.sqrt(n)))))


def _kmeans(*, dim: int, cells: int, seed: int = 7) -> FloatArray:
    """Spherical k-means on a sample of the vectors (cosine: centroids are normalised)."""
    sample = list(
        Vector.objects.order_by("text_hash").values_list("vector", flat=True)[:SAMPLE_FOR_CELLS]
    )
    rows, scales = _decode(sample, dim)
    data = normalise(_as_float(rows, scales))
    rng = np.random.default_rng(seed)
    cells = min(cells, len(data))
    centroids = data[rng.choice(len(data), size=cells, replace=False)].copy()
    for _ in range(KMEANS_ROUNDS):
        labels = np.argmax(data @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, data)
        empty = np.bincount(labels, minlength=cells) == 0
        sums[empty] = data[rng.choice(len(data), size=int(empty.sum()))]
        centroids = normalise(sums)
    return centroids


def _save_cells(hashes: list[str], cells: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE search_vector v SET cluster = x.c"
                " FROM unnest(%s::text[], %s::int[]) AS x(h, c) WHERE v.text_hash = x.h",
                [hashes, cells],
            )
        else:
            cursor.executemany(
                "UPDATE search_vector SET cluster = %s WHERE text_hash = %s",
                list(zip(cells, hashes, strict=True)),
            )


def vector_status() -> dict[str, Any]:
    state = IndexState.objects.filter(name=VECTORS).first()
    entries = embedded_entries()
    return {
        "model": DEFAULT_MODEL.name,
        "model_installed": is_model_installed(),
        "vectors": Vector.objects.count(),
        "entries": entries.count(),
        "built_at": state.built_at.isoformat() if state and state.built_at else None,
        "cells": (state.details or {}).get("cells", 0) if state else 0,
    }


# ---------------------------------------------------------------- searching


@dataclass
class VectorIndex:
    """Entry vectors sorted by cell, with per-row document ids and filter columns."""

    rows: npt.NDArray[np.int8]
    scales: FloatArray
    documents: IntArray
    systems: npt.NDArray[np.int8]
    billable: npt.NDArray[np.bool_]
    current: npt.NDArray[np.bool_]
    centroids: FloatArray
    offsets: IntArray  # rows of cell c are offsets[c]:offsets[c + 1]
    key: tuple[Any, ...]

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def nbytes(self) -> int:
        arrays = (self.rows, self.scales, self.documents, self.systems, self.billable)
        return int(sum(a.nbytes for a in arrays))

    def mask(
        self, systems: Sequence[str] = (), billable: bool | None = None, current: bool = True
    ) -> npt.NDArray[np.bool_]:
        keep = np.ones(self.size, dtype=bool)
        if systems:
            codes = [SYSTEM_CODES[s] for s in systems if s in SYSTEM_CODES]
            keep &= np.isin(self.systems, codes)
        if billable is not None:
            keep &= self.billable == billable
        if current:
            keep &= self.current
        return keep

    def search(
        self,
        query: FloatArray,
        *,
        k: int = 50,
        probes: int = 24,
        keep: npt.NDArray[np.bool_] | None = None,
    ) -> list[tuple[int, float]]:
        """(document id, cosine) of the best `k` documents in the `probes` nearest cells."""
        near = np.argsort(-(self.centroids @ query))[:probes]
        index = np.concatenate(
            [np.arange(self.offsets[c], self.offsets[c + 1]) for c in near] or [np.zeros(0, int)]
        )
        if keep is not None:
            index = index[keep[index]]
        if not len(index):
            return []
        scores = (self.rows[index].astype(np.float32) @ query) * self.scales[index]
        return _best_documents(self.documents[index], scores, k)

    def search_all(
        self, queries: FloatArray, *, k: int = 50, keep: npt.NDArray[np.bool_] | None = None
    ) -> list[list[tuple[int, float]]]:
        """Exhaustive search for many queries at once (case notes): per query, (document id,
        cosine) of the best `k` documents."""
        index = np.flatnonzero(keep) if keep is not None else np.arange(self.size)
        best: list[list[tuple[int, float]]] = [[] for _ in range(len(queries))]
        if not len(index) or not len(queries):
            return best
        depth = 4 * k
        top_rows = np.zeros((len(queries), 0), dtype=np.int64)
        top_scores = np.zeros((len(queries), 0), dtype=np.float32)
        for start in range(0, len(index), 8192):
            part = index[start : start + 8192]
            # Scale after the product: one multiply per (row, query) pair instead of one per
            # stored component (same scores to float32 rounding, ~25% less CPU per call).
            scores = ((self.rows[part].astype(np.float32) @ queries.T) * self.scales[part, None]).T
            if scores.shape[1] > depth:
                cols = np.argpartition(-scores, depth - 1, axis=1)[:, :depth]
                scores = np.take_along_axis(scores, cols, axis=1)
                rows = part[cols]
            else:
                rows = np.broadcast_to(part, scores.shape)
            top_rows = np.concatenate([top_rows, rows], axis=1)
            top_scores = np.concatenate([top_scores, scores], axis=1)
            if top_scores.shape[1] > depth:
                cols = np.argpartition(-top_scores, depth - 1, axis=1)[:, :depth]
                top_rows = np.take_along_axis(top_rows, cols, axis=1)
                top_scores = np.take_along_axis(top_scores, cols, axis=1)
        for i in range(len(queries)):
            best[i] = _best_documents(self.documents[top_rows[i]], top_scores[i], k)
        return best


def _best_documents(documents: IntArray, scores: FloatArray, k: int) -> list[tuple[int, float]]:
    """The best score per document, the best `k` documents first."""
    depth = min(len(scores), 8 * k)
    top = np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores) else np.arange(depth)
    top = top[np.argsort(-scores[top])]
    found: dict[int, float] = {}
    for i in top:
        doc = int(documents[i])
        if doc not in found:
            found[doc] = float(scores[i])
            if len(found) == k:
                break
    return list(found.items())


_lock = threading.Lock()
_loaded: dict[str, Any] = {"index": None, "key": None, "checked": 0.0}


def _state_key() -> tuple[Any, ...] | None:
    states = dict(IndexState.objects.values_list("name", "built_at"))
    if VECTORS not in states or "lexical" not in states:
        return None
    return (states["lexical"], states[VECTORS])


def get_vector_index() -> VectorIndex | None:
    """The process's vector index, loaded on first use and reloaded when rebuilt."""
    now = time.monotonic()
    if now - _loaded["checked"] < RELOAD_CHECK_SECONDS and _loaded["key"] is not None:
        return _loaded["index"]  # type: ignore[no-any-return]
    with _lock:
        key = _state_key()
        _loaded["checked"] = now
        if key != _loaded["key"]:
            _loaded["index"] = load_vector_index(key) if key is not None else None
            _loaded["key"] = key
        return _loaded["index"]  # type: ignore[no-any-return]


def _invalidate() -> None:
    with _lock:
        _loaded.update(index=None, key=None, checked=0.0)
    query_vector.cache_clear()


def load_vector_index(key: tuple[Any, ...], *, dim: int = DEFAULT_MODEL.dim) -> VectorIndex | None:
    state = IndexState.objects.filter(name=VECTORS).first()
    if state is None or not state.blob:
        return None
    centroids = np.frombuffer(bytes(state.blob), dtype=np.float32).reshape(-1, dim).copy()
    sql = (
        "SELECT v.cluster, e.document_id, d.system, d.is_billable, d.is_current, v.vector"
        " FROM search_entry e JOIN search_document d ON d.id = e.document_id"
        " JOIN search_vector v ON v.text_hash = e.text_hash"
        f" WHERE e.kind IN ({', '.join(['%s'] * len(EMBEDDED_KINDS))})"
        " ORDER BY v.cluster"
    )
    cells: list[int] = []
    documents: list[int] = []
    systems: list[int] = []
    billable: list[bool] = []
    current: list[bool] = []
    blobs: list[bytes] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, list(EMBEDDED_KINDS))
        for cell, doc, system, is_billable, is_current, blob in _fetch(cursor):
            cells.append(cell)
            documents.append(doc)
            systems.append(SYSTEM_CODES.get(system, 127))
            billable.append(bool(is_billable))
            current.append(bool(is_current))
            blobs.append(blob)
    if not blobs:
        return None
    rows, scales = _decode(blobs, dim)
    cell_array = np.asarray(cells, dtype=np.int64)
    unassigned = cell_array < 0
    if unassigned.any():  # vectors added after the cells were chosen
        cell_array[unassigned] = np.argmax(
            _as_float(rows[unassigned], scales[unassigned]) @ centroids.T, axis=1
        )
    order = np.argsort(cell_array, kind="stable")
    offsets = np.searchsorted(cell_array[order], np.arange(len(centroids) + 1))
    return VectorIndex(
        rows=np.ascontiguousarray(rows[order]),
        scales=scales[order].copy(),
        documents=np.asarray(documents, dtype=np.int64)[order],
        systems=np.asarray(systems, dtype=np.int8)[order],
        billable=np.asarray(billable, dtype=bool)[order],
        current=np.asarray(current, dtype=bool)[order],
        centroids=centroids,
        offsets=offsets.astype(np.int64),
        key=key,
    )


def _fetch(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while True:
        rows = cursor.fetchmany(10_000)
        if not rows:
            return
        yield from rows


SERVING_THREADS = 1
_serving: dict[str, Embedder] = {}


def serving_embedder() -> Embedder:
    """The model for requests: one thread, so server workers sharing the cores do not keep
    each other's idle inference threads spinning (the build step uses EmbeddingPool)."""
    with _lock:
        if "model" not in _serving:
            _serving["model"] = Embedder(DEFAULT_MODEL, threads=SERVING_THREADS)
        return _serving["model"]


@lru_cache(maxsize=4096)
def query_vector(text: str) -> FloatArray | None:
    """The embedding of a search box query (cached: people retype the same words)."""
    try:
        vector: FloatArray = serving_embedder().embed([text])[0]
    except EmbeddingModelMissing:
        return None
    return vector
