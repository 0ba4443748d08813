"""A newer release imported under a running `medcode serve`: readers see it switch at once.

While `medcode data import` loads a HCPCS release that renames every code, two readers
poll a code page (JSON and HTML). Each answer must be wholly the old release (old title, old
release label) or wholly the new one, never a mix and never a missing code; once the import
is done, the new release is what everyone sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from medcode.codes.tests.sample_data import SAMPLES
from tests.faults.conftest import REPO, cli, fetch, medcode_server, sample_files, server_env

OLD = "hcpcs_level2_2024_07.csv"
NEW = "hcpcs_level2_2024_10.csv"
CODE = "E0114"
OLD_TITLE = (
    "Crutches underarm, other than wood, adjustable or fixed, pair, with pads, tips and handgrips"
)
NEW_TITLE = "Crutches underarm, other than wood, pair (revised wording)"
SETTLE_SECONDS = 10


def newer_release(path):
    """The sample HCPCS file with every description changed, plus 6,000 made-up codes so
    the import takes a while."""
    lines = SAMPLES[OLD].splitlines()
    with path.open("w", encoding="utf-8") as fh:
        fh.write(lines[0] + "\n")
        for line in lines[1:]:
            code, rest = line.split(",", 1)
            if code == CODE:
                rest = rest.replace(f'"{OLD_TITLE}"', f'"{NEW_TITLE}"', 1)
            else:
                rest = rest.replace(",", " (revised),", 1) if not rest.startswith('"') else rest
            fh.write(f"{code},{rest}\n")
        for letter in "BGJ":
            for number in range(2000):
                made_up = f"{letter}{number:04d}"
                fh.write(
                    f'{made_up},"Made-up item {made_up}",Item {made_up},'
                    "00,9,I,O1A,D,N,,,,,,,,0,,2001-01-01,,2001-01-01\n"
                )
    return path


def classify_json(body: str) -> str:
    data = json.loads(body)
    release = data["release"]["source_file"]
    title = data["title"]
    if release == OLD and title == OLD_TITLE:
        return "old"
    if release == NEW and title == NEW_TITLE:
        return "new"
    return f"mixed: {release} / {title}"


def classify_html(body: str) -> str:
    # The History section names both releases by design (a title change shows the old title
    # and the new): what must never mix is the page as of its release, above that section.
    body = body.split('<section id="history"', 1)[0]
    old, new = OLD_TITLE in body, NEW_TITLE in body
    if old and not new and "2024 July" in body and "2024 October" not in body:
        return "old"
    if new and not old and "2024 October" in body:
        return "new"
    return f"mixed: old title {old}, new title {new}"


def test_pages_switch_atomically_to_a_release_imported_while_serving(
    scratch_database_url, tmp_path
):
    # Embedding the new texts for search is not what this test is about, and takes minutes.
    env = server_env(scratch_database_url, tmp_path / "var", MEDCODE_SEARCH_EMBED_ON_IMPORT="off")
    cli(env, "data", "import", *sample_files(tmp_path / "data", "hcpcs_level2"))
    new_file = newer_release(tmp_path / NEW)
    seen: dict[str, list[str]] = {"json": [], "html": []}
    problems: list[str] = []
    stop = threading.Event()

    with medcode_server(env, tmp_path / "server.log", workers=2) as base:
        targets = {
            "json": (f"{base}/api/v1/codes/{CODE}", classify_json),
            "html": (f"{base}/codes/{CODE}/", classify_html),
        }

        def read(kind: str) -> None:
            url, classify = targets[kind]
            while not stop.is_set():
                answer = fetch(url)
                if answer.status != 200:
                    problems.append(f"{kind}: {answer.status} {answer.body[:200]}")
                    continue
                seen[kind].append(classify(answer.body))

        readers = [threading.Thread(target=read, args=(kind,)) for kind in targets]
        for reader in readers:
            reader.start()
        try:
            time.sleep(1)
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "medcode.cli", "data", "import", str(new_file)],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                cwd=REPO,
            )
            import_seconds = time.monotonic() - started
            assert result.returncode == 0, result.stderr
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline and not all(
                s and s[-1] == "new" for s in seen.values()
            ):
                time.sleep(0.2)
            time.sleep(0.5)
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=30)

    assert not problems, problems[:5]
    for kind, answers in seen.items():
        mixed = [a for a in answers if a not in {"old", "new"}]
        assert not mixed, (kind, mixed[:5])
        assert answers[0] == "old" and answers[-1] == "new", (kind, answers[:3], answers[-3:])
        # Once a reader saw the new release it never went back to the old one... per worker
        # caches may lag by the release check interval, so only the last answers must be new.
        assert len(answers) >= 10, (kind, len(answers))
    print(f"import took {import_seconds:.1f}s; answers: { {k: len(v) for k, v in seen.items()} }")
