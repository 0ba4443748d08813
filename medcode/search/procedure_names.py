"""Whole procedure names read in ICD-10-PCS words: names whose PCS wording shares no word
with them ("orif": Reposition ... with Internal Fixation Device, Open Approach; "episiotomy":
Division of Female Perineum), for procedures.pcs_words. Each entry gives the root operation
and the axis values the name implies, from the FY2026 tables and definitions; where a name
is read through the CMS ICD-9-CM to ICD-10-PCS GEM, the comment says which ICD-9-CM code.
"""

from __future__ import annotations

# Through a body opening with a scope (Via Natural or Artificial Opening Endoscopic).
THROUGH_SCOPE = ("via", "natural", "opening", "endoscopic")
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
    "endoscopic retrograde cholangiopancreatography": (
        "fluoroscopy",
        "biliary",
        "pancreatic",
        "ducts",
    ),
    # The Device Key: a percutaneous endoscopic gastrostomy (PEG) tube is a Feeding Device.
    "percutaneous endoscopic gastrostomy": ("insertion", "feeding", "device", "stomach"),
    "gastrostomy tube": ("insertion", "feeding", "device", "stomach"),
    "g-tube": ("insertion", "feeding", "device", "stomach"),
    "g tube": ("insertion", "feeding", "device", "stomach"),
    "tracheostomy": ("bypass", "trachea", "cutaneous"),
    "trach": ("bypass", "trachea", "cutaneous"),
    "colonoscopy": ("inspection", "lower", "intestinal", "tract", *THROUGH_SCOPE),
    "sigmoidoscopy": ("inspection", "lower", "intestinal", "tract", *THROUGH_SCOPE),
    "egd": ("inspection", "upper", "intestinal", "tract", *THROUGH_SCOPE),
    "upper endoscopy": ("inspection", "upper", "intestinal", "tract", *THROUGH_SCOPE),
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
    # Coronary artery bypass grafting: Bypass Coronary Artery (021; the Bypass includes
    # "Coronary artery bypass"); the graft's source is the qualifier (Internal Mammary, Left
    # or Right), the count of arteries bypassed the body part (procedures.coronary_count).
    "cabg": ("bypass", "coronary", "artery"),
    "lima": ("internal", "mammary", "left"),
    "rima": ("internal", "mammary", "right"),
    # A loop electrosurgical excision procedure cuts out part of the cervix through the
    # vagina: Excision of Cervix, Via Natural or Artificial Opening (0UBC7ZZ; X for a biopsy).
    "leep": ("excision", "cervix", "via", "natural", "opening"),
    "loop electrosurgical excision": ("excision", "cervix", "via", "natural", "opening"),
    "loop electrosurgical excision procedure": ("excision", "cervix", "via", "natural", "opening"),
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
    # Total parenteral nutrition: Introduction of Nutritional Substance (GEM: ICD-9-CM 99.15
    # -> 3E0336Z, 3E0436Z, 3E0536Z, 3E0636Z; the vein the query names picks the body part).
    "tpn": ("introduction", "nutritional", "substance"),
    "parenteral nutrition": ("introduction", "nutritional", "substance"),
    "total parenteral nutrition": ("introduction", "nutritional", "substance"),
    # Enucleation of the eyeball: Resection of Eye, External (GEM: ICD-9-CM 16.49 -> 08T0XZZ,
    # 08T1XZZ); read only when the eye is named (procedures.ENUCLEATION).
    "enucleation": ("resection", "eye"),
    # A breast made smaller has tissue cut out: Excision ("Cutting out or off, without
    # replacement, a portion of a body part") of Breast (GEM: ICD-9-CM 85.31, 85.32 reduction
    # mammoplasty -> 0HBT0ZZ, 0HBU0ZZ, 0HBV0ZZ), not the Reposition of a fracture reduction.
    "breast reduction": ("excision", "breast"),
    "reduction mammoplasty": ("excision", "breast"),
    "reduction mammaplasty": ("excision", "breast"),
    # Hemorrhoids cut out: Excision of Lower Vein, qualifier Hemorrhoidal Plexus (GEM:
    # ICD-9-CM 49.46 -> 06BY0ZC, 06BY3ZC, 06BY4ZC), a portion of the vein, not a Resection.
    "hemorrhoidectomy": ("excision", "lower", "vein", "hemorrhoidal", "plexus"),
    # An arteriovenous fistula made for dialysis: Bypass of an upper artery to a vein (GEM:
    # ICD-9-CM 39.27 -> 031_0Z_, e.g. 031C0ZF Bypass Left Radial Artery to Lower Arm Vein).
    "av fistula": ("bypass",),
    "a-v fistula": ("bypass",),
    "arteriovenous fistula": ("bypass",),
    # Placement section: Packing ("Putting material in a body region or orifice",
    # definitions section 2, axis 3) with Packing Material (2W4, 2Y4).
    "packing": ("packing", "packing", "material"),
    # A nail torn off (avulsion): Extraction ("Pulling or stripping out or off all or a portion
    # of a body part by the use of force") of Finger Nail / Toe Nail (0HDQXZZ, 0HDRXZZ).
    "avulsion": ("extraction",),
    "avulsed": ("extraction",),
}
