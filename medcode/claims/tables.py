"""The rule tables from the database: the releases in force on each line's date of service.

A claim's lines are grouped by the set of releases in force on their dates (almost always one
group). Each set of releases has one `TableCache`, shared by every claim whose dates fall under
it: it loads rows lazily, a few queries for a claim or a chunk of claims, and keeps them, so a
batch of 100,000 claims reads each code's edits once. `ClaimTables` is the `RuleTables` the
rules see for one claim: the cache, with PTP lookups narrowed to the codes on that claim.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from medcode.claims.articles import ensure_index
from medcode.claims.models import ArticleListing as ArticleRow
from medcode.claims.releases import (
    MUE_SERVICE_TYPES,
    Catalog,
    ReleaseRef,
    ReleaseSet,
    Setting,
)
from medcode.codes.models import AddOnEdit as AddOnRow
from medcode.codes.models import (
    Code,
    CodeNote,
    CodeSystem,
    FeeScheduleItem,
    NcdCodeListing,
    OppsItem,
    ReferenceRow,
)
from medcode.codes.models import MueLimit as MueRow
from medcode.codes.models import PtpEdit as PtpRow
from medcode.lib.codeshapes import CPT_CODE, HCPCS_LEVEL2_CODE
from medcode.ops import datacache, generation
from medcode.ops.routers import reference_connection
from medcode.rules import (
    AddOnEdit,
    Claim,
    DiagnosisInfo,
    FeeIndicators,
    HcpcsPayment,
    MueLimit,
    NcdEntry,
    PtpEdit,
    Span,
)
from medcode.rules.coverage import ALL_OTHERS
from medcode.rules.dmepos import DmeposRow
from medcode.rules.modifier_sets import CPT_LEVEL_I
from medcode.rules.opps import OppsRate
from medcode.rules.tables import ArticleListing, Rvus, TableKind

# SQLite allows 32,766 parameters; PostgreSQL many more. Stay well under both.
IN_CHUNK = 900
# Pairs remembered by single-claim lookups before that part of the cache starts afresh.
PAIR_CACHE_LIMIT = 1_000_000
# Sets of releases (quarters) kept at once: a cache that has read a whole practitioner PTP
# table holds its 2.5 million edits in about 300 MB.
MAX_CACHES = 4


# Loaded rows ---------------------------------------------------------------------------------


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with reference_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == IN_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _indicator(value: str | None) -> int:
    """A PFS indicator digit; blank (unpublished) is -1, which no rule has a message for."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else -1


class _Dates:
    """Dates as the driver returns them (date objects, or ISO text), one shared object each."""

    def __init__(self) -> None:
        self._seen: dict[object, dt.date | None] = {None: None, "": None}

    def __call__(self, value: object) -> dt.date | None:
        try:
            return self._seen[value]
        except KeyError:
            found = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
            self._seen[value] = found
            return found


def _rvu(value: object) -> Decimal:
    # Through str: the float 19.6 read back is the "19.60" the file printed.
    return Decimal(str(value)) if value is not None else Decimal(0)


def _rvus(work: object, nonfac_pe: object, facility_pe: object, mp: object, cf: object) -> Rvus:
    """A PFS row's RVUs for the expected payment (a blank RVU counts 0, as in the file)."""
    return Rvus(_rvu(work), _rvu(nonfac_pe), _rvu(facility_pe), _rvu(mp), _rvu(cf) if cf else None)


def _care_shares(pre: object, intra: object, post: object) -> tuple[Decimal, Decimal, Decimal]:
    """PRE OP, INTRA OP and POST OP as the file printed them (0.10, 0.69, 0.21)."""
    return (_rvu(pre), _rvu(intra), _rvu(post))


def _json(value: object) -> dict[str, Any]:
    """A JSON column read by raw SQL: text on SQLite, already a dict on PostgreSQL."""
    if isinstance(value, dict):
        return value
    found = json.loads(value) if isinstance(value, str | bytes) and value else {}
    return found if isinstance(found, dict) else {}


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass
class TableCache:
    """The rows of one release set that claims have needed so far."""

    releases: ReleaseSet
    # PTP: column 1 -> column 2 -> an edit's row, or a list of rows for a repeated pair.
    _ptp: dict[str, dict[str, Any]] = field(default_factory=dict)
    _shared: dict[Any, Any] = field(default_factory=dict)  # one object per equal code/row
    _ptp_full: set[str] = field(default_factory=set)  # column 1 codes with every edit loaded
    _ptp_pairs: set[tuple[str, str]] = field(default_factory=set)  # pairs looked up one by one
    _mue: dict[str, MueLimit | None] = field(default_factory=dict)
    _addons: dict[str, tuple[AddOnEdit, ...]] = field(default_factory=dict)
    _fees: dict[str, dict[str, FeeIndicators]] = field(default_factory=dict)
    _hcpcs: dict[str, HcpcsPayment | None] = field(default_factory=dict)
    _opps: dict[str, OppsRate | None] = field(default_factory=dict)
    _dmepos: dict[str, tuple[DmeposRow, ...]] | None = None
    _ncd: dict[str, tuple[NcdEntry, ...]] = field(default_factory=dict)
    _articles: dict[str, dict[str, ArticleListing]] = field(default_factory=dict)
    _articles_ready: bool = False
    _codes: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    _modifiers: dict[str, tuple[Span, ...]] | None = None
    _diagnoses: dict[str, DiagnosisInfo | None] = field(default_factory=dict)
    _systems: dict[str, bool] = field(default_factory=dict)
    _sources: dict[str, str] = field(default_factory=dict)
    _dates: _Dates = field(default_factory=_Dates)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # Loading ---------------------------------------------------------------------------------

    def prepare(self, claims: Sequence[Claim], *, full_ptp: bool = False) -> None:
        """Load what these claims need that is not loaded yet, a few queries in all.

        full_ptp loads every edit of each column 1 code (for batches, where codes recur);
        otherwise only the pairs on each claim are looked up (for one claim at a time).
        """
        codes = {line.code for claim in claims for line in claim.lines}
        diagnoses = {d for claim in claims for d in claim.diagnoses}
        with self.lock:
            if full_ptp:
                self._load_ptp_full({c for c in codes if c not in self._ptp_full})
            else:
                for claim in claims:
                    self._load_ptp_pairs({line.code for line in claim.lines})
        # No lock for the rest: each loader reads its rows, then stores one finished entry per
        # code, so two threads loading the same code at once store equal values. (Holding the
        # lock across these queries made every claim check of a worker wait for one another's
        # reads under load: new diagnosis codes come with almost every claim.)
        self._load_mue({c for c in codes if c not in self._mue})
        self._load_addons({c for c in codes if c not in self._addons})
        self._load_fees({c for c in codes if c not in self._fees})
        self._load_hcpcs({c for c in codes if c not in self._hcpcs})
        if self.releases.setting == "outpatient_hospital":
            self._load_opps({c for c in codes if c not in self._opps})
        self._load_codes({c for c in codes if c not in self._codes})
        self._load_diagnoses({d for d in diagnoses if d not in self._diagnoses})
        self._load_ncd({c for c in codes | diagnoses | {ALL_OTHERS} if c not in self._ncd})
        self._load_articles({c for c in codes if c not in self._articles})

    def _ptp_rows(self, where: str, params: list[object]) -> list[tuple[Any, ...]]:
        parts = [r.id for r in self.releases.ptp]
        sql = (
            "SELECT column_1, column_2, effective_on, deleted_on, modifier_indicator, rationale "
            f"FROM {_table(PtpRow)} WHERE release_id IN ({_marks(parts)}) AND {where}"
        )
        return _fetch(sql, [*parts, *params])

    def _store_ptp(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Keep each edit as a shared (effective, deleted, indicator, rationale) tuple.

        The full practitioner table is 2.5 million rows but only a few thousand distinct such
        tuples, so an edit costs one dict entry; PtpEdit objects are made for hits only.
        """
        shared, dates, ptp = self._shared, self._dates, self._ptp
        for column_1, column_2, effective, deleted, indicator, rationale in rows:
            key = (dates(effective), dates(deleted), indicator, rationale or "")
            row = shared.setdefault(key, key)
            column_1 = shared.setdefault(column_1, column_1)
            by_column_2 = ptp.get(column_1)
            if by_column_2 is None:
                by_column_2 = ptp[column_1] = {}
            column_2 = shared.setdefault(column_2, column_2)
            found = by_column_2.get(column_2)
            if found is None:
                by_column_2[column_2] = row
            elif isinstance(found, list):
                found.append(row)
            else:  # a pair listed more than once (deleted and re-added edits)
                by_column_2[column_2] = [found, row]

    def _load_ptp_full(self, codes: set[str]) -> None:
        if not codes or not self.releases.ptp:
            self._ptp_full |= codes
            return
        for chunk in _chunks(sorted(codes)):
            rows = self._ptp_rows(f"column_1 IN ({_marks(chunk)})", list(chunk))
            for code in chunk:
                self._ptp[code] = {}
            self._store_ptp(rows)
            self._ptp_full.update(chunk)

    def _load_ptp_pairs(self, codes: set[str]) -> None:
        needed = [
            (a, b)
            for a in codes
            if a not in self._ptp_full
            for b in codes
            if a != b and (a, b) not in self._ptp_pairs
        ]
        if not needed:
            return
        if len(self._ptp_pairs) > PAIR_CACHE_LIMIT:
            self._ptp = {code: self._ptp[code] for code in self._ptp_full}
            self._ptp_pairs.clear()
        if self.releases.ptp:
            firsts = sorted({a for a, _ in needed})
            seconds = sorted({b for _, b in needed})
            where = f"column_1 IN ({_marks(firsts)}) AND column_2 IN ({_marks(seconds)})"
            rows = self._ptp_rows(where, [*firsts, *seconds])
            # The query covers firsts x seconds; keep only the pairs not already held.
            wanted = set(needed)
            self._store_ptp(row for row in rows if (row[0], row[1]) in wanted)
        self._ptp_pairs.update(needed)

    def _load_mue(self, codes: set[str]) -> None:
        layers = self.releases.mue
        found: dict[str, MueLimit] = {}
        if codes and layers:
            rank = {release.id: n for n, release in enumerate(layers)}
            best: dict[str, int] = {}
            service_type = MUE_SERVICE_TYPES[self.releases.setting]
            for chunk in _chunks(sorted(codes)):
                sql = (
                    f"SELECT release_id, code, value, mai, rationale FROM {_table(MueRow)} "
                    f"WHERE release_id IN ({_marks(layers)}) AND service_type = %s "
                    f"AND code IN ({_marks(chunk)})"
                )
                params = [*(r.id for r in layers), service_type, *chunk]
                for release_id, code, value, mai, rationale in _fetch(sql, params):
                    # The newest release that lists the code decides.
                    if rank[release_id] < best.get(code, len(layers)):
                        best[code] = rank[release_id]
                        found[code] = MueLimit(code, int(value), int(mai), rationale or "")
        for code in codes:
            self._mue[code] = found.get(code)

    def _load_addons(self, codes: set[str]) -> None:
        release = self.releases.addon
        found: defaultdict[str, list[AddOnEdit]] = defaultdict(list)
        if codes and release is not None:
            for chunk in _chunks(sorted(codes)):
                sql = (
                    'SELECT addon, "primary", edit_type, effective_on, deleted_on '
                    f"FROM {_table(AddOnRow)} WHERE release_id = %s AND addon IN ({_marks(chunk)})"
                )
                for addon, primary, edit_type, effective, deleted in _fetch(
                    sql, [release.id, *chunk]
                ):
                    found[addon].append(
                        AddOnEdit(
                            addon=addon,
                            primary=sys.intern(primary),
                            edit_type=int(edit_type),
                            effective=self._dates(effective) or release.effective_from,
                            deleted=self._dates(deleted),
                        )
                    )
        for code in codes:
            self._addons[code] = tuple(found.get(code, ()))

    def _load_fees(self, codes: set[str]) -> None:
        release = self.releases.pfs
        found: defaultdict[str, dict[str, FeeIndicators]] = defaultdict(dict)
        if codes and release is not None:
            columns = (
                "code, modifier, status_code, global_days, pctc_ind, mult_proc_ind, "
                "bilat_surg_ind, asst_surg_ind, co_surg_ind, team_surg_ind, "
                "nonfac_na, facility_na, attributes, "
                "work_rvu, nonfac_pe_rvu, facility_pe_rvu, mp_rvu, conv_factor, "
                "pre_op, intra_op, post_op"
            )
            for chunk in _chunks(sorted(codes)):
                sql = (
                    f"SELECT {columns} FROM {_table(FeeScheduleItem)} "
                    f"WHERE release_id = %s AND code IN ({_marks(chunk)})"
                )
                for row in _fetch(sql, [release.id, *chunk]):
                    code, modifier, status, global_days, *indicators = row[:10]
                    nonfac_na, facility_na, attributes = row[10:13]
                    pctc, mult, bilateral, assistant, cosurgeon, team = map(_indicator, indicators)
                    found[code][(modifier or "").strip().upper()] = FeeIndicators(
                        code=code,
                        modifier=(modifier or "").strip().upper(),
                        status_code=(status or "").strip().upper(),
                        global_days=(global_days or "").strip().upper(),
                        pctc_ind=pctc,
                        mult_proc_ind=mult,
                        bilat_surg_ind=bilateral,
                        asst_surg_ind=assistant,
                        co_surg_ind=cosurgeon,
                        team_surg_ind=team,
                        not_used_for_medicare=bool(
                            _json(attributes).get("not_used_for_medicare_payment")
                        ),
                        nonfac_na=bool(nonfac_na),
                        facility_na=bool(facility_na),
                        rvus=_rvus(*row[13:18]),
                        care_shares=_care_shares(*row[18:21]),
                    )
        for code in codes:
            self._fees[code] = found.get(code, {})

    def _load_ncd(self, codes: set[str]) -> None:
        release = self.releases.ncd
        found: defaultdict[str, list[NcdEntry]] = defaultdict(list)
        if codes and release is not None:
            columns = "ncd, title, system, code, effective_on, terminated_on, resolution"
            for chunk in _chunks(sorted(codes)):
                sql = (
                    f"SELECT {columns} FROM {_table(NcdCodeListing)} "
                    f"WHERE release_id = %s AND code IN ({_marks(chunk)})"
                )
                for ncd, title, system, code, effective, terminated, resolution in _fetch(
                    sql, [release.id, *chunk]
                ):
                    found[code].append(
                        NcdEntry(
                            ncd=ncd,
                            title=title or "",
                            system=system,
                            code=code,
                            effective=self._dates(effective),
                            terminated=self._dates(terminated),
                            resolution=None if resolution is None else int(resolution),
                        )
                    )
        for code in codes:
            self._ncd[code] = tuple(found.get(code, ()))

    def _load_articles(self, codes: set[str]) -> None:
        release = self.releases.articles
        found: defaultdict[str, dict[str, ArticleListing]] = defaultdict(dict)
        if codes and release is not None:
            if not self._articles_ready:
                self._articles_ready = ensure_index(release.id)
                if not self._articles_ready:
                    return  # another process is copying it: this check goes without
            for chunk in _chunks(sorted(codes)):
                # Through the ORM: the copy lives in the claims app, on the primary (the router
                # sends only the code store's reads to a replica).
                rows = ArticleRow.objects.filter(release_id=release.id, hcpcs__in=chunk)
                for code, diagnosis, status, lcd_ids in rows.values_list(
                    "hcpcs", "icd10cm", "status", "lcd_ids"
                ):
                    lcds = self._shared.setdefault(lcd_ids, tuple((lcd_ids or "").split()))
                    found[code][diagnosis] = ArticleListing(
                        code, diagnosis, sys.intern(status), lcds
                    )
        for code in codes:
            self._articles[code] = found.get(code, {})

    def _load_opps(self, codes: set[str]) -> None:
        release = self.releases.opps
        found: dict[str, OppsRate] = {}
        if codes and release is not None:
            for chunk in _chunks(sorted(codes)):
                sql = (
                    f"SELECT code, status_indicator, payment_rate FROM {_table(OppsItem)} "
                    f"WHERE release_id = %s AND code IN ({_marks(chunk)})"
                )
                for code, si, rate in _fetch(sql, [release.id, *chunk]):
                    found[code] = OppsRate(
                        code, sys.intern(str(si).strip()), None if rate is None else _rvu(rate)
                    )
        for code in codes:
            self._opps[code] = found.get(code)

    def _load_dmepos(self) -> dict[str, tuple[DmeposRow, ...]]:
        release = self.releases.dmepos
        table = dmepos_table(release.id) if release is not None else {}
        self._dmepos = table
        return table

    def opps_rate(self, code: str) -> OppsRate | None:
        if code not in self._opps:
            self._load_opps({code})
        return self._opps[code]

    def dmepos_rows(self, code: str) -> tuple[DmeposRow, ...]:
        table = self._dmepos if self._dmepos is not None else self._load_dmepos()
        return table.get(code, ())

    def _load_hcpcs(self, codes: set[str]) -> None:
        release = next((r for r in self.releases.codes if r.code_system == CodeSystem.HCPCS), None)
        found: dict[str, HcpcsPayment] = {}
        wanted = [c for c in codes if HCPCS_LEVEL2_CODE.match(c)]
        # The coverage and pricing codes are Part B carrier pricing (practitioners, suppliers);
        # an outpatient hospital line is paid by its OPPS status indicator instead.
        if self.releases.setting != "practitioner":
            wanted = []
        if wanted and release is not None:
            for chunk in _chunks(sorted(wanted)):
                sql = (
                    f"SELECT code, attributes FROM {_table(Code)} WHERE release_id = %s "
                    f"AND system = %s AND code IN ({_marks(chunk)})"
                )
                for code, attributes in _fetch(sql, [release.id, CodeSystem.HCPCS, *chunk]):
                    data = _json(attributes)
                    found[code] = HcpcsPayment(
                        code=code,
                        coverage=str(data.get("coverage") or "").strip().upper(),
                        pricing=tuple(str(p).strip() for p in data.get("pricing_indicators") or ()),
                        source=release.citation,
                    )
        for code in codes:
            self._hcpcs[code] = found.get(code)

    def _spans(
        self, release_ids: list[int], systems: Sequence[str], codes: Sequence[str] | None
    ) -> dict[str, tuple[Span, ...]]:
        found: defaultdict[str, list[Span]] = defaultdict(list)
        if not release_ids:
            return {}
        base = (
            f"SELECT code, added_on, terminated_on FROM {_table(Code)} "
            f"WHERE release_id IN ({_marks(release_ids)}) AND system IN ({_marks(systems)})"
        )
        chunks: Iterable[list[str] | None] = [None] if codes is None else _chunks(sorted(codes))
        for chunk in chunks:
            sql, params = base, [*release_ids, *systems]
            if chunk is not None:
                sql += f" AND code IN ({_marks(chunk)})"
                params += chunk
            for code, added, terminated in _fetch(sql, params):
                found[code].append(Span(self._dates(added), self._dates(terminated)))
        return {code: tuple(spans) for code, spans in found.items()}

    def _load_codes(self, codes: set[str]) -> None:
        if not codes:
            return
        ids = [r.id for r in self.releases.codes]
        found = self._spans(ids, [CodeSystem.CPT, CodeSystem.HCPCS], sorted(codes))
        elsewhere = self._listed_elsewhere(codes - found.keys())
        for code in codes:
            self._codes[code] = found.get(code) or elsewhere.get(code, ())

    def _listed_elsewhere(self, codes: set[str]) -> dict[str, tuple[Span, ...]]:
        """Spans of codes the code lists lack but another CMS file in force names: OPPS
        Addendum B, the MUE tables and the DMEPOS fee schedule (from their release's
        effective date), the NCD coding spreadsheet's CPT/HCPCS rows (their own dates). CPT
        comes from the PFS file, which lacks the codes priced elsewhere (PLA and lab codes,
        0001U); a code CMS lists in one of these files for the date is not an invalid code."""
        found: defaultdict[str, list[Span]] = defaultdict(list)
        if not codes:
            return {}
        listed: list[tuple[Any, list[ReleaseRef]]] = [
            (OppsItem, [self.releases.opps] if self.releases.opps else []),
            (MueRow, list(self.releases.mue)),
        ]
        for model, releases in listed:
            start = {r.id: r.effective_from for r in releases}
            for chunk in _chunks(sorted(codes)) if start else ():
                sql = (
                    f"SELECT DISTINCT release_id, code FROM {_table(model)} "
                    f"WHERE release_id IN ({_marks(list(start))}) AND code IN ({_marks(chunk)})"
                )
                for release_id, code in _fetch(sql, [*start, *chunk]):
                    found[code].append(Span(start[release_id], None))
        ncd = self.releases.ncd
        if ncd is not None:
            for chunk in _chunks(sorted(codes)):
                sql = (
                    f"SELECT code, effective_on, terminated_on FROM {_table(NcdCodeListing)} "
                    f"WHERE release_id = %s AND system <> %s AND code IN ({_marks(chunk)})"
                )
                for code, effective, terminated in _fetch(
                    sql, [ncd.id, CodeSystem.ICD10CM, *chunk]
                ):
                    found[code].append(Span(self._dates(effective), self._dates(terminated)))
        dmepos = self.releases.dmepos
        if dmepos is not None:
            table = self._dmepos if self._dmepos is not None else self._load_dmepos()
            for code in codes & table.keys():
                found[code].append(Span(dmepos.effective_from, None))
        return {code: tuple(spans) for code, spans in found.items()}

    def _load_modifiers(self) -> dict[str, tuple[Span, ...]]:
        with self.lock:
            if self._modifiers is None:
                ids = [r.id for r in self.releases.modifiers]
                self._modifiers = self._spans(ids, [CodeSystem.MODIFIER], None)
            return self._modifiers

    def _load_diagnoses(self, codes: set[str]) -> None:
        release, notes = self.releases.diagnoses, self.releases.notes
        if not codes:
            return
        if release is None:
            # Nothing to check against: take the codes as given rather than flag every one.
            for code in codes:
                self._diagnoses[code] = DiagnosisInfo(code, True, ())
            return
        rows: dict[str, tuple[bool, list[str]]] = {}
        for chunk in _chunks(sorted(codes)):
            sql = (
                f"SELECT code, is_billable, section, chapter FROM {_table(Code)} "
                f"WHERE release_id = %s AND system = %s AND code IN ({_marks(chunk)})"
            )
            for code, billable, section, chapter in _fetch(
                sql, [release.id, CodeSystem.ICD10CM, *chunk]
            ):
                # Excludes1 notes apply from the chapter, section, category and subcategories.
                keys = [f"CH{chapter}" if chapter else "", section or ""]
                keys += [code[:n] for n in range(3, len(code) + 1)]
                rows[code] = (bool(billable), [k for k in keys if k])
        excludes1 = self._excludes1({k for _, keys in rows.values() for k in keys}, notes)
        for code in codes:
            if code not in rows:
                self._diagnoses[code] = None
                continue
            billable, keys = rows[code]
            texts = tuple(text for key in keys for text in excludes1.get(key, ()))
            self._diagnoses[code] = DiagnosisInfo(code, billable, texts)

    def _excludes1(self, keys: set[str], notes: ReleaseRef | None) -> dict[str, list[str]]:
        found: defaultdict[str, list[str]] = defaultdict(list)
        if notes is None or not keys:
            return found
        for chunk in _chunks(sorted(keys)):
            sql = (
                f"SELECT code, text FROM {_table(CodeNote)} WHERE release_id = %s "
                f"AND note_type = %s AND code IN ({_marks(chunk)}) ORDER BY code, seq"
            )
            for key, text in _fetch(sql, [notes.id, "excludes1", *chunk]):
                found[key].append(text)
        return found

    def has_codes_of(self, system: str) -> bool:
        """Whether any release in force holds codes of this system (else codes go unchecked)."""
        with self.lock:
            if system not in self._systems:
                ids = [r.id for r in self.releases.codes]
                self._systems[system] = bool(ids) and (
                    Code.objects.filter(release_id__in=ids, system=system).exists()
                )
            return self._systems[system]

    # Lookups (RuleTables, less ptp_for, which ClaimTables narrows to one claim) ---------------

    def ptp_between(self, codes: Sequence[str]) -> dict[str, tuple[PtpEdit, ...]]:
        """Edits whose column 1 and column 2 are both among `codes`, by column 1."""
        wanted = set(codes)
        if any(c not in self._ptp_full for c in wanted):
            with self.lock:
                self._load_ptp_pairs(wanted)
        found: dict[str, tuple[PtpEdit, ...]] = {}
        if not self.releases.ptp:
            return found
        start = self.releases.ptp[0].effective_from
        ordered = sorted(wanted)  # the same findings in the same order, run after run
        for column_1 in ordered:
            by_column_2 = self._ptp.get(column_1)
            if not by_column_2:
                continue
            edits = []
            for column_2 in ordered:
                rows = by_column_2.get(column_2)
                if rows is None:
                    continue
                for effective, deleted, indicator, rationale in (
                    rows if isinstance(rows, list) else (rows,)
                ):
                    # The shared copies carry no effective date: in force from the release's.
                    edits.append(
                        PtpEdit(
                            column_1, column_2, effective or start, deleted, indicator, rationale
                        )
                    )
            if edits:
                found[column_1] = tuple(edits)
        return found

    def mue_for(self, code: str) -> MueLimit | None:
        if code not in self._mue:
            self._load_mue({code})
        return self._mue[code]

    def addon_primaries(self, addon: str) -> Sequence[AddOnEdit]:
        if addon not in self._addons:
            self._load_addons({addon})
        return self._addons[addon]

    def fee(self, code: str, modifier: str = "") -> FeeIndicators | None:
        if code not in self._fees:
            self._load_fees({code})
        return self._fees[code].get(modifier)

    def ncd_listings(self, code: str) -> Sequence[NcdEntry]:
        if code not in self._ncd:
            self._load_ncd({code})
        return self._ncd[code]

    def article_listings(self, code: str) -> Mapping[str, ArticleListing]:
        if code not in self._articles:
            self._load_articles({code})
        return self._articles.get(code, {})

    def hcpcs_payment(self, code: str) -> HcpcsPayment | None:
        if code not in self._hcpcs:
            self._load_hcpcs({code})
        return self._hcpcs[code]

    def code_exists(self, code: str, on: dt.date) -> bool:
        if code not in self._codes:
            self._load_codes({code})
        spans = self._codes[code]
        if spans:
            return any(span.covers(on) for span in spans)
        if CPT_CODE.match(code):
            return not self.has_codes_of(CodeSystem.CPT)
        if HCPCS_LEVEL2_CODE.match(code):
            return not self.has_codes_of(CodeSystem.HCPCS)
        return False

    def modifier_exists(self, modifier: str, on: dt.date) -> bool:
        if modifier in CPT_LEVEL_I:  # HCPCS Level II: from the loaded releases
            return True
        modifiers = self._modifiers if self._modifiers is not None else self._load_modifiers()
        if not self.releases.modifiers:
            return True  # no modifier release to check against
        return any(span.covers(on) for span in modifiers.get(modifier, ()))

    def diagnosis(self, code: str, on: dt.date) -> DiagnosisInfo | None:
        if code not in self._diagnoses:
            self._load_diagnoses({code})
        return self._diagnoses[code]

    def source(self, kind: TableKind) -> str:
        found = self._sources.get(kind)
        if found is None:
            found = self._sources[kind] = self.releases.source(kind)
        return found


@datacache.cached("dmepos-table", keep_when_off=True)
def dmepos_table(release_id: int) -> dict[str, tuple[DmeposRow, ...]]:
    """The DMEPOS table of a release by code (a few thousand rows of JSON), kept in the data
    cache until the next import: every TableCache of the release shares it, so a cold cache
    does not read it again."""
    rows: defaultdict[str, list[DmeposRow]] = defaultdict(list)
    query = ReferenceRow.objects.filter(release_id=release_id, key="dmepos_fees")
    for data in query.values_list("data", flat=True):
        code = str(data.get("hcpcs", ""))
        mods = (str(data.get("mod") or ""), str(data.get("mod2") or ""))
        rows[code].append(
            DmeposRow(
                code,
                tuple(m.strip().upper() for m in mods if m.strip()),
                str(data.get("catg", "")),
                dict(data.get("fees") or {}),
            )
        )
    return {code: tuple(r) for code, r in rows.items()}


class ClaimTables:
    """RuleTables for one claim: the shared cache, with PTP edits among this claim's codes."""

    __slots__ = ("_cache", "_ptp")

    def __init__(self, cache: TableCache, claim: Claim) -> None:
        self._cache = cache
        self._ptp = cache.ptp_between(sorted({line.code for line in claim.lines}))

    @property
    def setting(self) -> Setting:
        return self._cache.releases.setting

    def ptp_for(self, code: str) -> Sequence[PtpEdit]:
        return self._ptp.get(code, ())

    def mue_for(self, code: str) -> MueLimit | None:
        return self._cache.mue_for(code)

    def addon_primaries(self, addon: str) -> Sequence[AddOnEdit]:
        return self._cache.addon_primaries(addon)

    def fee(self, code: str, modifier: str = "") -> FeeIndicators | None:
        return self._cache.fee(code, modifier)

    def hcpcs_payment(self, code: str) -> HcpcsPayment | None:
        return self._cache.hcpcs_payment(code)

    def article_listings(self, code: str) -> Mapping[str, ArticleListing]:
        return self._cache.article_listings(code)

    def ncd_listings(self, code: str) -> Sequence[NcdEntry]:
        return self._cache.ncd_listings(code)

    def code_exists(self, code: str, on: dt.date) -> bool:
        return self._cache.code_exists(code, on)

    def modifier_exists(self, modifier: str, on: dt.date) -> bool:
        return self._cache.modifier_exists(modifier, on)

    def diagnosis(self, code: str, on: dt.date) -> DiagnosisInfo | None:
        return self._cache.diagnosis(code, on)

    def source(self, kind: TableKind) -> str:
        return self._cache.source(kind)


# The process-wide store ----------------------------------------------------------------------


class TableStore:
    """The catalog of releases and a TableCache per release set, renewed after an import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The data generation the catalog was read in. Not in the data cache: the TableCaches
        # fill themselves claim by claim (rows per code, under locks), so they stay objects of
        # this process, renewed when the generation changes.
        self._generation: str | None = None
        self._catalog = Catalog(())
        self._caches: OrderedDict[tuple[object, ...], TableCache] = OrderedDict()

    def reset(self) -> None:
        """Forget every release and row (tests; the next refresh reads the database again)."""
        with self._lock:
            self._generation = None
            self._catalog = Catalog(())
            self._caches.clear()

    def refresh(self) -> Catalog:
        """Re-read the releases when one was imported, replaced or removed.

        The data generation (medcode.ops.generation) is read at most once per
        MEDCODE_RELEASE_CHECK_SECONDS per process (and at once after this process imported): a
        query per check was a tenth of the claim check's time under load.
        """
        token = generation.current().token
        with self._lock:
            if token != self._generation:
                self._catalog = Catalog.load()
                self._caches.clear()
                self._generation = token
            return self._catalog

    def cache_for(self, releases: ReleaseSet) -> TableCache:
        with self._lock:
            cache = self._caches.get(releases.key)
            if cache is None:
                cache = self._caches[releases.key] = TableCache(releases)
                while len(self._caches) > MAX_CACHES:
                    self._caches.popitem(last=False)
            else:
                self._caches.move_to_end(releases.key)
            return cache

    def split(
        self, claim: Claim, setting: Setting = "practitioner", *, catalog: Catalog | None = None
    ) -> list[tuple[Claim, TableCache]]:
        """The claim's lines grouped by the releases in force on their dates, with their caches."""
        catalog = catalog or self._catalog
        groups: dict[tuple[object, ...], tuple[ReleaseSet, list[Any]]] = {}
        for line in claim.lines:
            releases = catalog.release_set(line.date_of_service, setting)
            groups.setdefault(releases.key, (releases, []))[1].append(line)
        if len(groups) <= 1:
            releases = (
                next(iter(groups.values()))[0]
                if groups
                else catalog.release_set(dt.date.today(), setting)
            )
            return [(claim, self.cache_for(releases))]
        return [
            (Claim(lines=tuple(lines), diagnoses=claim.diagnoses), self.cache_for(releases))
            for releases, lines in groups.values()
        ]


STORE = TableStore()
