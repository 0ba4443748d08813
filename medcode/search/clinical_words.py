"""More ways people say it: specialty abbreviations, lay symptom, mental-health and injury
words, and how people say a pregnancy or a newborn, each -> the words of the Alphabetic
Index entry a coder would look up (the FY2025 Index path and its code are named beside each
pair where the Index term is not the expansion itself). Written for medcode from the CDC
Index and Tabular files; querytext merges these into its lay synonyms (laywords.py wins on a
clash).

Ambiguous abbreviations stay out (ASD: atrial septal defect or autism spectrum disorder;
SBP; CRS; PTA; HRS: hours; RTA: road traffic accident; NTG: nitroglycerin; CHB: complete
heart block or chronic hepatitis B), and DME is
diabetic macular edema and PSC posterior subcapsular cataract only beside an eye word
(querytext.side_words); elsewhere DME is durable medical equipment (laywords.py) and PSC
primary sclerosing cholangitis.
"""

from __future__ import annotations

SPECIALTY_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    # Cardiology
    # Cardiomyopathy, hypertrophic, obstructive I42.1
    "hocm": ("hypertrophic obstructive cardiomyopathy",),
    "hcm": ("hypertrophic cardiomyopathy",),  # Cardiomyopathy, hypertrophic (nonobstructive) I42.2
    "dcm": ("dilated cardiomyopathy",),  # Cardiomyopathy, dilated I42.0
    "wpw": ("wolff-parkinson-white syndrome",),  # Wolff-Parkinson-White syndrome I45.6
    "pda": ("patent ductus arteriosus",),  # Patent, ductus arteriosus Q25.0
    "pfo": ("patent foramen ovale",),  # Patent, foramen, ovale Q21.12
    "tof": ("tetralogy of fallot",),  # Tetralogy of Fallot Q21.3
    "mvp": ("mitral valve prolapse",),  # Prolapse, mitral (valve) I34.1
    "sss": ("sick sinus syndrome",),  # Tabular I49.5 Sick sinus syndrome
    # Hypertrophy, ventricle: see also Hypertrophy, cardiac I51.7 (includes Cardiac hypertrophy)
    "lvh": ("left ventricular hypertrophy", "cardiac hypertrophy"),
    # Pulmonology
    "ipf": ("idiopathic pulmonary fibrosis",),  # Fibrosis, pulmonary, idiopathic J84.112
    "ohs": ("obesity hypoventilation syndrome",),  # Syndrome, obesity hypoventilation (OHS) E66.2
    "vap": ("ventilator associated pneumonia",),  # Pneumonia, ventilator associated J95.851
    # GI and liver
    "eoe": ("eosinophilic esophagitis",),  # Esophagitis, eosinophilic K20.0
    "pud": ("peptic ulcer",),  # Ulcer, peptic (site unspecified) K27.9
    "nash": ("nonalcoholic steatohepatitis",),  # Steatohepatitis (nonalcoholic) (NASH) K75.81
    # Overgrowth, bacterial, small intestinal K63.8219
    "sibo": ("small intestinal bacterial overgrowth",),
    "psc": ("primary sclerosing cholangitis",),  # Cholangitis, primary, sclerosing K83.01
    "aih": ("autoimmune hepatitis",),  # Hepatitis, autoimmune K75.4
    "pbc": ("primary biliary cirrhosis",),  # Cirrhosis, biliary, primary K74.3
    # Polyposis, familial, adenomatous D13.91 (Polyposis, familial alone is D12.6)
    "fap": ("familial adenomatous polyposis",),
    # Nephrology
    "atn": ("acute tubular necrosis",),  # Necrosis, tubular (acute) N17.0
    # Polycystic, kidney, autosomal dominant Q61.2; autosomal recessive Q61.19
    "adpkd": ("autosomal dominant polycystic kidney",),
    "arpkd": ("autosomal recessive polycystic kidney",),
    "pkd": ("polycystic kidney",),  # Polycystic (disease), kidney Q61.3
    # Ophthalmology: Diabetes, with, retinopathy E11.319; proliferative E11.359-;
    # nonproliferative E11.329-; "with macular edema" E11.351- / E11.321- (a 7th character
    # names the eye; type 2 when the type is not stated, as the Index's "Diabetes, with" does).
    "pdr": ("proliferative diabetic retinopathy",),
    "npdr": ("nonproliferative diabetic retinopathy",),
    "mgd": ("meibomian gland dysfunction",),  # Dysfunction, meibomian gland H02.88-
    "acg": ("angle-closure glaucoma",),  # Glaucoma, angle-closure (primary) H40.20-
    "vmt": ("vitreomacular traction",),  # Traction, vitreomacular H43.82-
    # Chorioretinopathy, central serous H35.71- (not "csr": Cheyne-Stokes respiration)
    "cscr": ("central serous chorioretinopathy",),
    # ENT: Otitis, media, suppurative, acute, with rupture of ear drum H66.01- ("AOM w/ TM
    # perf"); Perforation, tympanum H72.9-; Deafness, sudden (idiopathic) H91.2-.
    "tm perf": ("spontaneous rupture of ear drum", "perforation tympanic membrane"),
    "tm perforation": ("spontaneous rupture of ear drum", "perforation tympanic membrane"),
    "ssnhl": ("sudden hearing loss",),
    # Cardiology, pulmonary and vascular shorthand (FY2025 Index paths; the titles' words)
    # Hypertension, pulmonary I27.20; Edema, pulmonary: see Edema, lung
    "pulm": ("pulmonary",),
    # Occlusion, artery, carotid I65.2- (Narrowing, artery, carotid and Occlusion, artery,
    # precerebral, carotid: see Occlusion, artery, carotid); the I65.2- titles name no
    # internal or common carotid (S06.81-/S06.82-, intracranial injuries, and ICD-10-PCS
    # titles do).
    "ica": ("internal carotid artery", "carotid artery"),
    "avb": ("atrioventricular block",),  # Block, atrioventricular I44.30 (first degree I44.0)
    "paf": ("paroxysmal atrial fibrillation",),  # Fibrillation, atrial, paroxysmal I48.0
    "ihd": ("ischemic heart disease",),  # Disease, heart, ischemic I25.9
    # Disease, cardiovascular (atherosclerotic) I25.10
    "ascvd": ("atherosclerotic cardiovascular disease",),
    # Hypertension, pulmonary, chronic thromboembolic I27.24
    "cteph": ("chronic thromboembolic pulmonary hypertension",),
    # Disease, lung, obstructive (chronic), with, acute, exacerbation NEC J44.1
    "aecopd": ("chronic obstructive pulmonary disease with acute exacerbation",),
    "avm": ("arteriovenous malformation",),  # Malformation, arteriovenous Q27.30
    # Not HHD (hypertensive heart disease I11.9, or home hemodialysis) nor TAA (thoracic aortic
    # aneurysm I71.20, or total ankle arthroplasty): either reading is common in a coding
    # search box ("home hhd training" and "TAA right ankle" led with I11.9 and I71.20).
    # Degrees as the Index's subterms spell them (Block, atrioventricular, first degree I44.0;
    # Burn, by site, first degree).
    "1st degree": ("first degree",),
    "2nd degree": ("second degree",),
    "3rd degree": ("third degree",),
    # Limbs by side as coders abbreviate them (right/left lower/upper extremity): the titles
    # say limb (L03.115 Cellulitis of right lower limb) or leg and arm.
    "rle": ("right lower limb", "right leg"),
    "lle": ("left lower limb", "left leg"),
    "rue": ("right upper limb", "right arm"),
    "lue": ("left upper limb", "left arm"),
    "w": ("with",),  # "w/", as clinicians write "with"
    "w/o": ("without",),  # read as "w o" (longest phrase first), so not "with"
}

# Eye abbreviations that make a query about the eye (OD/OS/OU then name its side), and
# those read differently beside an eye word.
EYE_ABBREVIATIONS = frozenset({"pdr", "npdr", "mgd", "acg", "vmt", "cscr"})
EYE_CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    # Diabetes, with, retinopathy, with macular edema E11.311 (Edema, macula, diabetic: see
    # Diabetes, by type, with, retinopathy, with macular edema).
    "dme": ("macular", "edema"),
    # Detachment, vitreous (body) H43.81- (elsewhere PVD is peripheral vascular disease)
    "pvd": ("vitreous", "detachment"),
    # Cataract, senile, subcapsular polar (anterior), posterior H25.04- (presenile H26.05-).
    "psc": ("posterior", "subcapsular", "polar"),
}

LAY_SYMPTOMS: dict[str, tuple[str, ...]] = {
    # A finger or thumb that locks or catches as it bends: Snapping, finger: see Trigger
    # finger M65.3- (thumb M65.31-, ring finger M65.34- ...).
    "finger locking": ("snapping finger",),
    "finger locks": ("snapping finger",),
    "finger keeps locking": ("snapping finger",),
    "finger catching": ("snapping finger",),
    "finger catches": ("snapping finger",),
    "finger keeps catching": ("snapping finger",),
    "finger gets stuck": ("snapping finger",),
    "locking finger": ("snapping finger",),
    "thumb locking": ("snapping finger thumb",),
    "thumb locks": ("snapping finger thumb",),
    "thumb keeps locking": ("snapping finger thumb",),
    "thumb catching": ("snapping finger thumb",),
    "locking thumb": ("snapping finger thumb",),
    # Nocturia R35.1 (Micturition, nocturnal R35.1)
    "night to pee": ("nocturia",),
    "pee at night": ("nocturia",),
    "peeing at night": ("nocturia",),
    "night to urinate": ("nocturia",),
    "urinate at night": ("nocturia",),
    "urinating at night": ("nocturia",),
    "night to use the bathroom": ("nocturia",),
    # Micturition, frequency R35.0
    "frequent urination": ("frequency of micturition",),
    "pee a lot": ("frequency of micturition",),
    "peeing a lot": ("frequency of micturition",),
    "pee often": ("frequency of micturition",),
    "peeing often": ("frequency of micturition",),
    "urinating often": ("frequency of micturition",),
    "urinate often": ("frequency of micturition",),
    # Anosmia R43.0; Ageusia R43.2
    "can't smell": ("anosmia",),
    "cant smell": ("anosmia",),
    "cannot smell": ("anosmia",),
    "sense of smell": ("anosmia",),
    "loss of smell": ("anosmia",),
    "lost smell": ("anosmia",),
    "can't taste": ("ageusia",),
    "cant taste": ("ageusia",),
    "cannot taste": ("ageusia",),
    "sense of taste": ("ageusia",),
    "loss of taste": ("ageusia",),
    "lost taste": ("ageusia",),
    # Hallucination, auditory R44.0; visual R44.1
    "hearing voices": ("auditory hallucination",),
    "hears voices": ("auditory hallucination",),
    "hear voices": ("auditory hallucination",),
    "hearing things": ("auditory hallucination",),
    "hears things": ("auditory hallucination",),
    "seeing things": ("visual hallucination",),
    "sees things": ("visual hallucination",),
    # Vertigo R42 (R42 includes Light-headedness)
    "room spinning": ("vertigo",),
    "room is spinning": ("vertigo",),
    "room spins": ("vertigo",),
    "spinning sensation": ("vertigo",),
    "lightheaded": ("dizziness",),
    "light headed": ("dizziness",),
    "light-headed": ("dizziness",),
    # Eructation R14.2 (Belching: see Eructation); Flatulence R14.3 (Gas R14.3)
    "burping": ("eructation",),
    "burps": ("eructation",),
    "belching": ("eructation",),
    "farting": ("flatulence",),
    "farts": ("flatulence",),
    "passing gas": ("flatulence",),
    "passing wind": ("flatulence",),
    "gassy": ("flatulence",),
    # Nausea (without vomiting) R11.0
    "nauseous": ("nausea",),
    "nauseated": ("nausea",),
    "queasy": ("nausea",),
    "sick to my stomach": ("nausea",),
    # Sputum, excessive R09.3
    "phlegm": ("sputum",),
    # Blackout R55
    "blacked out": ("blackout",),
    "black out": ("blackout",),
    "blacking out": ("blackout",),
    # Photophobia H53.14-
    "sensitive to light": ("photophobia",),
    "light sensitivity": ("photophobia",),
    # Halitosis R19.6; Dry, dryness, mouth R68.2; Sweat, night R61
    "bad breath": ("halitosis",),
    "mouth is dry": ("dry mouth",),
    "night sweats": ("night sweats", "hyperhidrosis"),
    # Amnesia R41.3 (Loss, memory: see also Amnesia)
    "memory loss": ("amnesia",),
    "forgetful": ("amnesia",),
    "losing my memory": ("amnesia",),
    # Chill(s) R68.83; Numbness R20.0 (R20.0 Anesthesia of skin); Anxiety F41.9
    "shivering": ("chills",),
    "shivers": ("chills",),
    "numb": ("numbness", "anesthesia of skin"),
    "anxious": ("anxiety",),
    # Deafness H91.9- (Loss, hearing: see also Deafness)
    "can't hear": ("hearing loss",),
    "cant hear": ("hearing loss",),
    "cannot hear": ("hearing loss",),
    "trouble hearing": ("hearing loss",),
    # Dysuria R30.0
    "burns when i pee": ("dysuria",),
    "burning when i pee": ("dysuria",),
    "hurts to pee": ("dysuria",),
    "pain when peeing": ("dysuria",),
    "painful urination": ("dysuria",),
    "burning urination": ("dysuria",),
    # Infertility, female N97.9
    "can't get pregnant": ("female infertility",),
    "cant get pregnant": ("female infertility",),
    "cannot get pregnant": ("female infertility",),
    "unable to get pregnant": ("female infertility",),
    "trying to get pregnant": ("female infertility",),
    "trouble getting pregnant": ("female infertility",),
    # Anemia (D64.9): "anemic" does not meet the Index's "Anemia" by its stem
    "anemic": ("anemia",),
    # Drowsiness R40.0
    "drowsy": ("drowsiness",),
    "sleepy all the time": ("drowsiness",),
}

LAY_MENTAL: dict[str, tuple[str, ...]] = {
    # Dysthymia F34.1 (F34.1 includes Persistent depressive disorder)
    "low mood for years": ("dysthymia",),
    "chronic low mood": ("dysthymia",),
    "long-standing low mood": ("dysthymia",),
    "longstanding low mood": ("dysthymia",),
    "persistent low mood": ("dysthymia",),
    "mild depression for years": ("dysthymia",),
    "down for years": ("dysthymia",),
    "depressed for years": ("dysthymia",),
    # Ideation, suicidal R45.851 (Suicide, ideation: see Ideation, suicidal)
    "thoughts of killing myself": ("suicidal ideation",),
    "thinking of killing myself": ("suicidal ideation",),
    "want to kill myself": ("suicidal ideation",),
    "wants to kill himself": ("suicidal ideation",),
    "wants to kill herself": ("suicidal ideation",),
    "thoughts of suicide": ("suicidal ideation",),
    "suicidal thoughts": ("suicidal ideation",),
    "wants to die": ("suicidal ideation",),
    "want to die": ("suicidal ideation",),
    # Agoraphobia F40.00 (Ochlophobia: see Agoraphobia)
    "afraid to leave": ("agoraphobia",),
    "scared to leave": ("agoraphobia",),
    "fear of leaving": ("agoraphobia",),
    "afraid of leaving": ("agoraphobia",),
    "scared of leaving": ("agoraphobia",),
    "afraid to go out": ("agoraphobia",),
    "scared to go out": ("agoraphobia",),
    "afraid of crowds": ("agoraphobia",),
    "fear of crowds": ("agoraphobia",),
    "scared of crowds": ("agoraphobia",),
    # Fear of: see Phobia (the object read by readings.phobia_reading)
    "afraid of": ("phobia",),
    "scared of": ("phobia",),
    "terrified of": ("phobia",),
    "frightened of": ("phobia",),
    "fear of": ("phobia",),
}

LAY_INJURY: dict[str, tuple[str, ...]] = {
    # Scratch: see Abrasion; Abrasion, by site (S00-S90 x1-)
    "scraped": ("abrasion",),
    "scrape": ("abrasion",),
    "scrapes": ("abrasion",),
    "skinned": ("abrasion",),
    # Burn, by site, second degree (blisters); Sunburn, second degree L55.1
    "blistering burn": ("second degree burn",),
    "blistered burn": ("second degree burn",),
    "burn with blisters": ("second degree burn",),
    "burn blistered": ("second degree burn",),
    "blistering sunburn": ("sunburn second degree",),
    "blistered sunburn": ("sunburn second degree",),
    # Tear, tendon: see Strain; Strain, tendon: see Injury, muscle, by site, strain
    # (e.g. Injury, muscle, foot, strain S96.91- for the ankle)
    "tore a tendon": ("strain of tendon",),
    "tore the tendon": ("strain of tendon",),
    "torn tendon": ("strain of tendon",),
    "tendon tear": ("strain of tendon",),
    "tendon torn": ("strain of tendon",),
    # Sprain, ankle S93.40-
    "rolled my ankle": ("sprain ankle",),
    "rolled her ankle": ("sprain ankle",),
    "rolled his ankle": ("sprain ankle",),
    "rolled ankle": ("sprain ankle",),
    # Fracture, traumatic, rib S22.3- ("cracked tooth" is K03.81, so only the rib)
    "cracked a rib": ("fracture of rib",),
    "cracked my rib": ("fracture of rib",),
    "cracked rib": ("fracture of rib",),
    "cracked ribs": ("fracture of rib",),
    "road rash": ("abrasion",),
    # Tear, torn (traumatic)
    "tore": ("tear",),
    "ripped": ("tear",),
    "knee cap": ("patella",),
    # Cut (external): see also Laceration; Stab: see also Laceration.
    "gash": ("laceration",),
    "gashed": ("laceration",),
    "gashes": ("laceration",),
    "sliced": ("laceration",),
    "slice": ("laceration",),
    "sliced open": ("laceration",),
    # Puncture, foot S91.33- (a nail stepped on goes into the foot); External Cause Index:
    # Contact, with, nail W45.0.
    "stepped on a nail": ("puncture foot",),
    "stepped on a rusty nail": ("puncture foot",),
    "stepped on nail": ("puncture foot",),
    "stepped on rusty nail": ("puncture foot",),
    # Fracture, traumatic, ankle, lateral malleolus S82.6-; medial malleolus S82.5- (the
    # malleoli are the ankle's outer and inner bony bumps, of the fibula and the tibia).
    "outer ankle bone": ("lateral malleolus",),
    "outside ankle bone": ("lateral malleolus",),
    "outside of the ankle bone": ("lateral malleolus",),
    "inner ankle bone": ("medial malleolus",),
    "inside ankle bone": ("medial malleolus",),
    "inside of the ankle bone": ("medial malleolus",),
    # Everyday bone names -> the Index's sites (Fracture, traumatic, tibia; clavicle; coccyx;
    # sternum; mandible; zygoma; orbit; vertebra).
    "shinbone": ("tibia",),
    "tail bone": ("coccyx",),
    "breast bone": ("sternum",),
    "jaw bone": ("mandible",),
    "cheek bone": ("zygomatic",),
    "back bone": ("vertebra",),
    "eye socket": ("orbit",),
    # Shin splints S86.89- (the Index's own term, kept whole)
    "shin splints": ("shin splints",),
}

# The Neoplasm Table's benign column (readings.neoplasm_readings reads the Table).
LAY_NEOPLASM: dict[str, tuple[str, ...]] = {
    "not cancer": ("benign",),
    "not cancerous": ("benign",),
    "noncancerous": ("benign",),
    "non-cancerous": ("benign",),
    "not malignant": ("benign",),
}

# How people say a pregnancy, a delivery or a newborn: the Index's words (Pregnancy;
# Puerperal, puerperium / postpartum; Newborn; Preterm; Lactation), which also lift the
# chapter 15 and 16 demotion (ranking.PREGNANCY_CUES and PERINATAL_CUES read the query's
# words and these readings).
LAY_MATERNITY: dict[str, tuple[str, ...]] = {
    "after giving birth": ("postpartum",),
    "since giving birth": ("postpartum",),
    "after delivery": ("postpartum",),
    "after having my baby": ("postpartum",),
    "after having a baby": ("postpartum",),
    "after the baby": ("postpartum",),
    "after childbirth": ("postpartum",),
    "gave birth": ("postpartum",),
    "breastfeeding": ("lactation",),
    "breast feeding": ("lactation",),
    "breast-feeding": ("lactation",),
    # Breech presentation (mother) O32.1 (7th character 0 for a single gestation)
    "breech": ("breech presentation",),
    # Pregnancy, complicated by, premature rupture of membranes O42.90
    "water broke early": ("premature rupture of membranes",),
    "waters broke early": ("premature rupture of membranes",),
    "water broke": ("rupture of membranes",),
    "waters broke": ("rupture of membranes",),
    "preemie": ("preterm newborn",),
    "premature baby": ("preterm newborn",),
    "newborn baby": ("newborn",),
}


# Social needs and encounter reasons in everyday words -> the Index's words (FY2025):
# Insecurity, transportation Z59.82 (Tabular: lack of transportation); Insecurity, food
# Z59.41; Insecurity, financial Z59.86- (Tabular: money problems, unable to make ends meet);
# Homelessness Z59.00, unsheltered Z59.02 (Tabular: residing in cars, parks, on the street);
# Problem, living alone Z60.2; Removal, suture / staples Z48.02; Change, dressing
# (nonsurgical) Z48.00; Issue of, repeat prescription Z76.0.
LAY_SOCIAL: dict[str, tuple[str, ...]] = {
    "no ride": ("transportation insecurity",),
    "no rides": ("transportation insecurity",),
    "no transportation": ("transportation insecurity",),
    "no transport": ("transportation insecurity",),
    "lack of transportation": ("transportation insecurity",),
    "without transportation": ("transportation insecurity",),
    "no way to get to": ("transportation insecurity",),
    "can't get to appointments": ("transportation insecurity",),
    "not enough food": ("food insecurity",),
    "not enough to eat": ("food insecurity",),
    "can't afford food": ("food insecurity",),
    "cannot afford food": ("food insecurity",),
    "going hungry": ("food insecurity",),
    "food insecure": ("food insecurity",),
    "can't afford": ("financial insecurity",),
    "cant afford": ("financial insecurity",),
    "cannot afford": ("financial insecurity",),
    "unable to afford": ("financial insecurity",),
    "money problems": ("financial insecurity",),
    "lives alone": ("problems related to living alone",),
    "living alone": ("problems related to living alone",),
    "live alone": ("problems related to living alone",),
    "no place to live": ("homelessness",),
    "nowhere to live": ("homelessness",),
    "living in my car": ("unsheltered homelessness",),
    "living in her car": ("unsheltered homelessness",),
    "living in his car": ("unsheltered homelessness",),
    "lives in her car": ("unsheltered homelessness",),
    "lives in his car": ("unsheltered homelessness",),
    "sleeping in my car": ("unsheltered homelessness",),
    "living on the street": ("unsheltered homelessness",),
    "living on the streets": ("unsheltered homelessness",),
    "stitches out": ("removal suture",),
    "stitches removed": ("removal suture",),
    "remove stitches": ("removal suture",),
    "stitch removal": ("removal suture",),
    "stitches removal": ("removal suture",),
    "suture removal": ("removal suture",),
    "sutures out": ("removal suture",),
    "staples out": ("removal staples",),
    "staples removed": ("removal staples",),
    "staple removal": ("removal staples",),
    "dressing change": ("change dressing",),
    "change dressing": ("change dressing",),
    "bandage change": ("change dressing",),
    "change bandage": ("change dressing",),
    # A refill said of a contraceptive is Contraception, maintenance (Issue of, repeat
    # prescription, contraception: see Contraception; Z30.41 for pills): only a refill
    # said of a medication, a medicine or a prescription is Z76.0.
    **{
        phrase: ("issue repeat prescription",)
        for phrase in (
            "medication refill",
            "medication refills",
            "medications refill",
            "med refill",
            "meds refill",
            "medicine refill",
            "prescription refill",
            "prescription refills",
            "refill prescription",
            "refill my prescription",
            "refill my prescriptions",
            "refill my medication",
            "refill my medications",
            "refill my meds",
            "refill my medicine",
            "refill of medication",
            "refill of medications",
            "refill of my medication",
            "refill of my medications",
        )
    },
}


def clinical_words() -> dict[str, tuple[str, ...]]:
    """Every pair above (later lists win on a clash)."""
    return {
        **LAY_MATERNITY,
        **LAY_INJURY,
        **LAY_SOCIAL,
        **LAY_NEOPLASM,
        **LAY_MENTAL,
        **LAY_SYMPTOMS,
        **SPECIALTY_ABBREVIATIONS,
    }
