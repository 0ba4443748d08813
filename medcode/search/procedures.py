"""A procedure query read in ICD-10-PCS words: "right kidney taken out" -> resection right
kidney; "scope to look inside the colon" -> inspection lower intestinal tract endoscopic.

ICD-10-PCS titles are built from the table axes: "<Root operation> of <Body part>, <Approach>"
(Medical and Surgical), "<Type> of <Body part>" (Imaging) and a few fixed phrases in the
other sections. People name procedures by what was done (taken out, fixed, looked inside),
by a surgical word (-ectomy, -scopy) or by an everyday body word (womb, groin), never by the
root operation. The maps below translate each of those to the words of the axes' labels;
the root operations are read as the CMS ICD-10-PCS definitions file defines them
(icd10pcs_definitions_<year>.xml: Resection = "Cutting out or off, without replacement, all
of a body part"; Excision = "... a portion of a body part"; Inspection = "Visually and/or
manually exploring a body part"; Detachment = "Cutting off all or a portion of the upper or
lower extremities"; Supplement = "Putting in or on biological or synthetic material that
physically reinforces and/or augments the function of a portion of a body part"). Written for
medcode.

Words of the query that are ICD-10-PCS words themselves (kidney, right, knee) are kept; the
rest of the everyday wording (taken, out, surgery) is dropped, so the words searched are the
ones PCS titles use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from medcode.ops import generation
from medcode.ops.routers import reference_connection
from medcode.search.pcs_keys import NO_KEYS, PcsKeys, loaded_keys
from medcode.search.procedure_names import NAMED, THROUGH_SCOPE


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Operation words (and short phrases) -> the root operation, and anything it implies.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "taken out": ("resection",),
    "take out": ("resection",),
    "taking out": ("resection",),
    "removed": ("resection",),
    "removal": ("resection",),
    "remove": ("resection",),
    "excised": ("excision",),
    "excision": ("excision",),
    "partial removal": ("excision",),
    "biopsy": ("excision", "diagnostic"),
    "biopsies": ("excision", "diagnostic"),
    "replacement": ("replacement",),
    "replaced": ("replacement",),
    "new joint": ("replacement",),
    "arthroplasty": ("replacement",),
    "repair": ("repair",),
    "repaired": ("repair",),
    "fixed": ("repair",),
    "fix": ("repair",),
    "sewn": ("repair",),
    "stitched": ("repair",),
    "stitches": ("repair",),
    "sutured": ("repair",),
    "sew up": ("repair",),
    "sewed up": ("repair",),
    "look": ("inspection",),
    "looked": ("inspection",),
    "looking": ("inspection",),
    "look only": ("inspection",),
    "exam under scope": ("inspection",),
    "inspection": ("inspection",),
    "drained": ("drainage",),
    "drain": ("drainage",),
    "drainage": ("drainage",),
    "tap": ("drainage",),
    "tapped": ("drainage",),
    "amputation": ("detachment",),
    "amputated": ("detachment",),
    "cut off": ("detachment",),
    "transplant": ("transplantation",),
    "transplanted": ("transplantation",),
    "fusion": ("fusion",),
    "fused": ("fusion",),
    "bypass": ("bypass",),
    "stent": ("dilation", "intraluminal"),
    "stented": ("dilation", "intraluminal"),
    "widened": ("dilation",),
    "balloon": ("dilation",),
    "crushed": ("fragmentation",),
    "tied": ("occlusion",),
    "clipped": ("occlusion",),
    "blocked": ("occlusion",),
    "reattached": ("reattachment",),
    "put back": ("reposition",),
    "inserted": ("insertion",),
    "insertion": ("insertion",),
    "put in": ("insertion",),
    "placed": ("insertion",),
    "placement": ("insertion",),
    "burned": ("destruction",),
    # Not "burning" alone or "burning the": a burning pain is a symptom ("burning the back of
    # my throat").
    "burning off": ("destruction",),
    "burned off": ("destruction",),
    "cauterized": ("destruction",),
    "ablation": ("destruction",),
    "freed": ("release",),
    "released": ("release",),
    "release": ("release",),
    # Everyday verbs for more root operations (CMS definitions: Extraction = "Pulling or
    # stripping out or off all or a portion of a body part by the use of force";
    # Fragmentation = "Breaking solid matter in a body part into pieces"). Not "pulled" or
    # "scraped": a pulled muscle and a scraped knee are injuries.
    "extracted": ("extraction",),
    "trimmed": ("excision",),
    "shaved": ("excision",),
    "snared": ("excision",),
    "broken up": ("fragmentation",),
    "break up": ("fragmentation",),
    "shock wave": ("fragmentation", "external"),
    "shock waves": ("fragmentation", "external"),
    "with mesh": ("supplement", "synthetic", "substitute"),
    "mesh": ("supplement", "synthetic", "substitute"),
    # A repair said to be without mesh stays a Repair (no Supplement device).
    "without mesh": ("repair",),
    "no mesh": ("repair",),
    "extraction": ("extraction",),
    # Extraction = "Pulling or stripping out or off all or a portion of a body part by the
    # use of force" (vein stripping).
    "stripping": ("extraction",),
    "stripped": ("extraction",),
    # Not "implantation": a valve or lens implantation (TAVI) is a Replacement.
    "implanted": ("insertion",),
    # Dilation = "Expanding an orifice or the lumen of a tubular body part". These words also
    # name a finding (a dilated bile duct, aortic root dilation, the cervix dilated in labor):
    # they name the procedure only beside another procedure word (FINDING_WORDS).
    "dilation": ("dilation",),
    "dilatation": ("dilation",),
    "dilated": ("dilation",),
    # A polyp taken off is a portion of the body part: Excision ("polyp removal", below).
    "polypectomy": ("excision",),
    # A fracture reduction is a Reposition (definitions, section 0, axis 3: Reposition
    # includes "fracture reduction"); a closed one is done "by the application of external
    # force through the skin" (the External approach, icd10pcs_definitions_2026.xml section
    # 0, axis 5).
    "closed reduction": ("reposition", "external"),
}
# Surgical word endings -> the root operation (a prefix names the body part, below).
ENDINGS: dict[str, tuple[str, ...]] = {
    "ectomy": ("resection",),
    "scopy": ("inspection",),
    "oscopy": ("inspection",),
    "otomy": ("drainage",),
    "centesis": ("drainage",),
    "ostomy": ("bypass",),
    "rrhaphy": ("repair",),
    "pexy": ("reposition",),
    "tripsy": ("fragmentation",),
    "desis": ("fusion",),
    "lysis": ("release",),
    "plasty": ("repair",),
}
# Combining forms of surgical words -> the body part as ICD-10-PCS labels it.
ROOTS: dict[str, tuple[str, ...]] = {
    "nephr": ("kidney",),
    "hyster": ("uterus",),
    "mast": ("breast",),
    "mamm": ("breast",),
    "lumpect": ("breast",),
    "splen": ("spleen",),
    "prostat": ("prostate",),
    "append": ("appendix",),
    "appendic": ("appendix",),
    "cholecyst": ("gallbladder",),
    "col": ("large", "intestine"),
    "colon": ("lower", "intestinal", "tract"),
    "sigmoid": ("sigmoid", "colon"),
    "proct": ("rectum",),
    "tonsill": ("tonsils",),
    "adenoid": ("adenoids",),
    "thyroid": ("thyroid", "gland"),
    "parathyroid": ("parathyroid", "gland"),
    "adrenal": ("adrenal", "gland"),
    "gastr": ("stomach",),
    "esophag": ("esophagus",),
    "esophagogastroduoden": ("upper", "intestinal", "tract"),
    "duoden": ("duodenum",),
    "pancreat": ("pancreas",),
    "hepat": ("liver",),
    "oophor": ("ovary",),
    "salping": ("fallopian", "tube"),
    "cyst": ("bladder",),
    "ureter": ("ureter",),
    "urethr": ("urethra",),
    "orchi": ("testis",),
    "orchid": ("testis",),
    "vas": ("vas", "deferens"),
    "arthr": ("joint",),
    "bronch": ("tracheobronchial", "tree"),
    "trache": ("trachea",),
    "laryng": ("larynx",),
    "lapar": ("peritoneal", "cavity"),
    "thorac": ("pleural", "cavity"),
    "pneumon": ("lung",),
    # A lobectomy takes out a lobe (Resection includes "total lobectomy of lung"; the lung's
    # lobes are body part values of their own, 0BT: Upper Lung Lobe, Right ...), not the lung.
    "lob": ("lobe",),
    "crani": ("cranial", "cavity"),
    # The Body Part Key puts the vertebral lamina in the Cervical, Thoracic and Lumbar
    # Vertebra values: a laminectomy takes out a portion of a vertebra (Excision, below).
    "lamin": ("lamina",),
    "disc": ("disc",),
    "disk": ("disc",),
    "menisc": ("meniscus",),
    "carotid": ("carotid", "artery"),
    "ile": ("ileum",),
    "jejun": ("jejunum",),
    "myring": ("tympanic", "membrane"),
    "tympan": ("middle", "ear"),
    "rhin": ("nasal",),
    "sinus": ("sinus",),
    "sept": ("nasal", "septum"),
    "blephar": ("eyelid",),
    "vitr": ("vitreous",),
    "colp": ("vagina",),
    "vulv": ("vulva",),
    # Hemorrhoids are the Hemorrhoidal Plexus, a qualifier of the Lower Vein (06B Excision,
    # 06L Occlusion), not the rectum.
    "hemorrhoid": ("lower", "vein", "hemorrhoidal", "plexus"),
    "phleb": ("vein",),
    "ven": ("vein",),
    "angi": ("artery",),
    "cardi": ("heart",),
    "pericardi": ("pericardium",),
    "perine": ("perineum",),
    "tenot": ("tendon",),
    "ten": ("tendon",),
    "fasci": ("fascia",),
    "neur": ("nerve",),
    "mastoid": ("mastoid", "sinus"),
}
_KEYHOLE = ("percutaneous", "endoscopic")
# Scopes that reach the body part through a natural opening (the rest go through the skin).
NATURAL_OPENING = _words(
    """cyst bronch colon sigmoid proct esophag esophagogastroduoden gastr duoden hyster
    ureter urethr laryng colp trache rhin sinus"""
)
# Everyday body words -> ICD-10-PCS body part words.
BODY: dict[str, tuple[str, ...]] = {
    "womb": ("uterus",),
    "voice box": ("larynx",),
    "windpipe": ("trachea",),
    "food pipe": ("esophagus",),
    "gullet": ("esophagus",),
    "groin": ("inguinal", "region"),
    "inguinal": ("inguinal", "region"),
    "femoral": ("femoral", "region"),
    "umbilical": ("umbilical",),
    "belly button": ("umbilical",),
    "colon": ("large", "intestine"),
    "bowel": ("intestine",),
    "gut": ("intestine",),
    "tummy": ("abdominal", "wall"),
    "tooth": ("tooth",),
    "teeth": ("tooth",),
    "ear tube": ("middle", "ear", "drainage", "device"),
    "ear tubes": ("middle", "ear", "drainage", "device"),
    "eardrum": ("tympanic", "membrane"),
    "tubes": ("fallopian", "tubes"),
    "lens": ("lens",),
    "above the knee": ("upper", "leg"),
    "above knee": ("upper", "leg"),
    "below the knee": ("lower", "leg"),
    "below knee": ("lower", "leg"),
    "arm muscle": ("muscle",),
    "shoulder muscle": ("muscle",),
    "through a vein": ("peripheral", "vein"),
    "in a vein": ("peripheral", "vein"),
    "iv": ("peripheral", "vein"),
    "intravenous": ("peripheral", "vein"),
    "both": ("bilateral",),
    # Everyday names of bones and limb segments -> the body part values of the PCS tables.
    "kneecap": ("patella",),
    # The nails' body part values (0HD Extraction: Finger Nail, Toe Nail).
    "fingernail": ("finger", "nail"),
    "toenail": ("toe", "nail"),
    "collarbone": ("clavicle",),
    "collar bone": ("clavicle",),
    "breastbone": ("sternum",),
    "breast bone": ("sternum",),
    "shoulder blade": ("scapula",),
    "shinbone": ("tibia",),
    "shin bone": ("tibia",),
    "forearm": ("lower", "arm"),
    # Peripheral Vein (the body part of the Administration and Circulatory sections' IV).
    "peripheral iv": ("peripheral", "vein"),
    "iv in the arm": ("peripheral", "vein"),
    "iv in her arm": ("peripheral", "vein"),
    "iv in his arm": ("peripheral", "vein"),
    "vein in the arm": ("peripheral", "vein"),
    "vein in her arm": ("peripheral", "vein"),
    "vein in his arm": ("peripheral", "vein"),
    "arm vein": ("peripheral", "vein"),
    # A central line, PICC or implanted port ends in a central vein: Central Vein.
    "through a central line": ("central", "vein"),
    "through her central line": ("central", "vein"),
    "through his central line": ("central", "vein"),
    "through a picc": ("central", "vein"),
    "through her picc": ("central", "vein"),
    "through his picc": ("central", "vein"),
    "through the picc": ("central", "vein"),
    "through a port": ("central", "vein"),
    "through her port": ("central", "vein"),
    "through his port": ("central", "vein"),
    "through the port": ("central", "vein"),
    # Substance values of Transfusion (302/303): Platelets, Red Blood Cells.
    "platelet": ("platelets",),
    "platelets": ("platelets",),
    "red blood cell": ("red", "blood", "cells"),
    "red cells": ("red", "blood", "cells"),
    "prbc": ("red", "blood", "cells"),
    "prbcs": ("red", "blood", "cells"),
    "packed red cells": ("red", "blood", "cells"),
    "endometrial": ("endometrium",),
    "svc": ("superior", "vena", "cava"),
    # The heart's own arteries are the coronary arteries (Coronary Artery, One Artery ... of
    # the Heart and Great Vessels tables), not an artery of the Upper Arteries system.
    "heart artery": ("coronary", "artery"),
    "heart arteries": ("coronary", "artery"),
    "artery of heart": ("coronary", "artery"),
    "arteries of heart": ("coronary", "artery"),
    "artery in heart": ("coronary", "artery"),
    "arteries in heart": ("coronary", "artery"),
    "artery to heart": ("coronary", "artery"),
    # A varix is a dilated vein (06L Occlusion: Esophageal Vein, Gastric Vein).
    "varices": ("vein",),
    "variceal": ("vein",),
    "varix": ("vein",),
    # A hernia of the belly wall (umbilical, ventral, incisional, epigastric) is repaired in
    # the Abdominal Wall (0WQF Repair, 0WUF Supplement with mesh).
    "umbilical hernia": ("abdominal", "wall"),
    "ventral hernia": ("abdominal", "wall"),
    "incisional hernia": ("abdominal", "wall"),
    "epigastric hernia": ("abdominal", "wall"),
    # The PCS Body Part Key: the cruciate and collateral ligaments are Knee Bursa and Ligament.
    "acl": ("knee", "bursa", "ligament"),
    "anterior cruciate ligament": ("knee", "bursa", "ligament"),
    "pcl": ("knee", "bursa", "ligament"),
    "mcl": ("knee", "bursa", "ligament"),
    # Device values: a graft of the patient's own tissue is Autologous Tissue Substitute, a
    # donor's Nonautologous Tissue Substitute.
    "own graft": ("autologous", "tissue", "substitute"),
    "own tissue": ("autologous", "tissue", "substitute"),
    "own hamstring graft": ("autologous", "tissue", "substitute"),
    "own tendon": ("autologous", "tissue", "substitute"),
    "autograft": ("autologous", "tissue", "substitute"),
    "allograft": ("nonautologous", "tissue", "substitute"),
    "cadaver graft": ("nonautologous", "tissue", "substitute"),
    # The Device Key: an implanted (venous)(access) port is a Totally Implantable Vascular
    # Access Device (0JH_0WZ/3WZ, in the subcutaneous tissue).
    "port": ("totally", "implantable", "vascular", "access", "device"),
    # A laparoscopic port site (a port site hernia) is no access device.
    "port site": (),
    "port sites": (),
    # The pacemaker device values of 0JH (Pacemaker, Single/Dual Chamber) are the generator.
    "pacemaker generator": ("pacemaker",),
    "under the skin": ("subcutaneous", "tissue"),
    "spinal cord stimulator generator": ("stimulator", "generator"),
    "one tooth": ("tooth", "single"),
    "a tooth": ("tooth", "single"),
    "single tooth": ("tooth", "single"),
    # The cesarean types as the qualifiers of 10D00 name them (GEM: 74.0 classical -> High,
    # 74.1 low cervical -> Low).
    "classical": ("high",),
    "low transverse": ("low",),
    "low cervical": ("low",),
    "lower segment": ("low",),
    # Stripping (sweeping) the fetal membranes to start labor takes no body part out: not the
    # Extraction of vein stripping (nor the Tympanic Membrane the word would find).
    "stripping membranes": (),
    "stripping the membranes": (),
    "stripping of membranes": (),
    "stripping of the membranes": (),
    "stripped membranes": (),
    "stripped the membranes": (),
    "stripped her membranes": (),
    "membranes stripped": (),
    "membrane stripping": (),
    # Imaging qualifiers: no contrast is the plain type (contrast value None); the titles
    # that say "Contrast" name one.
    "without contrast": (),
    "w/o contrast": (),
    "no contrast": (),
    "non contrast": (),
    "non-contrast": (),
    "noncontrast": (),
    "without dye": (),
    "with and without contrast": ("contrast", "unenhanced", "enhanced"),
    # A device the query says it is not ("regular, not reverse" shoulder replacement).
    "not reverse": (),
    "not a reverse": (),
    "non reverse": (),
    "non-reverse": (),
    # What an aspiration is done for: Diagnostic (qualifier X).
    "check the fluid": ("diagnostic",),
    "test the fluid": ("diagnostic",),
    "fluid tested": ("diagnostic",),
    "fluid sent": ("diagnostic",),
    "for testing": ("diagnostic",),
    "to test": ("diagnostic",),
    # The lining of the uterus is the Endometrium; the low back is the lumbar region
    # (Lumbar Spine, Vertebra, Vertebral Joint ...).
    "lining of the uterus": ("endometrium",),
    "lining of the womb": ("endometrium",),
    "uterine lining": ("endometrium",),
    "low back": ("lumbar",),
    "lower back": ("lumbar",),
}
# How the body part was reached -> the approach as the titles say it.
APPROACHES: dict[str, tuple[str, ...]] = {
    "laparoscopic": ("percutaneous", "endoscopic"),
    "laparoscopically": ("percutaneous", "endoscopic"),
    "lap": ("percutaneous", "endoscopic"),
    "keyhole": ("percutaneous", "endoscopic"),
    "robotic": ("percutaneous", "endoscopic"),
    "arthroscopic": ("percutaneous", "endoscopic"),
    "thoracoscopic": ("percutaneous", "endoscopic"),
    "open": ("open",),
    "incision": ("open",),
    "transurethral": ("via", "natural", "opening", "endoscopic"),
    "through the urethra": ("via", "natural", "opening", "endoscopic"),
    "through the penis": ("via", "natural", "opening", "endoscopic"),
    "needle": ("percutaneous",),
    # An echo through the chest wall is the plain heart ultrasound (no approach value in
    # Imaging): the words name no body part.
    "transthoracic": (),
    "through the chest wall": (),
    # A catheter through a blood vessel (the groin's femoral artery or vein) is the
    # Percutaneous approach; through the vagina is Via Natural or Artificial Opening.
    "transcatheter": ("percutaneous",),
    "catheter based": ("percutaneous",),
    "through the groin": ("percutaneous",),
    "via the groin": ("percutaneous",),
    "through the femoral artery": ("percutaneous",),
    "through the femoral vein": ("percutaneous",),
    "through the vagina": ("via", "natural", "opening"),
    "through the mouth": ("via", "natural", "opening"),
    "through the nose": ("via", "natural", "opening"),
    "through the rectum": ("via", "natural", "opening"),
    "hysteroscopic": ("via", "natural", "opening", "endoscopic"),
    "cystoscopic": ("via", "natural", "opening", "endoscopic"),
    "ureteroscopic": ("via", "natural", "opening", "endoscopic"),
    "bronchoscopic": ("via", "natural", "opening", "endoscopic"),
}
# The root operations of the Medical and Surgical section (and the other sections' types
# used above), as the titles spell them.
ROOT_OPERATIONS = _words(
    """alteration bypass change control creation destruction detachment dilation drainage
    excision extirpation extraction fragmentation fusion insertion inspection map occlusion
    reattachment release removal repair replacement reposition resection restriction revision
    supplement transfer transplantation introduction transfusion performance restoration
    assistance"""
)
SEGMENTS = {"lower intestinal tract": "large intestine", "upper intestinal tract": "stomach"}
# An EGD that dilates without naming what: the esophagus (0D75, the upper tract's narrowing
# an EGD stretches; Dilation has no Upper Intestinal Tract value).
DILATED = {"lower intestinal tract": "large intestine", "upper intestinal tract": "esophagus"}
# The parts of the tracts a scope dilates, as the Dilation table (0D7) names them.
SCOPE_PARTS = _words(
    """esophagus esophagogastric stomach pylorus duodenum jejunum ileum ileocecal cecum
    ascending transverse descending sigmoid rectum anus"""
)
# Operation words that also name a finding: read only beside another procedure word.
FINDING_WORDS = frozenset({("dilation",), ("dilatation",), ("dilated",)})
# A polyp or lesion taken off is a portion of the body part: Excision, not Resection.
PORTIONS = _words("polyp polyps lesion lesions")
# An instrument-assisted delivery is an Extraction of Products of Conception through the
# vagina (10D07: Low/Mid/High Forceps, Vacuum), not the Delivery root operation.
INSTRUMENTS = _words("forceps vacuum")
DELIVERY_WORDS = _words("delivery delivered deliver birth baby")
INDUCTION = _words("induction induce induced inducing drip")
LABOR = _words("labor labour")
# Words that say what was done or given, or how, but not to what.
NOT_A_SITE = ROOT_OPERATIONS | _words(
    """antineoplastic anti-infective vaccine influenza serum toxoid diagnostic open
    percutaneous endoscopic via natural opening artificial external synthetic substitute
    device drainage nonautologous right left bilateral"""
)
JOINTS = _words("knee hip shoulder ankle elbow wrist joint")
SIDES = _words("right left")
# A replacement of a ligament or with a tissue graft is no joint prosthesis.
TISSUE = _words("ligament bursa tendon autologous nonautologous tissue")
# A joint aspirated is drained through a needle (Drainage, Percutaneous Approach); "pulled"
# is an Extraction only for a tooth (a pulled muscle is an injury).
ASPIRATION = _words("aspiration aspirated aspirate")
TEETH = _words("tooth teeth")
BELLY = _words("belly abdomen abdominal tummy")
# A body part named beside a surgical word's combining form is the more specific one
# ("sigmoid colectomy": Sigmoid Colon, not Large Intestine).
REFINES: dict[tuple[str, ...], frozenset[str]] = {
    ("large", "intestine"): _words("sigmoid transverse ascending descending cecum"),
}
# Words that name how a substance is given, not what: dropped from an Introduction.
ROUTE_WORDS = _words("infusion injection")
# A cut closed with stitches is a repair of the skin, external approach (the wound's
# edges sewn on the surface); a deeper layer named in the query is kept instead.
CUTS = _words("cut cuts gash laceration lacerations")
LAYERS = _words("skin subcutaneous fascia muscle tendon nerve artery vein bone")
SUBCUTANEOUS = _words("subcutaneous tissue fascia")
# In an imaging query the head is the brain ("CT of the head": Computerized Tomography of Brain).
IMAGING = frozenset({"radiography", "tomography", "resonance", "ultrasonography"})
IMAGING_BODY: dict[str, tuple[str, ...]] = {"head": ("brain",), "belly": ("abdomen",)}
# Words that say something was done but name nothing PCS titles say.
FILLER = _words(
    """a an the my his her their of on in to for with and or was were had has have been got
    get done surgery surgical operation procedure total complete partial inside into through
    out up off one single patient pt s/p status post performed under no not without from"""
)
# A query about a past procedure, a complication of one, a visit, a screening or a supply
# after one asks for an ICD-10-CM status, complication or encounter code, or a HCPCS item,
# not a procedure; so does one that names Medicare (its HCPCS Level II service code:
# G0008 "Administration of influenza virus vaccine").
NOT_A_PROCEDURE = _words(
    """ago history hx before previous prior old status after since infected infection
    complication complications malfunction failed loosening came visit encounter bra form
    forms screening medicare"""
)
_WORD = re.compile(r"[a-z0-9][a-z0-9&'-]*")
_CLAUSE_END = re.compile(r"[,;:.]")
ARTICLES = frozenset({"the", "her", "his", "their", "my", "its"})
# An operation word after these is one not done ("no biopsy", "nothing removed", "not the
# leads").
NEGATIONS = frozenset({"no", "not", "nothing", "without", "never"})
# Solid matter taken out of a body part: Extirpation ("Taking or cutting out solid matter
# from a body part", icd10pcs_definitions_2026.xml, section 0, axis 3), not a Resection.
SOLID_MATTER = _words("stone stones calculus calculi clot clots thrombus foreign plaque")
# A device taken out is a Removal ("Taking out or off a device from a body part"), not a
# Resection of the body part.
TAKEN_OUT = frozenset({"resection", "extraction"})
# "partial ...ectomy": a portion of the body part, Excision ("Cutting out or off, without
# replacement, a portion of a body part").
PARTIAL = _words("partial")
# A pregnancy ended by suction or a D&C: Abortion of Products of Conception, Via Natural or
# Artificial Opening; qualifier Vacuum (10A07Z6) only when suction is said, a D&C being a
# curettage: No Qualifier, 10A07ZZ (the 10A table's qualifiers: Vacuum, Laminaria,
# Abortifacient, No Qualifier; 2018 GEM: ICD-9-CM 69.01 D&C for termination -> 10A07ZZ).
TERMINATION = _words("termination abortion")
SUCTION = _words("suction vacuum aspiration")
CURETTAGE = _words("d&c curettage")
_ABORTION = ("abortion", "products", "conception", "via", "natural", "opening")
# A pregnancy already lost ("missed", "incomplete", "spontaneous" abortion, a miscarriage):
# the curettage takes out what is retained, no pregnancy is ended: Extraction of Products of
# Conception, Retained (10D17ZZ; 2018 GEM: ICD-9-CM 69.02 D&C and 69.52 aspiration curettage
# following delivery or abortion -> 10D17ZZ, 10D18ZZ).
LOST = _words("missed incomplete spontaneous miscarriage miscarried retained")
# Enucleation takes the eyeball out (Resection of Eye, 08T0XZZ/08T1XZZ; 2018 GEM of ICD-9-CM
# 16.49), but a cyst, tumour or prostate is enucleated too, and which root operation that is
# the word does not say: no reading unless the eye is named.
ENUCLEATION = _words("enucleation enucleated")
EYE = _words("eye eyes eyeball eyeballs")
# A band put round a varix or hemorrhoid closes the vein: Occlusion ("Completely closing an
# orifice or the lumen of a tubular body part") with an Extraluminal Device (2018 GEM: ICD-9-CM
# 42.91 -> 06L3_C_/D_/Z_; 49.45 -> 06LY_CC and 06LY_ZC: the GEM gives the ligation with or
# without a device; the band is read as the device). Read only for a vein: a gastric band is
# a Restriction device (GEM 44.95 -> 0DV64CZ).
BANDING = _words("banding banded band bands")
# How many coronary arteries (Coronary Artery, One Artery / Two / Three / Four or More
# Arteries: 021 Bypass, 027 Dilation) a query counts: an explicit count, else one for "a".
CORONARY_COUNTS = {
    "one": ("one", "single", "x1", "1"),
    "two": ("two", "double", "x2", "2"),
    "three": ("three", "triple", "x3", "3"),
    "four": ("four", "quadruple", "x4", "4", "quintuple", "x5", "5"),
}
# The words a count stands before when it counts coronary arteries ("2 vessel", "a heart
# artery"), and the count words that only ever count bypasses ("triple bypass").
_ARTERY_WORDS = frozenset({"artery", "arteries", "vessel", "vessels", "coronary", "heart"})
_BYPASS_COUNTS = frozenset({"single", "double", "triple", "quadruple", "quintuple"})
_DEVICE_WORDS = frozenset({"stent", "stents", "device", "devices"})
# Organs other than the lung whose lobes are body part values (Thyroid Gland Lobe, 0GT;
# Liver, Right Lobe and Left Lobe, 0FT). The lung's are the Resection's own example ("total
# lobectomy of lung").
LOBED = _words("thyroid liver")
# A laminectomy said to decompress is coded by that objective (the spinal cord or nerve root
# freed: Release), which the words leave open (2018 GEM: ICD-9-CM 03.09 maps to Release,
# Drainage, Inspection and Excision alike): no reading.
DECOMPRESSION = _words("decompression decompressive decompress decompressed")
_RETAINED = ("extraction", "products", "conception", "retained", "via", "natural", "opening")
_DURATION = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|several)\s*"
    r"(?P<unit>hours?|hrs?|days?|weeks?)\b"
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBERS |= {"six": 6, "seven": 7, "several": 3}
# Respiratory Ventilation, Less than 24 / 24-96 / Greater than 96 Consecutive Hours.
_MORE_THAN = re.compile(r"\b(?:more|longer|over|greater)\s+than\b")
_LESS_THAN = re.compile(r"\b(?:less|shorter|under)\s+than\b|\bunder\b")


def _unarticled(tokens: Sequence[str]) -> list[str]:
    """The words without the articles and possessives that change no reading ("through the
    port", "through her port" and "through port" read alike); "a" stays ("a tooth")."""
    return [t for t in tokens if t not in ARTICLES]


def _clause_tokens(text: str) -> tuple[list[str], list[int]]:
    """The words of `text` (_unarticled) and the clause each is in: a comma, semicolon, colon
    or full stop ends a clause (the words are those of the whole text: _WORD spans none)."""
    tokens: list[str] = []
    clauses: list[int] = []
    for n, piece in enumerate(_CLAUSE_END.split(text)):
        found = _unarticled(_WORD.findall(piece))
        tokens.extend(found)
        clauses.extend([n] * len(found))
    return tokens, clauses


def _negated(tokens: Sequence[str], clauses: Sequence[int], at: int) -> bool:
    """Whether one of the two words before tokens[at], in its clause, is a negation ("no
    biopsy"; not "no bleeding, appendectomy")."""
    return any(
        tokens[k] in NEGATIONS and clauses[k] == clauses[at] for k in range(max(0, at - 2), at)
    )


def _phrases() -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
    """(words, PCS words, which map) for every phrase, longest first."""
    out: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...], str]] = {}
    for name, table in (
        ("named", NAMED),
        ("operation", OPERATIONS),
        ("body", BODY),
        ("approach", APPROACHES),
    ):
        for phrase, words in table.items():
            key = tuple(_unarticled(_WORD.findall(phrase)))
            out.setdefault(key, (key, words, name))
    return sorted(out.values(), key=lambda entry: -len(entry[0]))


_PHRASES = _phrases()
# The phrases by their first word, longest first: a query word is compared with its own only.
_BY_FIRST: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], str]]] = {}
for _entry in _PHRASES:
    _BY_FIRST.setdefault(_entry[0][0], []).append(_entry)


def ending_words(word: str, *, sided: bool = False) -> tuple[str, ...]:
    """A surgical word split into operation and body part: "nephrectomy" -> resection
    kidney; "cystoscopy" -> inspection bladder; "" when it is none. `sided`: the query names
    a side (right, left)."""
    for ending, operation in sorted(ENDINGS.items(), key=lambda item: -len(item[0])):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)].rstrip("o")
            # Half of a part taken out, the side named ("right hemicolectomy": Right Large
            # Intestine; "left hemithyroidectomy": Left Thyroid Gland Lobe). Without a side the
            # part's own value is the whole of it (0DTE, 0GTK: a total resection), and a
            # hemiarthroplasty is a partial joint Replacement, not a Repair: no body part.
            if sided and ending == "ectomy":
                stem = stem.removeprefix("hemi")
            for size in range(len(stem), 2, -1):
                body = ROOTS.get(stem[:size])
                if body is not None:
                    if ending in ("scopy", "oscopy"):
                        # A scope goes in through a body opening or through the skin.
                        natural = stem[:size] in NATURAL_OPENING
                        return (*operation, *body, *(THROUGH_SCOPE if natural else _KEYHOLE))
                    return (*operation, *body)
            return operation
    return ()


def coronary_count(tokens: Sequence[str]) -> tuple[str, ...]:
    """The number of coronary arteries a query counts, in the value labels' word, or () when
    it counts none. A times sign counts wherever it stands ("CABG x3"); so does a word that
    only counts bypasses ("triple bypass"); a number or "a" counts only when an artery word
    follows it ("2 vessel", "a stent in a heart artery"), so "a CABG 1 week ago" counts none."""
    by_word = {word: count for count, said in CORONARY_COUNTS.items() for word in said}
    # "stent x2", "2 stents": the count of devices (the device value's "Two Intraluminal
    # Devices"), not of arteries; read beside the artery count, so a count the query leaves
    # open ties and nothing is built.
    stents = [
        by_word[word]
        for word, other in [*pairwise(tokens), *((b, a) for a, b in pairwise(tokens))]
        if word in by_word and other in _DEVICE_WORDS and word not in _BYPASS_COUNTS
    ]
    devices = tuple(count for count in dict.fromkeys(stents) if count != "one")
    for i, token in enumerate(tokens):
        if (
            token.startswith("x")
            and token in by_word
            and not (i and tokens[i - 1] in _DEVICE_WORDS)
        ):
            return (by_word[token], *devices)
    for token, after in pairwise(tokens):
        if after in _ARTERY_WORDS:
            if token in by_word:
                return (by_word[token], *devices)
            if token in ("a", "an"):
                return ("one", *devices)
    for token in tokens:
        if token in _BYPASS_COUNTS:
            return (by_word[token], *devices)
    return devices


def ventilation_hours(text: str) -> tuple[str, ...]:
    """The duration bucket of a ventilation query in the titles' words, or ()."""
    match = _DURATION.search(text)
    if match is None:
        return ()
    raw = match.group("n")
    n = float(_NUMBERS.get(raw, 0) if raw in _NUMBERS else raw)
    unit = match.group("unit")
    hours = n * (24 if unit.startswith("d") else 168 if unit.startswith("w") else 1)
    before = text[: match.start()]
    if _MORE_THAN.search(before) and hours >= 96:
        return ("greater", "96")
    if _LESS_THAN.search(before) and hours <= 24:
        return ("less", "24")
    if hours < 24:
        return ("less", "24")
    if hours <= 96:
        return ("24", "96")
    return ("greater", "96")


def pcs_words(
    words: Sequence[str],
    *,
    vocabulary: frozenset[str] | None = None,
    keys: PcsKeys | None = None,
) -> list[str]:
    """The query in ICD-10-PCS title words, or [] when it names no procedure.

    `vocabulary`: the words of the loaded ICD-10-PCS titles (default: read from the index);
    a query word outside it is dropped. `keys`: the Body Part and Device Keys (pcs_keys;
    default: the loaded definitions' when `vocabulary` is not given, else none); a key term
    longer than the phrase the maps above find at the same word is read as its value.
    """
    lowered = [w.lower() for w in words]
    text = " ".join(lowered)
    tokens, clauses = _clause_tokens(text)
    if NOT_A_PROCEDURE & set(tokens) or "s/p" in text:
        return []
    if ENUCLEATION & set(tokens) and not EYE & set(tokens):
        return []
    known = pcs_vocabulary() if vocabulary is None else vocabulary
    if keys is None:
        keys = loaded_keys() if vocabulary is None else NO_KEYS
    out: list[str] = []
    named = substance = False
    i = 0
    while i < len(tokens):
        found = next(
            (
                entry
                for entry in _BY_FIRST.get(tokens[i], ())
                if tuple(tokens[i : i + len(entry[0])]) == entry[0]
            ),
            None,
        )
        size, value = keys.match(tokens, i, longer_than=len(found[0]) if found else 0)
        negated = _negated(tokens, clauses, i)
        if size:
            out.extend(value)
            substance = substance or value in keys.substances
            i += size
        elif found is not None:
            phrase, mapped, table = found
            if negated and table in ("named", "operation"):
                i += len(phrase)  # "no biopsy": not done
                continue
            out.extend(mapped)
            named = named or (table in ("named", "operation") and phrase not in FINDING_WORDS)
            i += len(phrase)
        elif (partial := keys.match_partial(tokens, i, known))[0]:
            out.extend(partial[1])
            i += partial[0]
        else:
            token = tokens[i]
            split = ending_words(token, sided=bool(SIDES & set(tokens)))
            if keys.names_operation(token, tokens):
                # A procedure a root operation's definition includes ("fracture reduction").
                split = (keys.operations[token], *split[1:])
            if token == "out" and i and (tokens[i - 1] in known or tokens[i - 1] in BODY):
                out.append("resection")  # "appendix out", "tonsils out"
                named = True
            elif split and negated:
                pass  # "no polypectomy"
            elif split:
                # A surgical word's body part that the key terms name more fully
                # ("meniscectomy": meniscus, in the Medial and Lateral meniscus of Knee Joint).
                fuller = [
                    w
                    for b in split[1:]
                    if b not in keys.body_words
                    for w in keys.partial.get((b,), ())
                ]
                if fuller and split[0] == "resection":
                    # Taking out a structure the key files under a larger body part value
                    # takes out a portion of that value: Excision, not Resection ("all of a
                    # body part"): "meniscectomy" is an Excision of the Knee Joint.
                    split = ("excision", *split[1:])
                out.extend(split)
                out.extend(fuller)
                named = True
            elif token not in FILLER and token in known:
                out.append(token)
                if token not in keys.body_words:
                    # "meniscus": in the Medial and Lateral meniscus of Knee Joint.
                    out.extend(keys.partial.get((token,), ()))
            i += 1
    if ASPIRATION & set(tokens) and JOINTS & set(tokens):
        out = [w for w in out if w not in ASPIRATION] + ["joint", "drainage", "percutaneous"]
        named = True
    if "drainage" in out and "fluid" in tokens:
        # Fluid drained from around a lung (thoracentesis) is the Pleural Cavity's, from the
        # belly (paracentesis) the Peritoneal Cavity's.
        if "lung" in out:
            out = [m for w in out for m in (("pleural", "cavity") if w == "lung" else (w,))]
        elif BELLY & set(tokens):
            out.extend(("peritoneal", "cavity"))
        if "cavity" in out:
            out = [w for w in out if w != "fluid"]
    if INSTRUMENTS & set(tokens) and DELIVERY_WORDS & set(tokens):
        out.extend(("extraction", "products", "conception", "via", "natural", "opening"))
        named = True
    if "extraction" in out and "conception" in out:
        out = [w for w in out if w not in ("delivery", "external")]
    if "hormone" in out and INDUCTION & set(tokens) and (LABOR & set(tokens) or "drip" in tokens):
        # Oxytocin to induce labor runs into a vein through a needle (its label's
        # intravenous infusion): Peripheral Vein, Percutaneous Approach.
        out.extend(("peripheral", "vein", "percutaneous"))
    if BANDING & set(tokens) and "vein" in out:
        out.extend(("occlusion", "extraluminal", "device"))
        named = True
    if "coronary" in out:
        out.extend(coronary_count(tokens))
    out, named = _taken_out(out, tokens, named=named, substance=substance)
    if PORTIONS & set(tokens) and "resection" in out:
        out = ["excision" if w == "resection" else w for w in out]
    if "pulled" in tokens and TEETH & set(tokens):
        out.append("extraction")
        named = True
    out = _refined(out)
    if "introduction" in out:
        out = [w for w in out if w not in ROUTE_WORDS]
    if "lobe" in out and not LOBED & set(out):
        out.append("lung")  # the lobe of a lobectomy of no other organ: the lung's
    if "lamina" in out and DECOMPRESSION & set(tokens):
        return []
    operations = [w for w in out if w in ROOT_OPERATIONS]
    if not named or not [w for w in out if w not in NOT_A_SITE and w in known]:
        # No procedure named, or nothing it was done to ("passed out", "getting chemo").
        return []
    if len(set(operations)) > 1:
        # A scope with a biopsy is an excision through the scope; mesh makes a repair a
        # supplement; a part taken out is a resection, a piece of it an excision.
        # A drain put in is a Drainage with a Drainage Device, not an Insertion.
        pairs = (("inspection", None), ("repair", "supplement"), ("insertion", "drainage"))
        for weaker, stronger in pairs:
            if weaker in operations and (stronger is None or stronger in operations):
                out = [w for w in out if w != weaker]
    for operation, segments in (("excision", SEGMENTS), ("dilation", DILATED)):
        if operation in out:
            # A biopsy or dilation through a scope is of a segment, not the whole tract.
            text_out = " ".join(out)
            # A dilation of a part the query names ("egd with dilation of the pylorus") is of
            # that part: the scope's tract words go, no segment is assumed.
            named_part = operation == "dilation" and bool(SCOPE_PARTS & set(out))
            for tract, segment in segments.items():
                text_out = text_out.replace(tract, " " if named_part else segment)
            out = text_out.split()
    out = _refined(out)
    if "repair" in out and CUTS & set(tokens) and not LAYERS & set(tokens):
        # The skin of the region a key term names ("chin": Subcutaneous Tissue and Fascia,
        # Face -> Skin, Face).
        out = [w for w in out if w not in SUBCUTANEOUS] + ["skin", "external"]
    if "replacement" in out and JOINTS & set(out) and not TISSUE & set(out):
        out.extend(("joint", "synthetic", "substitute"))
    if IMAGING & set(out):
        out = [m for w in out for m in IMAGING_BODY.get(w, (w,))]
    if "ventilation" in out:
        out.extend(ventilation_hours(text))
    return list(dict.fromkeys(w for w in out if w in known))


def _refined(out: list[str]) -> list[str]:
    """The reading without a body part a more specific one beside it refines (REFINES), also
    when a scope's segment brought it ("colonoscopy with biopsy of the sigmoid colon")."""
    for body, specific in REFINES.items():
        if specific & set(out):
            out = " ".join(out).replace(" ".join(body), " ").split()
    return out


def _taken_out(
    out: list[str], tokens: list[str], *, named: bool, substance: bool
) -> tuple[list[str], bool]:
    """What the root operation definitions make of a thing taken out or given: a device taken
    out is a Removal, solid matter an Extirpation, a portion (partial) an Excision; a
    pregnancy ended by suction or curettage an Abortion (a lost one's retained products, an
    Extraction); a substance of the Substance Key given, an Introduction."""
    found = set(tokens)
    if TAKEN_OUT & set(out) and "device" in out:
        out = ["removal" if w in TAKEN_OUT else w for w in out]
    elif TAKEN_OUT & set(out) and SOLID_MATTER & found:
        out = ["extirpation" if w in TAKEN_OUT else w for w in out]
    elif "resection" in out and PARTIAL & found:
        out = ["excision" if w == "resection" else w for w in out]
    if LOST & found and (SUCTION | CURETTAGE) & found:
        # No pregnancy is ended: not the Abortion root operation, whatever the word said.
        out = [w for w in out if w not in ("endometrium", *TERMINATION)]
        out = [w for w in out if w != "extraction"] + list(_RETAINED)
        named = True
    elif TERMINATION & found and (SUCTION | CURETTAGE) & found:
        out = [w for w in out if w not in ("extraction", "endometrium")] + list(_ABORTION)
        if SUCTION & found:
            out.append("vacuum")
        named = True
    if substance and not ROOT_OPERATIONS & set(out):
        out.append("introduction")
        named = True
    return out, named


def title_words(title: str) -> set[str]:
    return set(_WORD.findall(title.lower()))


@lru_cache(maxsize=2)
def _vocabulary(token: str) -> frozenset[str]:
    del token
    words: set[str] = set()
    with reference_connection().cursor() as cursor:
        cursor.execute("SELECT title FROM search_document WHERE system = %s", ["ICD10PCS"])
        for (title,) in cursor.fetchall():
            words.update(title_words(title or ""))
    return frozenset(words)


def pcs_vocabulary() -> frozenset[str]:
    """Every word of the loaded ICD-10-PCS titles (cached per data generation)."""
    return _vocabulary(generation.current().token)
