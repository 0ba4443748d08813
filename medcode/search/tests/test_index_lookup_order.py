"""The Index lookup keeps the same path in every process, and a main term the caller never
codes from does not hide a code's path through another main term (FY2025 Index rows: "Short,
shortening, shortness > breath R06.02" and "Breath > shortness R06.02")."""

from __future__ import annotations

import os
import subprocess
import sys

from medcode.search.index_matcher import AlphabeticIndex, build_tree, main_term

ROWS: list[tuple[int, str, str, str, str, dict[str, str]]] = [
    (0, "Breath", "", "", "", {}),
    (1, "shortness", "R06.02", "", "", {}),
    (0, "Short, shortening, shortness", "", "", "", {}),
    (1, "breath", "R06.02", "", "", {}),
]


def test_a_skipped_main_term_leaves_the_codes_other_path():
    index = AlphabeticIndex(roots=build_tree(ROWS), neoplasm=[])
    hits = index.lookup("shortness of breath", skip=frozenset({"short"}))
    assert [(h.code, h.path) for h in hits] == [("R0602", "Breath > shortness")]
    assert main_term("Short, shortening, shortness > breath") == "short"


def test_the_path_kept_is_the_same_whatever_the_hash_seed():
    program = (
        "from medcode.search.tests.test_index_lookup_order import ROWS;"
        "from medcode.search.index_matcher import AlphabeticIndex, build_tree;"
        "index = AlphabeticIndex(roots=build_tree(ROWS), neoplasm=[]);"
        "print(index.lookup('shortness of breath')[0].path)"
    )
    paths = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert len(paths) == 1, paths
