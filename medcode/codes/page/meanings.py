"""What the code values in CMS and CDC files mean, in words.

The meanings follow the official record layouts (shared/data/DATA_LAYOUTS.md section 2, the
PFS RVU<YY>.pdf, the HCPCS record layout, OPPS Addendum D1, the ICD-10-CM and ICD-10-PCS
conventions), written in our own words. Data only: panels.py and modifiers.py (beside it) use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def _frozen(values: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(values)


def explain(table: Mapping[str, str], value: str, *, unknown: str = "") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    return table.get(value, unknown or f"value {value} (not described in the record layout)")


PFS_STATUS = _frozen(
    {
        "A": "Active: paid separately under the fee schedule when covered; the status is not a "
        "coverage decision.",
        "B": "Bundled: payment is included in another service; never paid separately.",
        "C": "Contractor priced: the Medicare administrative contractor sets the payment.",
        "D": "Deleted from the start of the year of the file.",
        "E": "Excluded from the fee schedule by regulation.",
        "F": "Deleted or discontinued, with no grace period.",
        "G": "Not valid for Medicare: another code is used instead.",
        "H": "Deleted modifier: this code-modifier combination is no longer valid.",
        "I": "Not valid for Medicare: Medicare uses another code for this service (no 90-day "
        "grace period).",
        "J": "Anesthesia service: paid on base and time units, not RVUs.",
        "M": "Measurement code: reported for quality programs only, not paid.",
        "N": "Non-covered service.",
        "P": "Bundled or excluded: no fee-schedule payment; bundled into the physician service "
        "it is incident to, otherwise paid under another provision (for example some "
        "supplies).",
        "R": "Restricted coverage: special coverage instructions apply; when covered, the "
        "contractor prices it.",
        "T": "Paid only when the same provider bills no other fee-schedule service on the same "
        "day; otherwise bundled into that service.",
        "X": "Statutory exclusion: not a physician service under the fee schedule.",
    }
)

GLOBAL_DAYS = _frozen(
    {
        "000": "0-day global: no postoperative period; same-day pre- and post-op care is included.",
        "010": "10-day global: care on the day of the procedure and for 10 days after it "
        "is included.",
        "090": "90-day global (major surgery): the day before, the day of, and 90 days after "
        "the procedure are included.",
        "MMM": "Maternity code: the usual global-surgery rules do not apply.",
        "XXX": "The global surgery concept does not apply.",
        "YYY": "The contractor sets the global period: it decides, when pricing the service, "
        "whether one applies and how long it is.",
        "ZZZ": "Belongs to another service and falls within that service's global period "
        "(typical of add-on codes).",
    }
)

PCTC = _frozen(
    {
        "0": "Physician service: no professional/technical split; modifiers 26 and TC "
        "do not apply.",
        "1": "Diagnostic test or radiology service (including therapeutic radiology) with a "
        "professional (26) and a technical (TC) component; each may be billed on its own "
        "with its modifier.",
        "2": "Professional-component-only code: modifiers 26 and TC do not apply.",
        "3": "Technical-component-only code: modifiers 26 and TC do not apply.",
        "4": "Global-test-only code: separate codes exist for the components; modifiers 26 "
        "and TC do not apply.",
        "5": "Incident-to code: modifiers 26 and TC do not apply.",
        "6": "Laboratory physician interpretation code: the interpretation is paid under the "
        "fee schedule (listed with modifier 26), the test itself under the clinical lab fee "
        "schedule; TC may not be used.",
        "7": "Physical therapy service: not paid when an independent therapist furnishes it "
        "to a hospital patient; 26 and TC do not apply.",
        "8": "Physician interpretation code (an abnormal blood smear read for a hospital "
        "inpatient): paid only for inpatients; TC is not recognised.",
        "9": "The professional/technical concept does not apply.",
    }
)

MULT_PROC = _frozen(
    {
        "0": "No multiple-procedure reduction: paid at 100% whatever else is done that day.",
        "1": "Standard multiple-procedure reduction (historical rule).",
        "2": "Standard reduction: the highest-valued procedure is paid at 100% and the "
        "second to fifth at 50%; beyond five, by report.",
        "3": "Special endoscopy rules: related endoscopies sharing an endoscopic base code "
        "are paid as a family.",
        "4": "Diagnostic imaging reduction: the technical and professional components of "
        "further imaging in the same session are reduced.",
        "5": "Therapy reduction: the practice expense of further 'always therapy' services "
        "is reduced.",
        "6": "Diagnostic cardiovascular reduction: the technical component of further tests "
        "the same day is reduced.",
        "7": "Diagnostic ophthalmology reduction: the technical component of further tests "
        "the same day is reduced.",
        "9": "The multiple-procedure concept does not apply.",
    }
)

BILATERAL = _frozen(
    {
        "0": "The 150% bilateral adjustment does not apply: if done on both sides, payment "
        "is at most 100% of the single-procedure amount.",
        "1": "The 150% bilateral adjustment applies: report once with modifier 50; payment "
        "is at most 150% of the single-procedure amount.",
        "2": "Values already bilateral (the code says both sides, says one or both sides, or the "
        "procedure is usually done on both): paid at most 100% of the single amount even "
        "when reported for both sides.",
        "3": "Each side is paid at 100% of the single-procedure amount (mostly radiology and "
        "other diagnostic tests).",
        "9": "The bilateral concept does not apply.",
    }
)

ASSISTANT = _frozen(
    {
        "0": "Assistant at surgery paid only when documentation shows medical necessity.",
        "1": "Assistant at surgery not paid (statutory restriction).",
        "2": "Assistant at surgery may be paid.",
        "9": "The assistant-at-surgery concept does not apply.",
    }
)

CO_SURGEON = _frozen(
    {
        "0": "Co-surgeons (modifier 62) not permitted.",
        "1": "Co-surgeons (modifier 62) permitted with documentation of medical necessity.",
        "2": "Co-surgeons (modifier 62) permitted; no documentation needed when the two "
        "surgeons are of different specialties.",
        "9": "The co-surgeon concept does not apply.",
    }
)

TEAM_SURGERY = _frozen(
    {
        "0": "Team surgery (modifier 66) not permitted.",
        "1": "Team surgery (modifier 66) permitted with documentation of medical necessity; "
        "priced by report.",
        "2": "Team surgery (modifier 66) permitted; priced by report.",
        "9": "The team-surgery concept does not apply.",
    }
)

SUPERVISION = _frozen(
    {
        "01": "General supervision.",
        "02": "Direct supervision.",
        "03": "Personal supervision.",
        "04": "No supervision policy when performed by a qualified, independent psychologist "
        "or a clinical psychologist; otherwise general supervision.",
        "05": "Not subject to supervision when performed by a qualified audiologist; otherwise "
        "performed under a physician's supervision.",
        "06": "Must be personally performed by a physician or by a physical therapist with "
        "ABPTS certification in electrophysiologic testing (not a supervision level).",
        "09": "The supervision concept does not apply.",
        "21": "General supervision for a certified technician, otherwise direct.",
        "22": "May be performed by a technician with on-line real-time contact with a physician.",
        "66": "May be performed by a physician or a physical therapist with ABPTS certification.",
        "6A": "As 66; in addition, the ABPTS-certified physical therapist may supervise another "
        "physical therapist, but only the certified therapist may bill.",
        "77": "Performed by an ABPTS-certified physical therapist, by an uncertified physical "
        "therapist under a physician's direct supervision, or by a certified technician under "
        "a physician's general supervision.",
        "7A": "As 77; in addition, the ABPTS-certified physical therapist may supervise another "
        "physical therapist, but only the certified therapist may bill.",
    }
)

IMAGING_FAMILY = _frozen(
    {
        "88": "Subject to the diagnostic imaging multiple-procedure reduction (technical "
        "component from 2011, professional component from 2012).",
        "99": "The imaging family concept does not apply.",
    }
)

OPPS_STATUS = _frozen(
    {
        "A": "Paid under a fee schedule or payment system other than OPPS.",
        "B": "Not recognised by OPPS on outpatient hospital bill types 12x/13x.",
        "C": "Inpatient-only procedure: not paid under OPPS.",
        "D": "Discontinued code.",
        "E1": "Not covered or not paid by Medicare.",
        "E2": "No pricing or claims data available.",
        "F": "Corneal tissue, CRNA services or hepatitis B vaccine: paid at reasonable cost.",
        "G": "Pass-through drug or biological.",
        "H": "Pass-through device category.",
        "J1": "Comprehensive APC: one payment for the primary service covers the other covered "
        "services on the claim, except those CMS excludes (for example pass-through items and "
        "services paid at reasonable cost).",
        "J2": "May be paid through a comprehensive APC (for example extended observation).",
        "K": "Non-pass-through drug or biological (including therapeutic radiopharmaceuticals).",
        "L": "Influenza or pneumococcal vaccine: paid at reasonable cost.",
        "M": "Not billable to the Medicare administrative contractor.",
        "N": "Packaged: payment is included in other services.",
        "P": "Partial hospitalization or intensive outpatient program service.",
        "Q1": "STV-packaged: packaged when the same claim has a service with status indicator "
        "S, T or V; otherwise paid separately (or through a composite APC when its criteria are "
        "met).",
        "Q2": "T-packaged: packaged when the same claim has a service with status indicator T; "
        "otherwise paid separately.",
        "Q3": "May be paid through a composite APC when the composite's criteria are met; "
        "otherwise paid separately or packaged.",
        "Q4": "Conditionally packaged laboratory test.",
        "R": "Blood and blood products.",
        "S": "Significant procedure, not discounted when multiple.",
        "T": "Significant procedure, multiple-procedure reduction applies.",
        "U": "Brachytherapy source.",
        "V": "Clinic or emergency department visit.",
        "Y": "Non-implantable durable medical equipment: billed to the DME contractor, "
        "not paid under OPPS.",
        # Indicators in the 2026 Addendum B that DATA_LAYOUTS.md section 2.6 does not define:
        # described only by what the file shows; Addendum D1 holds the definitions.
        "H1": "A 2026 indicator carried by non-opioid pain-relief devices; see OPPS Addendum D1 "
        "for how they are paid.",
        "K1": "A 2026 indicator carried by non-opioid pain-relief drugs; see OPPS Addendum D1 "
        "for how they are paid.",
        "S1": "A 2026 indicator carried by skin substitute products, which the file prices per "
        "unit; see OPPS Addendum D1 for the definition.",
    }
)

HCPCS_COVERAGE = _frozen(
    {
        "C": "Carrier judgment: coverage is decided by the Medicare contractor.",
        "D": "Special coverage instructions apply (see the referenced manual or NCD).",
        "I": "Not payable by Medicare: another code is used for this item or service.",
        "M": "Not covered by Medicare.",
        "S": "Not covered by Medicare by statute.",
    }
)

# HCPCS fields 9, 10 and 30 of the HCPCS record layout (HCPC<YYYY>_recordlayout.txt, shipped in
# the quarterly zip; read from the 2026 one, as of 2025-11-12). Every code the layout lists, no
# other; medcode/codes/tests/test_explain_layout.py checks that against the layout file.
# Shown to readers: the document by name, never its file name.
HCPCS_LAYOUT_SOURCE = "CMS HCPCS Level II record layout for 2026"

HCPCS_ACTION = _frozen(
    {
        "A": "Added.",
        "B": "Administrative data and long description changed.",
        "C": "Long description changed.",
        "D": "Discontinued (terminated).",
        "F": "Administrative data changed.",
        "N": "No maintenance: unchanged in this release.",
        "P": "Payment change (MOG, pricing indicator codes, anesthesia base units, ambulatory "
        "surgical centers).",
        "R": "Re-activated (a discontinued or deleted code).",
        "S": "Short description changed.",
        "T": "Miscellaneous change (BETOS, type of service).",
    }
)

HCPCS_PRICING = _frozen(
    {
        "00": "Not separately priced by Part B (for example not covered, bundled, or used by "
        "Part A only).",
        "11": "Physician fee schedule: price established using national relative value units.",
        "12": "Physician fee schedule: price established using national anesthesia base units.",
        "13": "Physician fee schedule: price established by the carrier (for example not "
        "otherwise classified, individual determination, carrier discretion).",
        "21": "Clinical lab fee schedule: price subject to the national limitation amount.",
        "22": "Clinical lab fee schedule: price established by the carrier (for example "
        "gap-fills, carrier-established panels).",
        "31": "DMEPOS: frequently serviced DME (price subject to floors and ceilings).",
        "32": "DMEPOS: inexpensive and routinely purchased DME (price subject to floors and "
        "ceilings).",
        "33": "DMEPOS: oxygen and oxygen equipment (price subject to floors and ceilings).",
        "34": "DMEPOS: DME supplies (price subject to floors and ceilings).",
        "35": "DMEPOS: surgical dressings (price subject to floors and ceilings).",
        "36": "DMEPOS: capped rental DME (price subject to floors and ceilings).",
        "37": "DMEPOS: ostomy, tracheostomy and urological supplies (price subject to floors "
        "and ceilings).",
        "38": "DMEPOS: orthotics, prosthetics, prosthetic devices and vision services (price "
        "subject to floors and ceilings).",
        "39": "DMEPOS: parenteral and enteral nutrition.",
        "40": "DMEPOS: lymphedema compression treatment items (from 2024-01-01).",
        "45": "DMEPOS: customized DME items.",
        "46": "DMEPOS: carrier priced (for example not otherwise classified, individual "
        "determination, carrier discretion, gap-filled amounts).",
        "51": "Other: drugs.",
        "52": "Other: reasonable charge.",
        "53": "Other: statute.",
        "54": "Other: vaccinations.",
        "55": "Other: splints and casts (from 2014-10-01).",
        "56": "Other: IOLs inserted in a physician's office (from 2014-10-01).",
        "57": "Other: carrier priced.",
        "99": "Value not established.",
    }
)

HCPCS_MULT_PRICING = _frozen(
    {
        "9": "Not applicable: not separately priced by Part B (pricing indicator 00) or value "
        "not established (pricing indicator 99).",
        "A": "Not applicable: priced under one methodology.",
        "B": "Professional component priced using RVUs; technical component and global "
        "service priced by the Medicare Part B carrier.",
        "C": "Physician interpretation of a clinical lab service priced under the physician "
        "fee schedule using RVUs; the lab service paid under the clinical lab fee schedule.",
        "D": "Physician's service priced under the physician fee schedule using RVUs; a "
        "clinical psychologist's under the clinical psychologist fee schedule (not "
        "applicable as of 1998-01-01).",
        "E": "Physician's service priced under the physician fee schedule using RVUs; a "
        "clinical psychologist's and a clinical social worker's under their own fee "
        "schedules (not applicable as of 1998-01-01).",
        "F": "Physician's service priced under the physician fee schedule by carriers; a "
        "clinical psychologist's and a clinical social worker's under their own fee "
        "schedules (not applicable as of 1998-01-01).",
        "G": "Clinical lab service priced at reasonable charge when billed on a claim with "
        "blood products, under the clinical lab fee schedule when there are none.",
    }
)

# HCPCS field 14 (lab certification code): a generally certified laboratory (e.g. 100) may
# perform any test of its subgroups (110, 120, ...).
HCPCS_LAB_CERT = _frozen(
    {
        "010": "Histocompatibility testing",
        "100": "Microbiology",
        "110": "Bacteriology",
        "115": "Mycobacteriology",
        "120": "Mycology",
        "130": "Parasitology",
        "140": "Virology",
        "150": "Other microbiology",
        "200": "Diagnostic immunology",
        "210": "Syphilis serology",
        "220": "General immunology",
        "300": "Chemistry",
        "310": "Routine chemistry",
        "320": "Urinalysis",
        "330": "Endocrinology",
        "340": "Toxicology",
        "350": "Other chemistry",
        "400": "Hematology",
        "500": "Immunohematology",
        "510": "ABO group and Rh type",
        "520": "Antibody detection (transfusion)",
        "530": "Antibody detection (nontransfusion)",
        "540": "Antibody identification",
        "550": "Compatibility testing",
        "560": "Other immunohematology",
        "600": "Pathology",
        "610": "Histopathology",
        "620": "Oral pathology",
        "630": "Cytology",
        "800": "Radiobioassay",
        "900": "Clinical cytogenetics",
    }
)

# HCPCS field 25 (CMS type of service), from the layout's CMS_TYPE_SRVC_TB table, including the
# values it marks obsolete or discontinued.
TYPE_OF_SERVICE = _frozen(
    {
        "1": "Medical care",
        "2": "Surgery",
        "3": "Consultation",
        "4": "Diagnostic radiology",
        "5": "Diagnostic laboratory",
        "6": "Therapeutic radiology",
        "7": "Anesthesia",
        "8": "Assistant at surgery",
        "9": "Other medical items or services",
        "0": "Whole blood",
        "A": "Used durable medical equipment",
        "B": "High-risk screening mammography (obsolete since 1998)",
        "C": "Low-risk screening mammography (obsolete since 1998)",
        "D": "Ambulance",
        "E": "Enteral/parenteral nutrients and supplies",
        "F": "Ambulatory surgical center facility",
        "G": "Immunosuppressive drugs",
        "H": "Hospice services (discontinued in 1995)",
        "I": "Purchase of DME on an installment basis (discontinued in 1995)",
        "J": "Diabetic shoes",
        "K": "Hearing items and services",
        "L": "ESRD supplies",
        "M": "Monthly capitation payment for dialysis",
        "N": "Kidney donor",
        "P": "Lump-sum purchase of DME, prosthetics or orthotics",
        "Q": "Vision items or services",
        "R": "Rental of DME",
        "S": "Surgical dressings or other medical supplies",
        "T": "Outpatient mental health limitation",
        "U": "Occupational therapy",
        "V": "Pneumococcal or influenza vaccine",
        "W": "Physical therapy",
        "Y": "Second opinion on elective surgery (obsolete since 1997)",
        "Z": "Third opinion on elective surgery (obsolete since 1997)",
    }
)

BETOS_CATEGORY = _frozen(
    {
        "M": "Evaluation and management",
        "P": "Procedures",
        "I": "Imaging",
        "T": "Tests",
        "D": "Durable medical equipment, supplies and devices",
        "O": "Other services",
        "Y": "Exceptions and unclassified",
        "Z": "Unclassified",
    }
)

BETOS_DETAIL = _frozen(
    {
        "D1A": "Medical/surgical supplies",
        "D1B": "Hospital beds",
        "D1C": "Oxygen and supplies",
        "D1D": "Wheelchairs",
        "D1E": "Other DME",
        "D1F": "Prosthetic/Orthotic devices",
        "D1G": "Drugs Administered through DME",
        "I1A": "Standard imaging - chest",
        "I1B": "Standard imaging - musculoskeletal",
        "I1C": "Standard imaging - breast",
        "I1D": "Standard imaging - contrast gastrointestinal",
        "I1E": "Standard imaging - nuclear medicine",
        "I1F": "Standard imaging - other",
        "I2A": "Advanced imaging - CAT/CT/CTA: brain/head/neck",
        "I2B": "Advanced imaging - CAT/CT/CTA: other",
        "I2C": "Advanced imaging - MRI/MRA: brain/head/neck",
        "I2D": "Advanced imaging - MRI/MRA: other",
        "I3A": "Echography/ultrasonography - eye",
        "I3B": "Echography/ultrasonography - abdomen/pelvis",
        "I3C": "Echography/ultrasonography - heart",
        "I3D": "Echography/ultrasonography - carotid arteries",
        "I3E": "Echography/ultrasonography - prostate, transrectal",
        "I3F": "Echography/ultrasonography - other",
        "I4A": "Imaging/procedure - heart including cardiac catheterization",
        "I4B": "Imaging/procedure - other",
        "M1A": "Office visits - new",
        "M1B": "Office visits - established",
        "M2A": "Hospital visit - initial",
        "M2B": "Hospital visit - subsequent",
        "M2C": "Hospital visit - critical care",
        "M3": "Emergency room visit",
        "M4A": "Home visit",
        "M4B": "Nursing home visit",
        "M5A": "Specialist - pathology",
        "M5B": "Specialist - psychiatry",
        "M5C": "Specialist - ophthalmology",
        "M5D": "Specialist - other",
        "M6": "Consultations",
        "O1A": "Ambulance",
        "O1B": "Chiropractic",
        "O1C": "Enteral and parenteral",
        "O1D": "Chemotherapy",
        "O1E": "Other drugs",
        "O1F": "Hearing and speech services",
        "O1G": "Immunizations/Vaccinations",
        "O1L": "Lymphedema compression treatment items (from 2024-01-01)",
        "P0": "Anesthesia",
        "P1A": "Major procedure - breast",
        "P1B": "Major procedure - colectomy",
        "P1C": "Major procedure - cholecystectomy",
        "P1D": "Major procedure - TURP",
        "P1E": "Major procedure - hysterectomy",
        "P1F": "Major procedure - exploration/decompression/excision of disc",
        "P1G": "Major procedure - other",
        "P2A": "Major procedure, cardiovascular-CABG",
        "P2B": "Major procedure, cardiovascular-Aneurysm repair",
        "P2C": "Major procedure, cardiovascular-Thromboendarterectomy",
        "P2D": "Major procedure, cardiovascular-Coronary angioplasty (PTCA)",
        "P2E": "Major procedure, cardiovascular-Pacemaker insertion",
        "P2F": "Major procedure, cardiovascular-Other",
        "P3A": "Major procedure, orthopedic - Hip fracture repair",
        "P3B": "Major procedure, orthopedic - Hip replacement",
        "P3C": "Major procedure, orthopedic - Knee replacement",
        "P3D": "Major procedure, orthopedic - other",
        "P4A": "Eye procedure - corneal transplant",
        "P4B": "Eye procedure - cataract removal/lens insertion",
        "P4C": "Eye procedure - retinal detachment",
        "P4D": "Eye procedure - treatment of retinal lesions",
        "P4E": "Eye procedure - other",
        "P5A": "Ambulatory procedures - skin",
        "P5B": "Ambulatory procedures - musculoskeletal",
        "P5C": "Ambulatory procedures - inguinal hernia repair",
        "P5D": "Ambulatory procedures - lithotripsy",
        "P5E": "Ambulatory procedures - other",
        "P6A": "Minor procedures - skin",
        "P6B": "Minor procedures - musculoskeletal",
        "P6C": "Minor procedures - other (Medicare fee schedule)",
        "P6D": "Minor procedures - other (Non-Medicare fee schedule)",
        "P7A": "Oncology - radiation therapy",
        "P7B": "Oncology - other",
        "P8A": "Endoscopy - arthroscopy",
        "P8B": "Endoscopy - upper gastrointestinal",
        "P8C": "Endoscopy - sigmoidoscopy",
        "P8D": "Endoscopy - colonoscopy",
        "P8E": "Endoscopy - cystoscopy",
        "P8F": "Endoscopy - bronchoscopy",
        "P8G": "Endoscopy - laparoscopic cholecystectomy",
        "P8H": "Endoscopy - laryngoscopy",
        "P8I": "Endoscopy - other",
        "P9A": "Dialysis services (Medicare fee schedule)",
        "P9B": "Dialysis services (Non-Medicare fee schedule)",
        "T1A": "Lab tests - routine venipuncture (Non-Medicare fee schedule)",
        "T1B": "Lab tests - automated general profiles",
        "T1C": "Lab tests - urinalysis",
        "T1D": "Lab tests - blood counts",
        "T1E": "Lab tests - glucose",
        "T1F": "Lab tests - bacterial cultures",
        "T1G": "Lab tests - other (Medicare fee schedule)",
        "T1H": "Lab tests - other (Non-Medicare fee schedule)",
        "T2A": "Other tests - electrocardiograms",
        "T2B": "Other tests - cardiovascular stress tests",
        "T2C": "Other tests - EKG monitoring",
        "T2D": "Other tests - other",
        "Y1": "Other - Medicare fee schedule",
        "Y2": "Other - Non-Medicare fee schedule",
        "Z1": "Local codes",
        "Z2": "Undefined codes",
    }
)

HCPCS_GROUPS = _frozen(
    {
        "A": "Transportation, medical and surgical supplies, miscellaneous and experimental",
        "B": "Enteral and parenteral therapy",
        "C": "Outpatient prospective payment system (temporary hospital codes)",
        "D": "Dental procedures (CDT, maintained by the ADA)",
        "E": "Durable medical equipment",
        "G": "Procedures and professional services (temporary)",
        "H": "Alcohol and drug abuse treatment and behavioural health services",
        "J": "Drugs administered other than by mouth, and chemotherapy drugs",
        "K": "Temporary codes for durable medical equipment",
        "L": "Orthotic and prosthetic procedures and devices",
        "M": "Other medical services and quality measures",
        "P": "Pathology and laboratory services",
        "Q": "Temporary codes",
        "R": "Diagnostic radiology services",
        "S": "Temporary national codes for private payers (not Medicare)",
        "T": "National codes established for state Medicaid agencies",
        "U": "Coronavirus diagnostic laboratory tests",
        "V": "Vision, hearing and speech-language pathology services",
    }
)


def betos_meaning(value: str) -> str:
    value = value.strip().upper()
    if not value:
        return ""
    category = BETOS_CATEGORY.get(value[:1], "")
    detail = BETOS_DETAIL.get(value, "")
    return f"{category}: {detail}." if detail else (f"{category}." if category else "")


NOTE_TYPES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "inclusionTerm": (
            "Inclusion terms",
            "Conditions and synonyms classified to this code or the code it belongs to.",
        ),
        "includes": ("Includes", "Conditions included in the category or range."),
        "excludes1": (
            "Excludes1",
            "NOT CODED HERE: the listed condition is not reported together with this code; "
            "the two are mutually exclusive (pick the one that applies). The official "
            "exception: when the two conditions are unrelated to each other, both codes may "
            "be reported (ICD-10-CM Official Guidelines, section I.A.12.a).",
        ),
        "excludes2": (
            "Excludes2",
            "NOT INCLUDED HERE: the listed condition is not part of this code, but a patient "
            "may have both, so both codes may be reported together.",
        ),
        "codeFirst": (
            "Code first",
            "Sequencing: report the underlying condition first, then this code.",
        ),
        "useAdditionalCode": (
            "Use additional code",
            "Report an additional code as well, to complete the picture (for example a "
            "cause or a manifestation).",
        ),
        "codeAlso": (
            "Code also",
            "A second code may be needed; the order depends on the circumstances of the encounter.",
        ),
        "notes": ("Notes", "Instructional notes from the tabular list."),
        "sevenChrNote": ("7th character note", "Rules for the required 7th character."),
    }
)

SEVERITY = _frozen(
    {
        "MCC": "Major complication or comorbidity: as a secondary diagnosis it can move the "
        "stay to the MS-DRG with MCC (unless excluded for the principal diagnosis).",
        "CC": "Complication or comorbidity: as a secondary diagnosis it can move the stay to "
        "the MS-DRG with CC (unless excluded for the principal diagnosis).",
        "": "Neither CC nor MCC (non-CC): as a secondary diagnosis it does not change the "
        "MS-DRG severity level.",
    }
)

MUE_MAI = _frozen(
    {
        "1": "Line edit: the units of each claim line are compared with the value; over it, "
        "the whole line is denied (not only the units over it); more units may be reported on "
        "separate lines with appropriate modifiers.",
        "2": "Date of service edit, policy: the units of all lines of the code on the date of "
        "service are added; over the value, all lines of the code for that date are denied. "
        "An absolute limit that cannot be overturned, even on appeal.",
        "3": "Date of service edit, clinical: the units of all lines of the code on the date "
        "of service are added; over the value, all lines of the code for that date are "
        "denied. A clinical limit that may be overturned on appeal with documentation.",
    }
)

PTP_MODIFIER = _frozen(
    {
        "0": "no modifier allowed: the pair is never paid together",
        "1": "an NCCI-associated modifier (59, XE, XS, XP, XU, anatomic and others) may "
        "bypass the edit when clinically appropriate",
        "9": "not applicable (deleted edit)",
    }
)

SERVICE_TYPES = _frozen(
    {
        "practitioner": "Practitioner services",
        "outpatient_hospital": "Outpatient hospital services",
        "dme_supplier": "DME supplier services",
    }
)

AOC_TYPES = _frozen(
    {
        "1": "Type 1: only the listed primary codes are eligible.",
        "2": "Type 2: CMS lists no primaries; each contractor defines them.",
        "3": "Type 3: the listed primaries plus any the contractor adds.",
    }
)

DMEPOS_CATEGORIES = _frozen(
    {
        "IN": "Inexpensive or routinely purchased item",
        "CR": "Capped rental item",
        "FS": "Frequently serviced item",
        "OX": "Oxygen and oxygen equipment",
        "OS": "Ostomy, tracheostomy and urological supplies",
        "SU": "Supplies",
        "PO": "Prosthetics and orthotics",
        "SD": "Surgical dressings",
        "PE": "Parenteral and enteral nutrition",
        "TE": "Transcutaneous electrical nerve stimulators (TENS)",
        "SC": "Splints and casts",
        "IL": "Intraocular lenses",
        "LC": "Lymphedema compression treatment items",
        "TS": "Therapeutic shoes and inserts for diabetes",
    }
)

DMEPOS_MODIFIERS = _frozen(
    {
        "NU": "new equipment, purchased",
        "RR": "rental, per month",
        "UE": "used equipment, purchased",
    }
)


PCS_SECTIONS = {
    "0": "Medical and Surgical",
    "1": "Obstetrics",
    "2": "Placement",
    "3": "Administration",
    "4": "Measurement and Monitoring",
    "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies",
    "7": "Osteopathic",
    "8": "Other Procedures",
    "9": "Chiropractic",
    "B": "Imaging",
    "C": "Nuclear Medicine",
    "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology",
    "G": "Mental Health",
    "H": "Substance Abuse Treatment",
    "X": "New Technology",
}


def _by_character(characters: str, names: str) -> Mapping[str, str]:
    """One name per line, matched in order to the axis characters."""
    return MappingProxyType(dict(zip(characters, names.strip().splitlines(), strict=True)))


# ICD-10-PCS Medical and Surgical section: 2nd character (body system), 3rd (root operation).
PCS_BODY_SYSTEMS = _by_character(
    "0123456789BCDFGHJKLMNPQRSTUVWXY",
    """
Central Nervous System and Cranial Nerves
Peripheral Nervous System
Heart and Great Vessels
Upper Arteries
Lower Arteries
Upper Veins
Lower Veins
Lymphatic and Hemic Systems
Eye
Ear, Nose, Sinus
Respiratory System
Mouth and Throat
Gastrointestinal System
Hepatobiliary System and Pancreas
Endocrine System
Skin and Breast
Subcutaneous Tissue and Fascia
Muscles
Tendons
Bursae and Ligaments
Head and Facial Bones
Upper Bones
Lower Bones
Upper Joints
Lower Joints
Urinary System
Female Reproductive System
Male Reproductive System
Anatomical Regions, General
Anatomical Regions, Upper Extremities
Anatomical Regions, Lower Extremities
""",
)
PCS_OPERATIONS = _by_character(
    "0123456789BCDFGHJKLMNPQRSTUVWXY",
    """
Alteration
Bypass
Change
Control
Creation
Destruction
Detachment
Dilation
Division
Drainage
Excision
Extirpation
Extraction
Fragmentation
Fusion
Insertion
Inspection
Map
Occlusion
Reattachment
Release
Removal
Repair
Replacement
Reposition
Resection
Supplement
Restriction
Revision
Transfer
Transplantation
""",
)
PCS_APPROACHES = {
    "0": "Open",
    "3": "Percutaneous",
    "4": "Percutaneous Endoscopic",
    "7": "Via Natural or Artificial Opening",
    "8": "Via Natural or Artificial Opening Endoscopic",
    "F": "Via Natural or Artificial Opening With Percutaneous Endoscopic Assistance",
    "X": "External",
}

PCS_AXES = (
    "Section",
    "Body system",
    "Root operation",
    "Body part",
    "Approach",
    "Device",
    "Qualifier",
)


def pcs_axes(code: str) -> tuple[tuple[str, str, str], ...]:
    """(axis, character, meaning) for each character; meanings known for the Med/Surg axes."""
    meanings: list[str] = [PCS_SECTIONS.get(code[0], "")]
    medsurg = code[0] == "0"
    meanings.append(PCS_BODY_SYSTEMS.get(code[1], "") if medsurg and len(code) > 1 else "")
    meanings.append(PCS_OPERATIONS.get(code[2], "") if medsurg and len(code) > 2 else "")
    meanings.append("")
    meanings.append(PCS_APPROACHES.get(code[4], "") if medsurg and len(code) > 4 else "")
    meanings += ["", ""]
    return tuple((axis, code[i], meanings[i]) for i, axis in enumerate(PCS_AXES) if i < len(code))


CPT_SECTIONS = (
    ("00100", "01999", "Anesthesia"),
    ("10004", "69990", "Surgery"),
    ("70010", "79999", "Radiology"),
    ("80047", "89398", "Pathology and Laboratory"),
    ("90281", "99199", "Medicine"),
    ("99202", "99499", "Evaluation and Management"),
    ("99500", "99607", "Medicine"),
)


def cpt_section(code: str) -> str:
    if not code.isdigit():
        return {
            "F": "Category II (performance measurement)",
            "T": "Category III (emerging technology)",
            "U": "Proprietary laboratory analyses",
            "M": "Multianalyte assays",
        }.get(code[-1], "")
    for low, high, name in CPT_SECTIONS:
        if low <= code <= high:
            return f"Category I, {name}"
    return "Category I"
