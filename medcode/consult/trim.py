"""Trim a plain-text email body to what the sender wrote: no quoted history, no signature.

Forwarded content ("---------- Forwarded message ----------") is kept: it is usually the case
the sender is asking about.
"""

from __future__ import annotations

import re

_SIGNATURE = re.compile(r"^(--|Sent from my \S.*|Get Outlook for \S.*)$", re.I)
_ORIGINAL = re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.I)
# "On Tue, 3 Mar 2026 at 10:00, Ann <ann@example.org> wrote:" (may wrap onto a second line)
_ON_WROTE = re.compile(r"^(On|Le|Am|El)\s.+(wrote|a écrit|schrieb|escribió)\s*:\s*$", re.I)
_ON_START = re.compile(r"^On\s.+", re.I)
_WROTE_END = re.compile(r".*\bwrote:\s*$", re.I)
_OUTLOOK_HEADER = re.compile(r"^From:\s.+", re.I)
_OUTLOOK_NEXT = re.compile(r"^(Sent|Date):\s.+", re.I)
_FORWARDED = re.compile(r"^-{2,}\s*Forwarded message\s*-{2,}|^Begin forwarded message:", re.I)


def trim_body(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    forwarded = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _FORWARDED.match(stripped):
            forwarded = True
        if not forwarded:
            if _SIGNATURE.match(stripped):
                break
            if _ORIGINAL.match(stripped) or _ON_WROTE.match(stripped):
                break
            if (
                _ON_START.match(stripped)
                and i + 1 < len(lines)
                and _WROTE_END.match(lines[i + 1].strip())
            ):
                break
            if stripped.startswith("_" * 10) or (
                _OUTLOOK_HEADER.match(stripped)
                and i + 1 < len(lines)
                and _OUTLOOK_NEXT.match(lines[i + 1].strip())
            ):
                break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    body = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", body).strip()
