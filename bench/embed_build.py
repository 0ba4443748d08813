"""Embedding speed of the vector build: the old settings beside the new, in one run.

    DATABASE_URL=sqlite:////path/full.sqlite3 .venv/bin/python bench/embed_build.py \
        [--sample 5000] > bench-embed.json

A fixed sample (seed 7) of the texts `medcode search build` embeds, drawn from every
(code set, kind) group in proportion, is embedded with the real model:
- old: one process, two intra-op threads that spin while idle, 64 texts per model call
  cut from texts sorted by characters (the settings before);
- one process, one thread, no spinning: the same batches, then batches cut from texts
  sorted by token count (what Embedder.embed does now) of 16, 32 and 64 texts;
- new: EmbeddingPool, BUILD_WORKERS processes of one thread (what the build runs now);
  its CPU includes starting the workers (loading the model).
For each: wall s, texts/s, CPU s per 1,000 texts (user + system, all threads and workers),
and the largest difference from the old vectors. `projected_full_build` scales CPU per
1,000 texts to every distinct text the build embeds, and divides by the workers for
a quiet machine with that many cores. Prints JSON with the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def draw_sample(size: int) -> tuple[list[str], int, dict[str, int]]:
    """`size` distinct texts the build embeds (vectors built or not), in proportion to each
    (code set, kind) group; also the number of distinct texts in all."""
    from medcode.search.vectors import embedded_entries

    groups: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for system, kind, text_hash, text in embedded_entries().values_list(
        "document__system", "kind", "text_hash", "text"
    ):
        if text_hash not in seen:
            seen.add(text_hash)
            groups[f"{system}/{kind}"].append(text)
    rng = random.Random(7)
    total = len(seen)
    sample: list[str] = []
    drawn: dict[str, int] = {}
    for name in sorted(groups):
        texts = sorted(groups[name])
        n = min(len(texts), max(1, round(size * len(texts) / total)))
        drawn[name] = n
        sample.extend(rng.sample(texts, n))
    return sample, total, drawn


def measure(name: str, run: Callable[[], np.ndarray], n: int) -> tuple[dict[str, Any], Any]:
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    vectors = run()
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    return {
        "settings": name,
        "wall_s": round(wall, 1),
        "texts_per_s": round(n / wall, 1),
        "cpu_s_per_1000": round(1000 * cpu / n, 2),
    }, vectors


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=5000)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from medcode.search.embeddings import BUILD_WORKERS, Embedder, EmbeddingPool
    from medcode.search.vectors import BATCH, INNER_BATCH

    load_before = os.getloadavg()
    sample, total, drawn = draw_sample(args.sample)
    order = sorted(sample, key=len)  # build_vectors hands texts over shortest first

    def batched(embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        return np.concatenate([embed(order[i : i + BATCH]) for i in range(0, len(order), BATCH)])

    old_model = Embedder(threads=2, spinning=True)
    one_model = Embedder(threads=1)

    def by_chars(model: Embedder, size: int) -> Callable[[list[str]], np.ndarray]:
        """The old batching: texts sorted by characters, each batch padded to its longest."""

        def embed(texts: list[str]) -> np.ndarray:
            ordered = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            out = np.zeros((len(texts), model.dim), dtype=np.float32)
            for start in range(0, len(ordered), size):
                rows = ordered[start : start + size]
                out[rows] = model._embed_batch([texts[i] for i in rows])
            return out

        return embed

    def by_tokens(model: Embedder, size: int) -> Callable[[list[str]], np.ndarray]:
        return lambda texts: model.embed(texts, batch_size=size)

    def pool_run() -> np.ndarray:
        with EmbeddingPool(workers=BUILD_WORKERS) as pool:
            parts = pool.map(
                [order[i : i + BATCH] for i in range(0, len(order), BATCH)], INNER_BATCH
            )
            return np.concatenate(list(parts))

    results = []
    old_row, old_vectors = measure(
        "old: 1 process x 2 spinning threads, 64 texts a call sorted by characters",
        lambda: batched(by_chars(old_model, 64)),
        len(order),
    )
    results.append(old_row)
    runs: list[tuple[str, Callable[[], np.ndarray]]] = [
        (
            "1 process x 1 thread, 64 texts a call sorted by characters",
            lambda: batched(by_chars(one_model, 64)),
        )
    ]
    runs += [
        (
            f"1 process x 1 thread, {size} texts a call sorted by tokens",
            lambda size=size: batched(by_tokens(one_model, size)),  # type: ignore[misc]
        )
        for size in (16, 32, 64)
    ]
    runs.append(
        (
            f"new: {BUILD_WORKERS} processes x 1 thread, {INNER_BATCH} texts a call"
            " sorted by tokens",
            pool_run,
        )
    )
    for name, run in runs:
        row, vectors = measure(name, run, len(order))
        row["max_abs_diff_from_old"] = float(np.abs(vectors - old_vectors).max())
        results.append(row)
    pool_row = results[-1]
    print(
        json.dumps(
            {
                "sample": len(order),
                "drawn": drawn,
                "distinct_texts_in_db": total,
                "cores": os.cpu_count(),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "results": results,
                "projected_full_build": {
                    "old_cpu_min": round(old_row["cpu_s_per_1000"] * total / 1000 / 60, 1),
                    "new_cpu_min": round(pool_row["cpu_s_per_1000"] * total / 1000 / 60, 1),
                    "new_wall_min_quiet": round(
                        pool_row["cpu_s_per_1000"] * total / 1000 / 60 / BUILD_WORKERS, 1
                    ),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
