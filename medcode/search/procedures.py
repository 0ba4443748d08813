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

from medcode.ops import generation
from medcode.ops.routers import reference_connection
from medcode.search.pcs_keys import NO_KEYS, PcsKeys, loaded_keys


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_THROUGH_SCOPE = ("via", "natural", "opening", "endoscopic")
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
    # Not "burning" alone: a burning pain is a symptom.
    "burning the": ("destruction",),
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
    # Dilation = "Expanding an orifice or the lumen of a tubular body part".
    "dilation": ("dilation",),
    "dilatation": ("dilation",),
    "dilated": ("dilation",),
    # A polyp taken off is a portion of the body part: Excision ("polyp removal", below).
    "polypectomy": ("excision",),
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
    "lob": ("lung",),
    "crani": ("cranial", "cavity"),
    "lamin": ("vertebra",),
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
    "hemorrhoid": ("rectum",),
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
_AROM = ("drainage", "amniotic", "fluid", "therapeutic", "products", "conception", "via",
         "natural", "opening")  # fmt: skip
_DELIVERY = ("delivery", "products", "conception", "external")
_AMNIOCENTESIS = ("drainage", "amniotic", "fluid", "diagnostic", "products", "conception",
                  "percutaneous")  # fmt: skip
_CENTRAL_LINE = ("insertion", "infusion", "device", "superior", "vena", "cava", "percutaneous")
# Whole procedure names whose PCS wording shares no word with them.
NAMED: dict[str, tuple[str, ...]] = {
    # Open reduction and internal fixation: the bone put back in place with a fixation
    # device through an incision (Reposition ... with Internal Fixation Device, Open Approach).
    "orif": ("reposition", "internal", "fixation", "device", "open"),
    "open reduction internal fixation": ("reposition", "internal", "fixation", "device", "open"),
    # Electroconvulsive therapy (GZB: Electroconvulsive Therapy) and an electrocardiogram
    # (4A02X4Z: Measurement of Cardiac Electrical Activity, External Approach).
    "ect": ("electroconvulsive", "therapy"),
    "electroconvulsive therapy": ("electroconvulsive", "therapy"),
    "ekg": ("measurement", "cardiac", "electrical", "activity", "external"),
    "ecg": ("measurement", "cardiac", "electrical", "activity", "external"),
    "electrocardiogram": ("measurement", "cardiac", "electrical", "activity", "external"),
    "mammogram": ("plain", "radiography", "breast"),
    "mammography": ("plain", "radiography", "breast"),
    "thoracentesis": ("drainage", "pleural", "cavity"),
    "paracentesis": ("drainage", "peritoneal", "cavity"),
    "cardioversion": ("restoration", "cardiac", "rhythm"),
    "defibrillation": ("restoration", "cardiac", "rhythm"),
    "cpr": ("performance", "cardiac", "output", "manual"),
    "cataract surgery": ("replacement", "lens", "synthetic", "substitute"),
    "cataract removal": ("replacement", "lens", "synthetic", "substitute"),
    "cataract extraction": ("replacement", "lens", "synthetic", "substitute"),
    "lens implant": ("replacement", "lens", "synthetic", "substitute"),
    "tympanostomy": ("drainage", "middle", "ear", "drainage", "device"),
    "ear tube": ("drainage", "middle", "ear", "drainage", "device"),
    "ear tubes": ("drainage", "middle", "ear", "drainage", "device"),
    "chest tube": ("drainage", "pleural", "cavity", "drainage", "device"),
    "feeding tube": ("insertion", "feeding", "device"),
    # A feeding tube through the nose into the stomach: Insertion of Feeding Device into
    # Stomach, Via Natural or Artificial Opening (0DH67UZ).
    "ng feeding tube": ("insertion", "feeding", "device", "stomach", "via", "natural", "opening"),
    "nasogastric feeding tube": (
        "insertion",
        "feeding",
        "device",
        "stomach",
        "via",
        "natural",
        "opening",
    ),
    # A urinary catheter left in the bladder to drain it: Drainage of Bladder with Drainage
    # Device, Via Natural or Artificial Opening (0T9B70Z).
    "catheter in her bladder": ("drainage", "bladder", "drainage", "device", "via", "natural"),
    "catheter in his bladder": ("drainage", "bladder", "drainage", "device", "via", "natural"),
    "catheter in the bladder": ("drainage", "bladder", "drainage", "device", "via", "natural"),
    "catheter into the bladder": ("drainage", "bladder", "drainage", "device", "via", "natural"),
    "peg": ("insertion", "feeding", "device", "stomach"),
    "peg tube": ("insertion", "feeding", "device", "stomach"),
    "picc": _CENTRAL_LINE,
    "picc line": _CENTRAL_LINE,
    # ERCP: Fluoroscopy of Biliary and Pancreatic Ducts (BF11; the CMS GEM maps ICD-9-CM
    # 51.10, endoscopic retrograde cholangiopancreatography, there).
    "ercp": ("fluoroscopy", "biliary", "pancreatic", "ducts"),
    "tracheostomy": ("bypass", "trachea", "cutaneous"),
    "trach": ("bypass", "trachea", "cutaneous"),
    "colonoscopy": ("inspection", "lower", "intestinal", "tract", *_THROUGH_SCOPE),
    "sigmoidoscopy": ("inspection", "lower", "intestinal", "tract", *_THROUGH_SCOPE),
    "egd": ("inspection", "upper", "intestinal", "tract", *_THROUGH_SCOPE),
    "upper endoscopy": ("inspection", "upper", "intestinal", "tract", *_THROUGH_SCOPE),
    "tubal ligation": ("occlusion", "fallopian", "tubes"),
    "tubes tied": ("occlusion", "fallopian", "tubes"),
    "d&c": ("extraction", "endometrium"),
    # Cesarean delivery is Extraction of Products of Conception, Open Approach (10D00, its
    # qualifiers High, Low and Extraperitoneal: the CMS GEM maps ICD-9-CM 74.0 classical,
    # 74.1 low cervical and 74.2 extraperitoneal cesarean section to 10D00Z0, Z1 and Z2).
    "c-section": ("extraction", "products", "conception", "open"),
    "c section": ("extraction", "products", "conception", "open"),
    "cesarean": ("extraction", "products", "conception", "open"),
    "caesarean": ("extraction", "products", "conception", "open"),
    # Obstetrics: an episiotomy is Division of Female Perineum (0W8NXZZ, GEM of ICD-9-CM
    # 73.6); artificial rupture of membranes is Drainage of Amniotic Fluid, Therapeutic from
    # Products of Conception, Via Natural or Artificial Opening (10907ZC, GEM of 73.01 and
    # 73.09); a manually assisted (spontaneous) delivery is Delivery of Products of
    # Conception (10E0XZZ, GEM of 73.59); oxytocin is a hormone: labor induced with it is
    # Introduction of Other Hormone (3E0_3VJ, GEM of 73.4 medical induction of labor).
    "episiotomy": ("division", "female", "perineum"),
    "artificial rupture of membranes": _AROM,
    "artificial rupture of the membranes": _AROM,
    "amniotomy": _AROM,
    "arom": _AROM,
    "broke her water": _AROM,
    "broke my water": _AROM,
    "broke the water": _AROM,
    "broke her bag of waters": _AROM,
    "spontaneous delivery": _DELIVERY,
    "spontaneous vaginal delivery": _DELIVERY,
    "manually assisted delivery": _DELIVERY,
    "manually assisted vaginal delivery": _DELIVERY,
    "manual delivery": _DELIVERY,
    "nsvd": _DELIVERY,
    "svd": _DELIVERY,
    "oxytocin": ("introduction", "other", "hormone"),
    "pitocin": ("introduction", "other", "hormone"),
    "circumcision": ("resection", "prepuce"),
    "vasectomy": ("excision", "vas", "deferens"),
    "turp": ("excision", "prostate", "via", "natural", "opening", "endoscopic"),
    "lumpectomy": ("excision", "breast"),
    # A spinal tap is a needle puncture: Drainage of Spinal Canal, Percutaneous Approach.
    "spinal tap": ("drainage", "spinal", "canal", "percutaneous"),
    "lumbar puncture": ("drainage", "spinal", "canal", "percutaneous"),
    # A central venous line or PICC (the Device Key: "Peripherally inserted central catheter
    # (PICC)", "Non-tunneled central venous catheter" are Infusion Devices) is put in by
    # needle (Percutaneous) and ends in the superior vena cava, where the Body Part Key puts
    # the cavoatrial junction: Insertion of Infusion Device into Superior Vena Cava (02HV33Z).
    "central line": _CENTRAL_LINE,
    "central venous line": _CENTRAL_LINE,
    "central venous catheter": _CENTRAL_LINE,
    # Carpal tunnel release frees the median nerve: Release of Median Nerve (01N5).
    "carpal tunnel release": ("release", "median", "nerve"),
    # ACL reconstruction with a graft: Replacement of Knee Bursa and Ligament (the PCS Body
    # Part Key puts the anterior cruciate ligament there).
    "acl reconstruction": ("replacement", "knee", "bursa", "ligament"),
    "breathing machine": ("respiratory", "ventilation"),
    "ventilator": ("respiratory", "ventilation"),
    "vent": ("respiratory", "ventilation"),
    "mechanical ventilation": ("respiratory", "ventilation"),
    "ventilation": ("respiratory", "ventilation"),
    "intubated": ("respiratory", "ventilation"),
    "dialysis": ("performance", "urinary", "filtration"),
    "hemodialysis": ("performance", "urinary", "filtration"),
    "blood transfusion": ("transfusion", "nonautologous", "red", "blood", "cells"),
    "transfusion": ("transfusion", "nonautologous"),
    "vaccine": ("introduction", "vaccine"),
    "vaccination": ("introduction", "vaccine"),
    "flu shot": ("introduction", "influenza", "vaccine"),
    "antibiotics": ("introduction", "anti-infective"),
    "antibiotic": ("introduction", "anti-infective"),
    "chemo": ("introduction", "antineoplastic"),
    "chemotherapy": ("introduction", "antineoplastic"),
    "x-ray": ("plain", "radiography"),
    "x ray": ("plain", "radiography"),
    "xray": ("plain", "radiography"),
    "radiograph": ("plain", "radiography"),
    "ct": ("computerized", "tomography"),
    "ct scan": ("computerized", "tomography"),
    "cat scan": ("computerized", "tomography"),
    "mri": ("magnetic", "resonance", "imaging"),
    "ultrasound": ("ultrasonography",),
    "sonogram": ("ultrasonography",),
    "echo": ("ultrasonography", "heart"),
    "echocardiogram": ("ultrasonography", "heart"),
    "scope": ("inspection", "endoscopic"),
    "scoped": ("inspection", "endoscopic"),
    # Transcatheter aortic valve replacement: Replacement of Aortic Valve, Percutaneous
    # Approach (02RF3); the device (zooplastic, synthetic ...) is not in the name.
    "tavr": ("replacement", "aortic", "valve", "percutaneous"),
    "tavi": ("replacement", "aortic", "valve", "percutaneous"),
    # Obstetrics (section 1): Drainage of Amniotic Fluid, Diagnostic from Products of
    # Conception, Percutaneous Approach (10903ZU).
    # A -centesis is a needle puncture: Percutaneous ("Entry, by puncture ...").
    "amniocentesis": _AMNIOCENTESIS,
    "amnio": _AMNIOCENTESIS,
    # Hysterectomy by approach (0UT9): through the vagina is Via Natural or Artificial
    # Opening; laparoscopically assisted is "... With Percutaneous Endoscopic Assistance".
    "vaginal hysterectomy": ("resection", "uterus", "via", "natural", "opening"),
    "abdominal hysterectomy": ("resection", "uterus", "open"),
    "laparoscopic assisted vaginal hysterectomy": (
        "resection",
        "uterus",
        "via",
        "natural",
        "opening",
        "percutaneous",
        "endoscopic",
        "assistance",
    ),
    "lavh": (
        "resection",
        "uterus",
        "via",
        "natural",
        "opening",
        "percutaneous",
        "endoscopic",
        "assistance",
    ),
    # Placement section, Immobilization (2W3) using Cast; a short arm or leg cast covers
    # the lower arm or leg.
    "put in a cast": ("immobilization", "cast"),
    "placed in a cast": ("immobilization", "cast"),
    "cast applied": ("immobilization", "cast"),
    "cast application": ("immobilization", "cast"),
    "casting": ("immobilization", "cast"),
    "short arm cast": ("immobilization", "lower", "arm", "cast"),
    "short leg cast": ("immobilization", "lower", "leg", "cast"),
    "cast on": ("immobilization", "cast"),
    # Administration section, Irrigation of Peritoneal Cavity using Dialysate (3E1M39Z).
    "peritoneal dialysis": ("irrigation", "peritoneal", "cavity", "dialysate"),
    # A tooth pulled is an Extraction (0CD: Upper Tooth, Lower Tooth; Single, Multiple).
    "pulled tooth": ("extraction", "tooth"),
    "tooth pulled": ("extraction", "tooth"),
    "teeth pulled": ("extraction", "tooth", "multiple"),
    "pulled teeth": ("extraction", "tooth", "multiple"),
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
# A polyp or lesion taken off is a portion of the body part: Excision, not Resection.
PORTIONS = _words("polyp polyps lesion lesions")
# An instrument-assisted delivery is an Extraction of Products of Conception through the
# vagina (10D07: Low/Mid/High Forceps, Vacuum), not the Delivery root operation.
INSTRUMENTS = _words("forceps vacuum")
DELIVERY_WORDS = _words("delivery delivered deliver birth")
INDUCTION = _words("induction induce induced inducing drip")
LABOR = _words("labor labour")
# Words that say what was done or given, or how, but not to what.
NOT_A_SITE = ROOT_OPERATIONS | _words(
    """antineoplastic anti-infective vaccine influenza serum toxoid diagnostic open
    percutaneous endoscopic via natural opening artificial external synthetic substitute
    device drainage nonautologous right left bilateral"""
)
JOINTS = _words("knee hip shoulder ankle elbow wrist joint")
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
_DURATION = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|several)\s*"
    r"(?P<unit>hours?|hrs?|days?|weeks?)\b"
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBERS |= {"six": 6, "seven": 7, "several": 3}
# Respiratory Ventilation, Less than 24 / 24-96 / Greater than 96 Consecutive Hours.
_MORE_THAN = re.compile(r"\b(?:more|longer|over|greater)\s+than\b")
_LESS_THAN = re.compile(r"\b(?:less|shorter|under)\s+than\b|\bunder\b")


def _phrases() -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
    """(words, PCS words, which map) for every phrase, longest first."""
    out = []
    for name, table in (
        ("named", NAMED),
        ("operation", OPERATIONS),
        ("body", BODY),
        ("approach", APPROACHES),
    ):
        for phrase, words in table.items():
            out.append((tuple(_WORD.findall(phrase)), words, name))
    out.sort(key=lambda entry: -len(entry[0]))
    return out


_PHRASES = _phrases()


def ending_words(word: str) -> tuple[str, ...]:
    """A surgical word split into operation and body part: "nephrectomy" -> resection
    kidney; "cystoscopy" -> inspection bladder; "" when it is none."""
    for ending, operation in sorted(ENDINGS.items(), key=lambda item: -len(item[0])):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)].rstrip("o")
            # Half of a paired or long part ("right hemicolectomy": Right Large Intestine);
            # the side the query names says which.
            stem = stem.removeprefix("hemi")
            for size in range(len(stem), 2, -1):
                body = ROOTS.get(stem[:size])
                if body is not None:
                    if ending in ("scopy", "oscopy"):
                        # A scope goes in through a body opening or through the skin.
                        natural = stem[:size] in NATURAL_OPENING
                        return (*operation, *body, *(_THROUGH_SCOPE if natural else _KEYHOLE))
                    return (*operation, *body)
            return operation
    return ()


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
    tokens = _WORD.findall(text)
    if NOT_A_PROCEDURE & set(tokens) or "s/p" in text:
        return []
    known = pcs_vocabulary() if vocabulary is None else vocabulary
    if keys is None:
        keys = loaded_keys() if vocabulary is None else NO_KEYS
    out: list[str] = []
    named = False
    i = 0
    while i < len(tokens):
        found = next(
            (entry for entry in _PHRASES if tuple(tokens[i : i + len(entry[0])]) == entry[0]),
            None,
        )
        size, value = keys.match(tokens, i, longer_than=len(found[0]) if found else 0)
        if size:
            out.extend(value)
            i += size
        elif found is not None:
            phrase, mapped, table = found
            out.extend(mapped)
            named = named or table in ("named", "operation")
            i += len(phrase)
        else:
            token = tokens[i]
            split = ending_words(token)
            if token == "out" and i and (tokens[i - 1] in known or tokens[i - 1] in BODY):
                out.append("resection")  # "appendix out", "tonsils out"
                named = True
            elif split:
                out.extend(split)
                named = True
            elif token not in FILLER and token in known:
                out.append(token)
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
    if PORTIONS & set(tokens) and "resection" in out:
        out = ["excision" if w == "resection" else w for w in out]
    if "pulled" in tokens and TEETH & set(tokens):
        out.append("extraction")
        named = True
    for body, specific in REFINES.items():
        if specific & set(out):
            text_out = " ".join(out).replace(" ".join(body), " ")
            out = text_out.split()
    if "introduction" in out:
        out = [w for w in out if w not in ROUTE_WORDS]
    operations = [w for w in out if w in ROOT_OPERATIONS]
    if not named or not [w for w in out if w not in NOT_A_SITE and w in known]:
        # No procedure named, or nothing it was done to ("passed out", "getting chemo").
        return []
    if len(set(operations)) > 1:
        # A scope with a biopsy is an excision through the scope; mesh makes a repair a
        # supplement; a part taken out is a resection, a piece of it an excision.
        for weaker, stronger in (("inspection", None), ("repair", "supplement")):
            if weaker in operations and (stronger is None or stronger in operations):
                out = [w for w in out if w != weaker]
    for operation, segments in (("excision", SEGMENTS), ("dilation", DILATED)):
        if operation in out:
            # A biopsy or dilation through a scope is of a segment, not the whole tract.
            text_out = " ".join(out)
            for tract, segment in segments.items():
                text_out = text_out.replace(tract, segment)
            out = text_out.split()
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
