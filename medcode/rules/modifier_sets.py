"""Modifier sets, each named for the policy that defines it: written once, used by the rules,
the claim worksheet, the code pages and CasePilot.

The NCCI sets follow the NCCI Policy Manual for Medicare Services, Chapter I, section E
(Modifiers and Modifier Indicators), which lists the modifiers that may bypass a PTP edit of
modifier indicator 1: anatomic modifiers (E1-E4, FA, F1-F9, LC, LD, LM, RC, RI, LT, RT, TA,
T1-T9), global surgery modifiers (24, 25, 57, 58, 78, 79) and others (27, 59, 91, XE, XS, XP,
XU). The same section describes XE, XS, XP and XU as more selective versions of 59.
"""

from __future__ import annotations

# Anatomic modifiers: they bypass an edit only when the two lines name different sites.
SIDES = frozenset({"LT", "RT"})
EYELIDS = frozenset({"E1", "E2", "E3", "E4"})
FINGERS = frozenset({"FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"})
TOES = frozenset({"TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"})
CORONARY_ARTERIES = frozenset({"LC", "LD", "LM", "RC", "RI"})
SITES = EYELIDS | FINGERS | TOES | CORONARY_ARTERIES
ANATOMIC = SIDES | SITES

# Modifiers that claim a distinct procedural service: 59 and its more selective versions
# (separate encounter, structure, practitioner, unusual non-overlapping service), in the
# order pages list them.
DISTINCT_SERVICE_LISTED = ("59", "XE", "XS", "XP", "XU")
DISTINCT_SERVICE = frozenset(DISTINCT_SERVICE_LISTED)
X_EPSU = DISTINCT_SERVICE - {"59"}
GLOBAL_SURGERY = frozenset({"24", "25", "57", "58", "78", "79"})
# The non-anatomic NCCI-associated modifiers: they bypass an indicator 1 edit wherever they
# appear on the pair.
NCCI_NOT_ANATOMIC = DISTINCT_SERVICE | GLOBAL_SURGERY | {"27", "91"}
NCCI_ASSOCIATED = ANATOMIC | NCCI_NOT_ANATOMIC

# CPT Level I modifiers, as bare codes (their descriptors are AMA text and are never loaded or
# shown); HCPCS Level II modifiers come from the loaded CMS modifier releases.
_CPT_LEVEL_I = (
    "22 23 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 63 66 73 74 76 77 78 79 "
    "80 81 82 90 91 92 93 95 96 97 99 P1 P2 P3 P4 P5 P6 1P 2P 3P 8P"
)
CPT_LEVEL_I = frozenset(_CPT_LEVEL_I.split())
