"""Benchmark: checking claims against the full NCCI practitioner PTP table (plus MUE, add-on,
PFS, HCPCS and ICD-10-CM), beside a straightforward one-SQL-query-per-pair approach.

Needs a database with the shared data imported (a throwaway SQLite file):

    export DATABASE_URL=sqlite:////tmp/claims.sqlite3 MEDCODE_VAR_DIR=/tmp/claims_var
    .venv/bin/medcode manage migrate
    .venv/bin/medcode data import ../shared/data/ncci_*.csv.gz \\
        ../shared/data/pfs_rvu_2025d.csv.gz ../shared/data/icd10cm_*.csv.gz \\
        ../shared/data/hcpcs_*.csv.gz
    .venv/bin/python bench/claims.py [--claims 100000] [--naive 2000] [--no-server]
        [--dos-from 2025-10-01 [--locality 13202-01]]

--dos-from moves the dates of service (e.g. into the PFS file's year, so the expected payment
prices every line) and gives each line a place of service; --locality prices in a locality.

Prints one JSON document:
- in_process: p50/p99 ms to check one 10-line claim (parse + check), with a cold table cache
  (every row read from the database for that claim) and warm (rows already in memory);
- api: p50/p99 ms of POST /api/v1/claims/check against gunicorn on loopback;
- batch: claims/s for --claims generated claims through the batch service (parse + check,
  wall clock with generation, and per CPU second without generation; the parse cost apart);
- naive_orm / naive_sql: claims/s of one query per code pair (and per line for MUE, add-on,
  PFS, codes, per diagnosis for ICD-10-CM), through the Django ORM (the straightforward way)
  and as raw SQL, over the first --naive claims of the same batch; the ratios; and whether
  both approaches found the same findings (they run the same rules);
- opps_facility_claims / dmepos_state_claims (--rules-claims, default 20,000 each; 0 skips):
  the same in-process and batch figures for outpatient hospital claims priced by the OPPS
  (Addendum B April 2026: dates in April-June 2026, an SI mix with T, S, V, N, Q1, Q2, Q4 and
  a J1 in one claim of three) and for practitioner claims with places of service and a DME
  line priced at a state's DMEPOS fee (April-June 2025); what those rules did over the first
  2,000 claims (lines per schedule, priced, SIs, packaged lines, the expected total, and
  the findings by rule: no PFS rule should fire on the OPPS claims); and
  batch_vs_reference: their batch throughput over the practitioner batch above (the
  reference of the same run; the issue's target is within 20%, and a warm p50 below 2 ms);
- memory: peak resident set of this process.
The machine may be shared: CPU seconds (process time) are given beside wall-clock figures.
Generated claims are random but seeded: codes are drawn from active PTP pairs so edits fire.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/claims.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from medcode.claims import services  # noqa: E402
from medcode.claims.releases import ReleaseSet  # noqa: E402
from medcode.claims.tables import STORE, dmepos_table  # noqa: E402
from medcode.codes.models import (  # noqa: E402
    AddOnEdit,
    Code,
    CodeNote,
    FeeScheduleItem,
    MueLimit,
    NcdCodeListing,
    OppsItem,
    PtpEdit,
)
from medcode.rules import (  # noqa: E402
    AddOnEdit as AddOnRule,
)
from medcode.rules import (  # noqa: E402
    Claim,
    DiagnosisInfo,
    HcpcsPayment,
    InMemoryTables,
    NcdEntry,
    Span,
    check_claim,
)
from medcode.rules import FeeIndicators as FeeRule  # noqa: E402
from medcode.rules import MueLimit as MueRule  # noqa: E402
from medcode.rules import PtpEdit as PtpRule  # noqa: E402
from tests.ports import free_port  # noqa: E402

QUARTER_START = dt.date(2024, 7, 1)
# --dos-from / --locality: dates of service from that day (e.g. in the PFS file's year, so the
# expected payment prices every line), a place of service per line, and the claim's locality.
PRICED: dict[str, Any] = {"dos_from": None, "locality": None}
EM_CODES = ["99212", "99213", "99214", "99215", "99203", "99204"]
MODIFIER_CHOICES = ["59", "XS", "XU", "RT", "LT", "25", "76", "26", "TC", "50", "GY"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 3),
        "p99_ms": round(percentile(values, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
        "n": len(values),
    }


# Claims ------------------------------------------------------------------------------------


class ClaimMaker:
    """Seeded 10-line claims: two active PTP pairs (so edits fire), often an E/M visit and an
    add-on code, the rest common PFS procedures; 1-4 real billable ICD-10-CM diagnoses."""

    def __init__(self, seed: int = 20240715) -> None:
        self.random = random.Random(seed)
        releases = STORE.refresh().release_set(QUARTER_START)
        ptp_ids = [r.id for r in releases.ptp]
        table = PtpEdit._meta.db_table
        marks = ",".join(["%s"] * len(ptp_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MIN(id), MAX(id) FROM {table} WHERE release_id IN ({marks})", ptp_ids
            )
            low, high = cursor.fetchone()
            ids = self.random.sample(range(low, high + 1), 60_000)
            pairs: list[tuple[str, str]] = []
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cursor.execute(
                    f"SELECT column_1, column_2 FROM {table} "
                    f"WHERE id IN ({','.join(['%s'] * len(chunk))}) "
                    "AND modifier_indicator IN ('0', '1') "
                    "AND (deleted_on IS NULL OR deleted_on > %s)",
                    [*chunk, "2024-09-30"],
                )
                pairs.extend(cursor.fetchall())
        self.pairs = pairs
        pfs = releases.pfs.id if releases.pfs else 0
        self.procedures = list(
            FeeScheduleItem.objects.filter(release_id=pfs, modifier="", status_code="A")
            .exclude(code__startswith="99")
            .values_list("code", flat=True)
        )
        self.addons = list(
            AddOnEdit.objects.filter(release_id=releases.addon.id if releases.addon else 0)
            .exclude(primary="CCCCC")
            .values_list("addon", "primary")[:3000]
        )
        dx_release = releases.diagnoses
        self.diagnoses = list(
            Code.objects.filter(
                release_id=dx_release.id if dx_release else 0, is_billable=True
            ).values_list("display", flat=True)[::37]
        )

    def claim(self, number: int) -> dict[str, Any]:
        r = self.random
        start = PRICED["dos_from"] or QUARTER_START
        dos = (start + dt.timedelta(days=r.randrange(92))).isoformat()
        codes: list[tuple[str, list[str]]] = []
        for column_1, column_2 in r.sample(self.pairs, 2):
            bypass = ["59"] if r.random() < 0.25 else []
            codes += [(column_1, []), (column_2, bypass)]
        if r.random() < 0.5:
            codes.append((r.choice(EM_CODES), ["25"] if r.random() < 0.3 else []))
        if r.random() < 0.3:
            addon, primary = r.choice(self.addons)
            codes += [(primary, []), (addon, [])] if r.random() < 0.7 else [(addon, [])]
        while len(codes) < 10:
            extra = [r.choice(MODIFIER_CHOICES)] if r.random() < 0.15 else []
            codes.append((r.choice(self.procedures), extra))
        diagnoses = r.sample(self.diagnoses, r.randint(1, 4))
        lines = [
            {
                "code": code,
                "modifiers": modifiers,
                "units": r.choice((1, 1, 1, 1, 2, 3)),
                "date_of_service": dos,
                "diagnosis_pointers": [r.randint(1, len(diagnoses))],
            }
            for code, modifiers in codes[:10]
        ]
        claim = {"claim_id": f"C{number:06d}", "diagnoses": diagnoses, "lines": lines}
        if PRICED["dos_from"]:
            for line in lines:
                line["place_of_service"] = r.choice(("11", "22"))
        if PRICED["locality"]:
            claim["locality"] = PRICED["locality"]
        return claim

    def claims(self, count: int) -> Iterator[dict[str, Any]]:
        for number in range(1, count + 1):
            yield self.claim(number)


# OPPS and DMEPOS: the loaded Addendum B is April 2026, the DMEPOS file April 2025, so these
# claims' dates fall in those quarters (the rules price nothing outside the files' years).
OPPS_QUARTER = dt.date(2026, 4, 1)
DMEPOS_QUARTER = dt.date(2025, 4, 1)
# The OPPS mix of a facility claim: SIs whose packaging rules interact (T reduced 50% after
# the first, N packaged, Q1 packaged with S/T/V, Q2 with T, J1 packaging the claim).
OPPS_MIX = ("T", "T", "S", "V", "N", "N", "Q1", "Q2", "Q4", "J1")
STATES = ("TX", "NY", "CA", "FL", "OH", "PA", "IL", "GA")


class RulesClaimMaker(ClaimMaker):
    """The same claims, made to reach the OPPS and DMEPOS rules.

    facility: an outpatient hospital claim (setting outpatient_hospital) of 10 lines drawn
    from Addendum B by the SI mix above (J1 in one claim of three), dated in April-June 2026.
    dme: a practitioner claim (places of service 11/22, so the PFS prices its lines) with one
    DME line (a code of the DMEPOS file with its row's modifiers) and a state, April-June 2025.
    """

    def __init__(self, kind: str, seed: int = 20240715) -> None:
        super().__init__(seed)
        self.kind = kind
        releases = STORE.refresh()
        opps = releases.release_set(OPPS_QUARTER).opps
        by_si: dict[str, list[str]] = {}
        for code, si in OppsItem.objects.filter(release_id=opps.id if opps else 0).values_list(
            "code", "status_indicator"
        ):
            by_si.setdefault(si.strip(), []).append(code)
        self.opps = by_si
        dmepos = releases.release_set(DMEPOS_QUARTER).dmepos
        table = dmepos_table(dmepos.id) if dmepos else {}
        self.dme = [
            (row.code, list(row.modifiers))
            for rows in table.values()
            for row in rows
            if row.fees.get("tx_nr")
        ]

    def claim(self, number: int) -> dict[str, Any]:
        if self.kind == "facility":
            return self.facility_claim(number)
        claim = super().claim(number)
        r = self.random
        dos = (DMEPOS_QUARTER + dt.timedelta(days=r.randrange(91))).isoformat()
        for line in claim["lines"]:
            line["date_of_service"] = dos
            line["place_of_service"] = r.choice(("11", "22"))
        code, modifiers = r.choice(self.dme)
        claim["lines"][-1].update(code=code, modifiers=modifiers, units=1, place_of_service="12")
        claim["state"] = r.choice(STATES)
        return claim

    def facility_claim(self, number: int) -> dict[str, Any]:
        r = self.random
        dos = (OPPS_QUARTER + dt.timedelta(days=r.randrange(91))).isoformat()
        mix = [si for si in OPPS_MIX if si != "J1" or r.random() < 1 / 3]
        codes = [r.choice(self.opps[si]) for si in mix if self.opps.get(si)]
        while len(codes) < 10:
            codes.append(r.choice(self.opps.get("N") or self.procedures))
        diagnoses = r.sample(self.diagnoses, r.randint(1, 4))
        lines = [
            {
                "code": code,
                "modifiers": [],
                "units": r.choice((1, 1, 1, 2)),
                "date_of_service": dos,
                "diagnosis_pointers": [r.randint(1, len(diagnoses))],
            }
            for code in codes[:10]
        ]
        return {
            "claim_id": f"H{number:06d}",
            "setting": "outpatient_hospital",
            "diagnoses": diagnoses,
            "lines": lines,
        }


# The straightforward approach ---------------------------------------------------------------


class Naive:
    """One SQL query per code pair for PTP, per line for the other tables, per diagnosis."""

    def __init__(self, releases: ReleaseSet) -> None:
        self.releases = releases
        self.cursor = connection.cursor()

    def one(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql, params)
        return list(self.cursor.fetchall())

    def tables_for(self, claim: Claim) -> InMemoryTables:
        rs = self.releases
        ptp_ids = [r.id for r in rs.ptp]
        start = rs.ptp[0].effective_from if rs.ptp else QUARTER_START
        marks = ",".join(["%s"] * len(ptp_ids))
        ptp = []
        codes = list(dict.fromkeys(line.code for line in claim.lines))
        latest = {
            line.code: line.date_of_service
            for line in sorted(claim.lines, key=lambda x: x.date_of_service)
        }
        for a in codes:
            for b in codes:
                if a == b:
                    continue
                rows = self.one(
                    f"SELECT effective_on, deleted_on, modifier_indicator, rationale FROM "
                    f"{PtpEdit._meta.db_table} WHERE release_id IN ({marks}) AND column_1 = %s "
                    "AND column_2 = %s",
                    [*ptp_ids, a, b],
                )
                for effective, deleted, indicator, rationale in rows:
                    ptp.append(PtpRule(a, b, effective or start, deleted, indicator, rationale))
        mue, addons, fees, known = [], [], [], {}
        for code in codes:
            for layer in rs.mue:
                rows = self.one(
                    f"SELECT value, mai, rationale FROM {MueLimit._meta.db_table} "
                    "WHERE release_id = %s AND code = %s AND service_type = 'practitioner'",
                    [layer.id, code],
                )
                if rows:
                    mue.append(MueRule(code, rows[0][0], rows[0][1], rows[0][2]))
                    break
            if rs.addon:
                for primary, kind, effective, deleted in self.one(
                    'SELECT "primary", edit_type, effective_on, deleted_on '
                    f"FROM {AddOnEdit._meta.db_table} WHERE release_id = %s AND addon = %s",
                    [rs.addon.id, code],
                ):
                    addons.append(
                        AddOnRule(
                            code, primary, kind, effective or rs.addon.effective_from, deleted
                        )
                    )
            if rs.pfs:
                for row in self.one(
                    "SELECT modifier, status_code, global_days, pctc_ind, mult_proc_ind, "
                    "bilat_surg_ind, asst_surg_ind, co_surg_ind, team_surg_ind, nonfac_na, "
                    "facility_na, attributes "
                    f"FROM {FeeScheduleItem._meta.db_table} WHERE release_id = %s AND code = %s",
                    [rs.pfs.id, code],
                ):
                    ints = [int(v) if v.isdigit() else -1 for v in row[3:9]]
                    attributes = json.loads(row[11]) if isinstance(row[11], str) else row[11]
                    not_used = bool((attributes or {}).get("not_used_for_medicare_payment"))
                    fees.append(
                        fee_rule(
                            code,
                            row[0],
                            row[1],
                            row[2],
                            ints,
                            not_used,
                            bool(row[9]),
                            bool(row[10]),
                        )
                    )
            code_ids = [r.id for r in rs.codes]
            rows = self.one(
                f"SELECT added_on, terminated_on FROM {Code._meta.db_table} WHERE release_id IN "
                f"({','.join(['%s'] * len(code_ids))}) AND code = %s "
                "AND system IN ('CPT', 'HCPCS')",
                [*code_ids, code],
            )
            if rows:
                known[code] = Span(rows[0][0], rows[0][1])
            elif (elsewhere := listed_elsewhere(rs, code, latest[code])) is not None:
                known[code] = elsewhere
        modifier_ids = [r.id for r in rs.modifiers]
        modifiers = {}
        for modifier in {m for line in claim.lines for m in line.modifiers}:
            rows = self.one(
                f"SELECT added_on, terminated_on FROM {Code._meta.db_table} WHERE release_id IN "
                f"({','.join(['%s'] * len(modifier_ids))}) AND code = %s AND system = 'MODIFIER'",
                [*modifier_ids, modifier],
            )
            if rows or modifier in {"59", "25", "26", "50", "76", "57", "62", "66", "80", "91"}:
                modifiers[modifier] = Span(*(rows[0] if rows else (None, None)))
        diagnoses = []
        for code in claim.diagnoses:
            rows = self.one(
                f"SELECT is_billable, section, chapter FROM {Code._meta.db_table} "
                "WHERE release_id = %s AND code = %s",
                [rs.diagnoses.id if rs.diagnoses else 0, code],
            )
            if not rows:
                continue
            notes: list[str] = []
            keys = [f"CH{rows[0][2]}", rows[0][1], *(code[:n] for n in range(3, len(code) + 1))]
            for key in keys:
                notes += [
                    t
                    for (t,) in self.one(
                        f"SELECT text FROM {CodeNote._meta.db_table} WHERE release_id = %s AND "
                        "note_type = 'excludes1' AND code = %s ORDER BY seq",
                        [rs.notes.id if rs.notes else 0, key],
                    )
                ]
            diagnoses.append((DiagnosisInfo(code, bool(rows[0][0]), tuple(notes)), Span()))
        return InMemoryTables(
            ptp=ptp,
            mue=mue,
            addons=addons,
            fees=fees,
            codes=known,
            modifiers=modifiers,
            diagnoses=diagnoses,
            hcpcs=self.hcpcs_for(codes),
            ncd=self.ncd_for([*codes, *claim.diagnoses, "@@@@@@@"]),
            sources={
                kind: rs.source(kind)
                for kind in ("ptp", "mue", "addon", "pfs", "codes", "modifiers", "diagnoses", "ncd")
            },
        )

    def hcpcs_for(self, codes: list[str]) -> list[HcpcsPayment]:
        """One query per code: the HCPCS Level II coverage and pricing codes."""
        release = next((r for r in self.releases.codes if r.code_system == "HCPCS"), None)
        found: list[HcpcsPayment] = []
        if release is None:
            return found
        for code in codes:
            for (attributes,) in self.one(
                f"SELECT attributes FROM {Code._meta.db_table} WHERE release_id = %s "
                "AND system = 'HCPCS' AND code = %s",
                [release.id, code],
            ):
                data = json.loads(attributes) if isinstance(attributes, str) else attributes
                pricing = tuple(data.get("pricing_indicators") or ())
                found.append(
                    HcpcsPayment(code, data.get("coverage", ""), pricing, release.citation)
                )
        return found

    def ncd_for(self, codes: list[str]) -> list[NcdEntry]:
        """One query per code or diagnosis: the NCD coding spreadsheet rows naming it."""
        release = self.releases.ncd
        found: list[NcdEntry] = []
        if release is None:
            return found
        for code in codes:
            for ncd, title, system, effective, terminated, resolution in self.one(
                "SELECT ncd, title, system, effective_on, terminated_on, resolution FROM "
                f"{NcdCodeListing._meta.db_table} WHERE release_id = %s AND code = %s",
                [release.id, code],
            ):
                found.append(
                    NcdEntry(ncd, title, system, code, day(effective), day(terminated), resolution)
                )
        return found


def fee_rule(
    code: str,
    modifier: str,
    status: str,
    global_days: str,
    ints: list[int],
    not_used: bool,
    nonfac_na: bool,
    facility_na: bool,
) -> FeeRule:
    pctc, mult, bilateral, assistant, cosurgeon, team = ints
    return FeeRule(
        code,
        modifier,
        status,
        global_days,
        pctc,
        mult,
        bilateral,
        assistant,
        cosurgeon,
        team,
        not_used_for_medicare=not_used,
        nonfac_na=nonfac_na,
        facility_na=facility_na,
    )


def day(value: object) -> dt.date | None:
    """A date column as the driver returns it (a date, ISO text or None)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def first(queryset: Any) -> Any:
    """The first row without .first()'s ORDER BY id (which can make SQLite scan by id)."""
    return next(iter(queryset[:1]), None)


def listed_elsewhere(rs: ReleaseSet, code: str, on: dt.date) -> Span | None:
    """For a code the code lists lack: a span of another file in force naming it (OPPS
    Addendum B, MUE, DMEPOS from their release's date; NCD rows their own), one that covers
    `on` if any, one query per file, as the claim check's code validity rule reads them
    (docs/payment.md)."""
    spans = []
    for release, model in [(rs.opps, OppsItem), *((m, MueLimit) for m in rs.mue)]:
        if release is not None and first(model.objects.filter(release_id=release.id, code=code)):
            spans.append(Span(release.effective_from, None))
    if rs.dmepos is not None and code in dmepos_table(rs.dmepos.id):
        spans.append(Span(rs.dmepos.effective_from, None))
    if rs.ncd is not None:
        listed = NcdCodeListing.objects.filter(release_id=rs.ncd.id, code=code)
        for row in listed.exclude(system="ICD10CM"):
            spans.append(Span(row.effective_on, row.terminated_on))
    return next((s for s in spans if s.covers(on)), spans[0] if spans else None)


class NaiveOrm(Naive):
    """The same, written as the Django ORM reads one row at a time (the straightforward way)."""

    def tables_for(self, claim: Claim) -> InMemoryTables:
        rs = self.releases
        ptp_ids = [r.id for r in rs.ptp]
        start = rs.ptp[0].effective_from if rs.ptp else QUARTER_START
        codes = list(dict.fromkeys(line.code for line in claim.lines))
        latest = {
            line.code: line.date_of_service
            for line in sorted(claim.lines, key=lambda x: x.date_of_service)
        }
        ptp = [
            PtpRule(a, b, e.effective_on or start, e.deleted_on, e.modifier_indicator, e.rationale)
            for a in codes
            for b in codes
            if a != b
            for e in PtpEdit.objects.filter(release_id__in=ptp_ids, column_1=a, column_2=b)
        ]
        mue, addons, fees, known = [], [], [], {}
        for code in codes:
            for layer in rs.mue:
                limit = first(
                    MueLimit.objects.filter(
                        release_id=layer.id, code=code, service_type="practitioner"
                    )
                )
                if limit is not None:
                    mue.append(MueRule(code, limit.value, limit.mai, limit.rationale))
                    break
            if rs.addon:
                for a in AddOnEdit.objects.filter(release_id=rs.addon.id, addon=code):
                    effective = a.effective_on or rs.addon.effective_from
                    addons.append(AddOnRule(code, a.primary, a.edit_type, effective, a.deleted_on))
            if rs.pfs:
                for f in FeeScheduleItem.objects.filter(release_id=rs.pfs.id, code=code):
                    ints = [
                        int(v) if v.isdigit() else -1
                        for v in (
                            f.pctc_ind,
                            f.mult_proc_ind,
                            f.bilat_surg_ind,
                            f.asst_surg_ind,
                            f.co_surg_ind,
                            f.team_surg_ind,
                        )
                    ]
                    not_used = bool(f.attributes.get("not_used_for_medicare_payment"))
                    fees.append(
                        fee_rule(
                            code,
                            f.modifier,
                            f.status_code,
                            f.global_days,
                            ints,
                            not_used,
                            f.nonfac_na,
                            f.facility_na,
                        )
                    )
            row = first(
                Code.objects.filter(
                    release_id__in=[r.id for r in rs.codes], code=code, system__in=["CPT", "HCPCS"]
                )
            )
            if row is not None:
                known[code] = Span(row.added_on, row.terminated_on)
            elif (elsewhere := listed_elsewhere(rs, code, latest[code])) is not None:
                known[code] = elsewhere
        modifiers = {}
        for modifier in {m for line in claim.lines for m in line.modifiers}:
            row = first(
                Code.objects.filter(
                    release_id__in=[r.id for r in rs.modifiers], code=modifier, system="MODIFIER"
                )
            )
            if row is not None or modifier in {
                "59",
                "25",
                "26",
                "50",
                "76",
                "57",
                "62",
                "66",
                "80",
                "91",
            }:
                modifiers[modifier] = Span(row.added_on, row.terminated_on) if row else Span()
        diagnoses = []
        for code in claim.diagnoses:
            row = first(
                Code.objects.filter(release_id=rs.diagnoses.id if rs.diagnoses else 0, code=code)
            )
            if row is None:
                continue
            keys = [f"CH{row.chapter}", row.section, *(code[:n] for n in range(3, len(code) + 1))]
            notes = [
                note.text
                for key in keys
                for note in CodeNote.objects.filter(
                    release_id=rs.notes.id if rs.notes else 0, note_type="excludes1", code=key
                ).order_by("seq")
            ]
            diagnoses.append((DiagnosisInfo(code, row.is_billable, tuple(notes)), Span()))
        return InMemoryTables(
            ptp=ptp,
            mue=mue,
            addons=addons,
            fees=fees,
            codes=known,
            modifiers=modifiers,
            diagnoses=diagnoses,
            hcpcs=self.hcpcs_for(codes),
            ncd=[
                NcdEntry(
                    n.ncd, n.title, n.system, n.code, n.effective_on, n.terminated_on, n.resolution
                )
                for code in [*codes, *claim.diagnoses, "@@@@@@@"]
                for n in NcdCodeListing.objects.filter(
                    release_id=rs.ncd.id if rs.ncd else 0, code=code
                )
            ],
            sources={
                k: rs.source(k)
                for k in ("ptp", "mue", "addon", "pfs", "codes", "modifiers", "diagnoses", "ncd")
            },
        )


def key_of(findings: list[Any]) -> set[tuple[Any, ...]]:
    return {(f.rule, f.lines, f.message) for f in findings}


# Runs --------------------------------------------------------------------------------------


def run_in_process(maker: ClaimMaker, count: int) -> dict[str, Any]:
    claims = [maker.claim(n) for n in range(count)]
    cold = []
    for claim in claims:
        STORE.reset()
        STORE.refresh()  # the release catalog stays: only the rows are read again
        started = time.perf_counter()
        services.check_claim_data(claim)
        cold.append(time.perf_counter() - started)
    for claim in claims:  # fill the cache
        services.check_claim_data(claim)
    warm = []
    for claim in claims:
        started = time.perf_counter()
        services.check_claim_data(claim)
        warm.append(time.perf_counter() - started)
    return {"cold_cache": ms(cold), "warm_cache": ms(warm)}


def run_batch(maker: ClaimMaker, count: int) -> dict[str, Any]:
    STORE.reset()
    cpu = time.process_time()
    for _ in maker.claims(count):
        pass
    generation = time.process_time() - cpu  # CPU seconds, taken off the batch's below
    sample = list(maker.claims(10_000))
    cpu = time.process_time()
    for claim in sample:
        services.parse_claim(claim)
    parse_ms = (time.process_time() - cpu) / len(sample) * 1000
    del sample

    items = (
        (n, c["claim_id"], services.parse_claim(c)) for n, c in enumerate(maker.claims(count), 1)
    )
    started, cpu = time.perf_counter(), time.process_time()
    findings = invalid = 0
    by_rule: dict[str, int] = {}
    for record in services.check_batch(items):
        if record.result is None:
            invalid += 1
            continue
        findings += len(record.result.findings)
        for f in record.result.findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    caches = list(STORE._caches.values())
    held = sum(
        len(rows) if isinstance(rows, list) else 1
        for cache in caches
        for by_c2 in cache._ptp.values()
        for rows in by_c2.values()
    )
    return {
        "claims": count,
        "lines": count * 10,
        "wall_seconds_including_generation": round(seconds, 2),
        "cpu_seconds_including_generation": round(cpu, 2),
        "generation_cpu_seconds": round(generation, 2),
        "parse_cpu_ms_per_claim": round(parse_ms, 3),
        "claims_per_second": round(count / seconds),
        "claims_per_cpu_second": round(count / (cpu - generation)),
        "claims_per_cpu_second_check_only": round(
            count / (cpu - generation - parse_ms * count / 1000)
        ),
        "findings": findings,
        "findings_by_rule": dict(sorted(by_rule.items())),
        "invalid": invalid,
        "ptp_edits_held_in_memory": held,
    }


def run_rules(kind: str, single: int, count: int) -> dict[str, Any]:
    """The in-process and batch figures of claims that reach the OPPS or DMEPOS rules, and
    what those rules did (lines priced per schedule, SIs, packaged lines, states)."""
    figures = run_in_process(RulesClaimMaker(kind, seed=1), single)
    maker = RulesClaimMaker(kind)
    batch = run_batch(maker, count)
    schedules: dict[str, int] = {}
    priced: dict[str, int] = {}
    si: dict[str, int] = {}
    packaged = total_lines = 0
    total = 0.0
    rules: dict[str, int] = {}
    for claim in maker.claims(min(count, 2_000)):
        checked = services.check_claim_data(claim)
        for finding in checked.findings:
            rules[finding.rule] = rules.get(finding.rule, 0) + 1
        payment = checked.payment
        if payment is None:
            continue
        for line in payment.payment.lines:
            total_lines += 1
            schedules[line.schedule] = schedules.get(line.schedule, 0) + 1
            if line.amount is not None:
                priced[line.schedule] = priced.get(line.schedule, 0) + 1
                total += float(line.amount)
            if line.status_indicator:
                si[line.status_indicator] = si.get(line.status_indicator, 0) + 1
            packaged += bool(line.packaged_into)
    return {
        "in_process": figures,
        "batch": batch,
        "payment_over_first_2000_claims": {
            "lines": total_lines,
            "lines_by_schedule": dict(sorted(schedules.items())),
            "priced_by_schedule": dict(sorted(priced.items())),
            "opps_status_indicators": dict(sorted(si.items())),
            "opps_lines_packaged": packaged,
            "expected_total_usd": round(total, 2),
        },
        "findings_over_first_2000_claims": dict(sorted(rules.items())),
    }


def run_naive(maker: ClaimMaker, count: int, kind: type[Naive]) -> dict[str, Any]:
    releases = STORE.refresh().release_set(QUARTER_START)
    naive = kind(releases)
    claims = [services.parse_claim(c).claim for c in maker.claims(count)]
    started, cpu = time.perf_counter(), time.process_time()
    naive_findings = [check_claim(claim, naive.tables_for(claim)) for claim in claims]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    same = 0
    for claim, found in zip(claims, naive_findings, strict=True):
        ours = services.check_parsed(services.ParsedClaim(claim)).findings
        same += key_of(ours) == key_of(found)
    return {
        "claims": count,
        "seconds": round(seconds, 2),
        "claims_per_second": round(count / seconds, 1),
        "cpu_seconds": round(cpu, 2),
        "claims_per_cpu_second": round(count / cpu, 1),
        "same_findings": f"{same}/{count}",
    }


def run_api(maker: ClaimMaker, count: int, workers: int) -> dict[str, Any]:
    port = free_port()
    # Metering off: this measures the check, not the plan limits (bench/metering.py does).
    env = {**os.environ, "MEDCODE_ALLOWED_HOSTS": "127.0.0.1", "MEDCODE_METERING": "off"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "medcode.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        bodies = [json.dumps(maker.claim(n)) for n in range(count)]
        timings, statuses = [], {}
        for round_ in ("warmup", "measure"):
            for body in bodies:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                started = time.perf_counter()
                conn.request(
                    "POST", "/api/v1/claims/check", body, {"Content-Type": "application/json"}
                )
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                conn.close()
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if round_ == "measure":
                    timings.append(elapsed)
        return {"workers": workers, "first_pass_then_measured": ms(timings), "statuses": statuses}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=2_000)
    parser.add_argument("--single", type=int, default=1_000)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--api-only", action="store_true", help="only the gunicorn figures")
    parser.add_argument("--dos-from", type=dt.date.fromisoformat, help="first date of service")
    parser.add_argument("--locality", help="each claim's payment locality, e.g. 13202-01")
    parser.add_argument(
        "--rules-claims",
        type=int,
        default=20_000,
        help="claims per OPPS (facility) and DMEPOS (DME line + state) batch; 0 skips them",
    )
    args = parser.parse_args()
    PRICED.update(dos_from=args.dos_from, locality=args.locality)
    if args.api_only:
        print(json.dumps({"api": run_api(ClaimMaker(seed=2), args.single, workers=1)}, indent=2))
        return

    catalog = STORE.refresh()
    releases = catalog.release_set(QUARTER_START)
    result: dict[str, Any] = {
        "database": connection.vendor,
        "database_url": os.environ["DATABASE_URL"],
        "releases": {
            k: releases.source(k) for k in ("ptp", "mue", "addon", "pfs", "codes", "diagnoses")
        },
        "ptp_rows": PtpEdit.objects.filter(release_id__in=[r.id for r in releases.ptp]).count(),
    }
    maker = ClaimMaker()
    result["in_process"] = run_in_process(ClaimMaker(seed=1), args.single)
    result["batch"] = run_batch(maker, args.claims)
    result["naive_orm"] = run_naive(ClaimMaker(), args.naive, NaiveOrm)
    result["naive_sql"] = run_naive(ClaimMaker(), args.naive, Naive)
    batch = result["batch"]
    result["speedup_batch_vs_naive"] = {
        name: {
            "wall": round(batch["claims_per_second"] / result[name]["claims_per_second"], 1),
            "cpu": round(batch["claims_per_cpu_second"] / result[name]["claims_per_cpu_second"], 1),
        }
        for name in ("naive_orm", "naive_sql")
    }
    if args.rules_claims:
        reference = result["batch"]
        for kind, name in (("facility", "opps_facility_claims"), ("dme", "dmepos_state_claims")):
            found = run_rules(kind, args.single, args.rules_claims)
            found["batch_vs_reference"] = {
                "claims_per_cpu_second_check_only": round(
                    found["batch"]["claims_per_cpu_second_check_only"]
                    / reference["claims_per_cpu_second_check_only"],
                    3,
                ),
                "claims_per_second": round(
                    found["batch"]["claims_per_second"] / reference["claims_per_second"], 3
                ),
            }
            result[name] = found
        result["targets"] = {
            "in_process_warm_p50_ms_below": 2.0,
            "batch_within_of_reference": 0.2,
            "reference": "the batch above (practitioner claims, same run)",
        }
    result["memory"] = {
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    }
    if not args.no_server:
        result["api"] = run_api(ClaimMaker(seed=2), args.single, workers=1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
