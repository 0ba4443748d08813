"""Where a CPT code sits: our own plain-language names for the code ranges.

CPT descriptors are AMA text and are never shipped, but a code's number is a fact, and so is
the range it falls in. These names are medcode's own words for what each range covers (not
the CPT book's headings), so a page, a list or a search result can say something useful about
a code whose descriptor is not loaded: "27130 · Surgery: pelvis and hip joint".

Each range is (first, last, section, area); the first matching range wins, so narrower
ranges come before the wider ones they sit in. A code outside every range gets the section
only (or nothing for a shape CPT does not use).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class CptRange:
    first: str
    last: str
    section: str  # Surgery, Radiology, ...
    area: str  # "Pelvis and hip joint"; "" when only the section is known

    @property
    def label(self) -> str:
        """'Surgery: pelvis and hip joint', or the section alone."""
        if not self.area:
            return self.section
        return f"{self.section}: {self.area[0].lower()}{self.area[1:]}"

    @property
    def span(self) -> str:
        return f"{self.first}–{self.last}"


ANESTHESIA = "Anesthesia"
SURGERY = "Surgery"
RADIOLOGY = "Radiology"
LAB = "Pathology and laboratory"
MEDICINE = "Medicine"
EM = "Evaluation and management"

# (first, last, section, area): medcode's words. Narrow ranges first.
RANGES: tuple[tuple[str, str, str, str], ...] = (
    # Anesthesia, by the part of the body operated on
    ("00100", "00222", ANESTHESIA, "For procedures on the head"),
    ("00300", "00352", ANESTHESIA, "For procedures on the neck"),
    ("00400", "00474", ANESTHESIA, "For procedures on the chest wall and shoulder girdle"),
    ("00500", "00580", ANESTHESIA, "For procedures inside the chest"),
    ("00600", "00670", ANESTHESIA, "For procedures on the spine and spinal cord"),
    ("00700", "00797", ANESTHESIA, "For procedures on the upper abdomen"),
    ("00800", "00882", ANESTHESIA, "For procedures on the lower abdomen"),
    ("00902", "00952", ANESTHESIA, "For procedures on the perineum"),
    ("01112", "01173", ANESTHESIA, "For procedures on the pelvis (except the hip)"),
    ("01200", "01274", ANESTHESIA, "For procedures on the upper leg (except the knee)"),
    ("01320", "01444", ANESTHESIA, "For procedures on the knee and popliteal area"),
    ("01462", "01522", ANESTHESIA, "For procedures on the lower leg, ankle and foot"),
    ("01610", "01682", ANESTHESIA, "For procedures on the shoulder and axilla"),
    ("01710", "01782", ANESTHESIA, "For procedures on the upper arm and elbow"),
    ("01810", "01860", ANESTHESIA, "For procedures on the forearm, wrist and hand"),
    ("01916", "01936", ANESTHESIA, "For radiological procedures"),
    ("01951", "01953", ANESTHESIA, "For burn excisions or debridement"),
    ("01958", "01969", ANESTHESIA, "For obstetric procedures"),
    ("01990", "01999", ANESTHESIA, "Other anesthesia procedures"),
    ("00100", "01999", ANESTHESIA, ""),
    # Surgery: integumentary system
    ("10004", "10021", SURGERY, "Fine needle aspiration biopsy"),
    ("10030", "10030", SURGERY, "Skin and soft tissue: drainage and incision"),
    ("10040", "10180", SURGERY, "Skin and soft tissue: drainage and incision"),
    ("11000", "11047", SURGERY, "Debridement of skin and deeper tissue"),
    ("11055", "11057", SURGERY, "Paring or cutting of skin lesions (corns, calluses)"),
    ("11102", "11107", SURGERY, "Skin biopsy"),
    ("11200", "11201", SURGERY, "Removal of skin tags"),
    ("11300", "11313", SURGERY, "Shaving of skin lesions"),
    ("11400", "11471", SURGERY, "Excision of benign skin lesions"),
    ("11600", "11646", SURGERY, "Excision of malignant skin lesions"),
    ("11719", "11765", SURGERY, "Nail procedures"),
    ("11770", "11772", SURGERY, "Pilonidal cyst"),
    ("11900", "11983", SURGERY, "Skin injections, tissue expanders and implants"),
    ("12001", "12021", SURGERY, "Simple wound repair"),
    ("12031", "12057", SURGERY, "Intermediate (layered) wound repair"),
    ("13100", "13160", SURGERY, "Complex wound repair"),
    ("14000", "14350", SURGERY, "Adjacent tissue transfer or rearrangement"),
    ("15002", "15278", SURGERY, "Skin grafts and skin substitutes"),
    ("15570", "15777", SURGERY, "Flaps and other grafts"),
    ("15780", "15879", SURGERY, "Plastic and reconstructive skin procedures"),
    ("15920", "15999", SURGERY, "Pressure ulcer excision"),
    ("16000", "16036", SURGERY, "Burn care"),
    ("17000", "17286", SURGERY, "Destruction of skin lesions"),
    ("17311", "17315", SURGERY, "Mohs micrographic surgery"),
    ("19000", "19499", SURGERY, "Breast"),
    ("10004", "19499", SURGERY, "Skin and subcutaneous tissue"),
    # Surgery: musculoskeletal system
    ("20100", "20999", SURGERY, "Musculoskeletal: wounds, biopsies, injections and grafts"),
    ("21010", "21499", SURGERY, "Head and face bones"),
    ("21501", "21899", SURGERY, "Neck and chest wall"),
    ("22010", "22899", SURGERY, "Spine"),
    ("22900", "22999", SURGERY, "Abdominal wall (soft tissue)"),
    ("23000", "23929", SURGERY, "Shoulder"),
    ("23930", "24999", SURGERY, "Upper arm and elbow"),
    ("25000", "25999", SURGERY, "Forearm and wrist"),
    ("26010", "26989", SURGERY, "Hand and fingers"),
    ("26990", "27299", SURGERY, "Pelvis and hip joint"),
    ("27301", "27599", SURGERY, "Thigh and knee joint"),
    ("27600", "27899", SURGERY, "Lower leg and ankle"),
    ("28001", "28899", SURGERY, "Foot and toes"),
    ("29000", "29799", SURGERY, "Casts and strapping"),
    ("29800", "29999", SURGERY, "Arthroscopy"),
    # Surgery: respiratory system
    ("30000", "30999", SURGERY, "Nose"),
    ("31000", "31299", SURGERY, "Sinuses"),
    ("31300", "31599", SURGERY, "Larynx"),
    ("31600", "31899", SURGERY, "Trachea and bronchi"),
    ("32035", "32999", SURGERY, "Lungs and pleura"),
    # Surgery: cardiovascular system
    ("33016", "33999", SURGERY, "Heart and pericardium"),
    ("34001", "37799", SURGERY, "Arteries and veins"),
    ("38100", "38999", SURGERY, "Spleen, bone marrow and lymph nodes"),
    ("39000", "39599", SURGERY, "Mediastinum and diaphragm"),
    # Surgery: digestive system
    ("40490", "40899", SURGERY, "Lips and mouth"),
    ("41000", "41599", SURGERY, "Tongue and floor of mouth"),
    ("41800", "41899", SURGERY, "Gums and tooth sockets"),
    ("42000", "42299", SURGERY, "Palate and uvula"),
    ("42300", "42699", SURGERY, "Salivary glands"),
    ("42700", "42999", SURGERY, "Pharynx, adenoids and tonsils"),
    ("43180", "43278", SURGERY, "Esophagus and upper GI endoscopy"),
    ("43020", "43499", SURGERY, "Esophagus"),
    ("43500", "43999", SURGERY, "Stomach"),
    ("44005", "44799", SURGERY, "Intestines (except the rectum)"),
    ("44900", "44979", SURGERY, "Appendix"),
    ("45300", "45398", SURGERY, "Rectum and colon endoscopy"),
    ("45000", "45999", SURGERY, "Rectum"),
    ("46020", "46999", SURGERY, "Anus"),
    ("47000", "47999", SURGERY, "Liver and biliary tract"),
    ("48000", "48999", SURGERY, "Pancreas"),
    ("49000", "49999", SURGERY, "Abdomen, peritoneum and omentum (including hernia repair)"),
    # Surgery: urinary and genital systems
    ("50010", "50593", SURGERY, "Kidney"),
    ("50600", "50980", SURGERY, "Ureter"),
    ("51020", "51999", SURGERY, "Bladder"),
    ("52000", "52700", SURGERY, "Cystoscopy and urethral or prostate endoscopy"),
    ("53000", "53899", SURGERY, "Urethra"),
    ("54000", "54450", SURGERY, "Penis"),
    ("54500", "55180", SURGERY, "Testis, epididymis and scrotum"),
    ("55200", "55680", SURGERY, "Vas deferens, spermatic cord and seminal vesicles"),
    ("55700", "55899", SURGERY, "Prostate"),
    ("55920", "55980", SURGERY, "Reproductive system (other)"),
    ("56405", "56821", SURGERY, "Vulva, perineum and introitus"),
    ("57000", "57426", SURGERY, "Vagina"),
    ("57452", "57800", SURGERY, "Cervix"),
    ("58100", "58579", SURGERY, "Uterus"),
    ("58600", "58999", SURGERY, "Fallopian tubes and ovaries"),
    ("59000", "59899", SURGERY, "Maternity care and delivery"),
    ("60000", "60699", SURGERY, "Endocrine glands (thyroid, parathyroid, adrenal)"),
    # Surgery: nervous system
    ("61000", "62258", SURGERY, "Skull, meninges and brain"),
    ("62263", "62327", SURGERY, "Spinal injections, drainage and epidurals"),
    ("62350", "62370", SURGERY, "Spinal catheters and drug pumps"),
    ("63650", "63688", SURGERY, "Spinal neurostimulators"),
    ("62263", "63746", SURGERY, "Spine and spinal cord"),
    ("64400", "64530", SURGERY, "Nerve blocks"),
    ("64553", "64595", SURGERY, "Peripheral and cranial nerve neurostimulators"),
    ("64400", "64999", SURGERY, "Peripheral and autonomic nerves"),
    # Surgery: eye and ear
    ("65091", "65290", SURGERY, "Eyeball"),
    ("65400", "66999", SURGERY, "Front of the eye (cornea, iris, lens)"),
    ("67005", "67299", SURGERY, "Back of the eye (vitreous, retina)"),
    ("67311", "67399", SURGERY, "Eye muscles"),
    ("67400", "67599", SURGERY, "Orbit"),
    ("67700", "67999", SURGERY, "Eyelids"),
    ("68020", "68899", SURGERY, "Conjunctiva and tear ducts"),
    ("69000", "69399", SURGERY, "External ear"),
    ("69420", "69799", SURGERY, "Middle ear"),
    ("69801", "69979", SURGERY, "Inner ear and temporal bone"),
    ("69990", "69990", SURGERY, "Operating microscope"),
    ("10004", "69990", SURGERY, ""),
    # Radiology
    ("70010", "70559", RADIOLOGY, "Imaging of the head and neck"),
    ("71045", "71555", RADIOLOGY, "Imaging of the chest"),
    ("72020", "72295", RADIOLOGY, "Imaging of the spine and pelvis"),
    ("73000", "73225", RADIOLOGY, "Imaging of the arm"),
    ("73501", "73725", RADIOLOGY, "Imaging of the leg"),
    ("74018", "74485", RADIOLOGY, "Imaging of the abdomen and digestive and urinary tracts"),
    ("74710", "74775", RADIOLOGY, "Gynecological and obstetrical imaging"),
    ("75557", "75989", RADIOLOGY, "Imaging of the heart and blood vessels"),
    ("76000", "76499", RADIOLOGY, "Fluoroscopy and other imaging"),
    ("76506", "76999", RADIOLOGY, "Diagnostic ultrasound"),
    ("77001", "77022", RADIOLOGY, "Imaging guidance"),
    ("77046", "77067", RADIOLOGY, "Breast imaging"),
    ("77071", "77092", RADIOLOGY, "Bone and joint studies"),
    ("77261", "77799", RADIOLOGY, "Radiation oncology"),
    ("78012", "79999", RADIOLOGY, "Nuclear medicine"),
    ("70010", "79999", RADIOLOGY, ""),
    # Pathology and laboratory
    ("80047", "80081", LAB, "Organ and disease panels"),
    ("80143", "80377", LAB, "Drug levels and drug testing"),
    ("80400", "80439", LAB, "Stimulation and suppression tests"),
    ("81000", "81099", LAB, "Urinalysis"),
    ("81105", "81479", LAB, "Molecular pathology"),
    ("81490", "81599", LAB, "Multianalyte assays"),
    ("82009", "84999", LAB, "Chemistry"),
    ("85002", "85999", LAB, "Hematology and coagulation"),
    ("86000", "86849", LAB, "Immunology"),
    ("86850", "86999", LAB, "Transfusion medicine"),
    ("87003", "87999", LAB, "Microbiology"),
    ("88000", "88099", LAB, "Autopsy"),
    ("88104", "88199", LAB, "Cytopathology"),
    ("88230", "88299", LAB, "Cytogenetics"),
    ("88300", "88399", LAB, "Surgical pathology"),
    ("89250", "89398", LAB, "Reproductive medicine laboratory"),
    ("80047", "89398", LAB, ""),
    # Evaluation and management
    ("99202", "99205", EM, "Office or outpatient visit, new patient"),
    ("99211", "99215", EM, "Office or outpatient visit, established patient"),
    ("99221", "99239", EM, "Hospital inpatient or observation care"),
    ("99242", "99255", EM, "Consultations"),
    ("99281", "99288", EM, "Emergency department services"),
    ("99291", "99292", EM, "Critical care"),
    ("99304", "99316", EM, "Nursing facility care"),
    ("99341", "99350", EM, "Home or residence visits"),
    ("99381", "99397", EM, "Preventive medicine visits"),
    ("99401", "99412", EM, "Preventive counseling and risk reduction"),
    ("99429", "99429", EM, "Preventive counseling and risk reduction"),
    ("99460", "99465", EM, "Newborn care"),
    ("99466", "99480", EM, "Neonatal and pediatric critical and intensive care"),
    ("99485", "99486", EM, "Neonatal and pediatric critical and intensive care"),
    ("99495", "99496", EM, "Transitional care management"),
    ("99497", "99498", EM, "Advance care planning"),
    ("99202", "99499", EM, ""),
    # Medicine
    ("90281", "90399", MEDICINE, "Immune globulins"),
    ("90460", "90474", MEDICINE, "Vaccine and toxoid administration"),
    ("90476", "90759", MEDICINE, "Vaccines and toxoids"),
    ("90785", "90899", MEDICINE, "Psychiatry and psychotherapy"),
    ("90901", "90913", MEDICINE, "Biofeedback"),
    ("90935", "90999", MEDICINE, "Dialysis"),
    ("91010", "91299", MEDICINE, "Gastroenterology tests"),
    ("92002", "92499", MEDICINE, "Ophthalmology services"),
    ("92502", "92700", MEDICINE, "Ear, nose and throat services, speech and hearing tests"),
    ("92920", "93799", MEDICINE, "Cardiovascular services"),
    ("93880", "93998", MEDICINE, "Noninvasive vascular studies"),
    ("94002", "94799", MEDICINE, "Pulmonary services"),
    ("95004", "95199", MEDICINE, "Allergy testing and immunotherapy"),
    ("95700", "96020", MEDICINE, "Neurology and neuromuscular tests"),
    ("96105", "96146", MEDICINE, "Neuropsychological and developmental testing"),
    ("96156", "96171", MEDICINE, "Health behavior assessment and intervention"),
    ("96360", "96549", MEDICINE, "Hydration, injections, infusions and chemotherapy"),
    ("96900", "96999", MEDICINE, "Special dermatological procedures"),
    ("97151", "97158", MEDICINE, "Adaptive behavior services"),
    ("97010", "97799", MEDICINE, "Physical medicine and rehabilitation"),
    ("97802", "97804", MEDICINE, "Medical nutrition therapy"),
    ("97810", "97814", MEDICINE, "Acupuncture"),
    ("98925", "98929", MEDICINE, "Osteopathic manipulative treatment"),
    ("98940", "98943", MEDICINE, "Chiropractic manipulative treatment"),
    ("99100", "99140", MEDICINE, "Anesthesia qualifying circumstances"),
    ("99151", "99157", MEDICINE, "Moderate sedation"),
    ("99500", "99602", MEDICINE, "Home health procedures"),
    ("99605", "99607", MEDICINE, "Medication therapy management"),
    ("90281", "99199", MEDICINE, ""),
    ("99500", "99607", MEDICINE, ""),
)

# Codes with four digits and a letter: the letter names the category.
LETTER_CATEGORIES = {
    "F": "Category II: performance measurement",
    "T": "Category III: emerging technology",
    "U": "Proprietary laboratory analyses",
    "M": "Multianalyte assays with algorithmic analyses",
}


@cache
def _ranges() -> tuple[CptRange, ...]:
    return tuple(CptRange(*r) for r in RANGES)


def range_of(code: str) -> CptRange | None:
    """The narrowest named range holding this CPT code (5 digits, or 4 digits and a letter)."""
    code = code.strip().upper()
    if len(code) != 5:
        return None
    if not code.isdigit():
        if code[:4].isdigit() and code[4] in LETTER_CATEGORIES:
            return CptRange(f"0001{code[4]}", f"9999{code[4]}", LETTER_CATEGORIES[code[4]], "")
        return None
    return next((r for r in _ranges() if r.first <= code <= r.last), None)


def label(code: str) -> str:
    """'Surgery: pelvis and hip joint' for 27130; '' when the code is not CPT-shaped."""
    found = range_of(code)
    return found.label if found else ""


# Words a coder types for a range that its name does not contain (our own index words).
EXTRA_WORDS: dict[str, tuple[str, ...]] = {
    "26990": ("hip", "pelvis", "pelvic", "femoral", "acetabulum", "acetabular"),
    "27301": ("knee", "femur", "patella", "thigh"),
    "27600": ("ankle", "tibia", "fibula", "leg"),
    "28001": ("foot", "toe", "bunion"),
    "29800": ("arthroscopy", "arthroscopic", "scope"),
    "45300": ("colonoscopy", "sigmoidoscopy", "proctosigmoidoscopy", "colon", "scope"),
    "43180": ("egd", "esophagogastroduodenoscopy", "endoscopy", "ercp"),
    "52000": ("cystoscopy", "cystourethroscopy", "turp"),
    "63650": ("spinal", "cord", "stimulator", "neurostimulator", "scs"),
    "22010": ("spinal", "fusion", "vertebra", "vertebral", "laminectomy", "disc"),
    "62263": ("spinal", "epidural", "lumbar", "laminectomy"),
    "65400": ("cataract", "cornea", "glaucoma", "lens"),
    "49000": ("hernia", "peritoneum", "abdominal"),
    "47000": ("gallbladder", "cholecystectomy", "liver", "bile"),
    "19000": ("breast", "mastectomy", "lumpectomy"),
    "33016": ("heart", "cardiac", "pacemaker", "valve", "bypass", "defibrillator"),
    "92920": ("cardiac", "heart", "ecg", "ekg", "echocardiography", "catheterization"),
    "77046": ("mammogram", "mammography"),
    "76506": ("ultrasound", "sonography", "echography"),
    "99202": ("office", "visit", "new"),
    "99211": ("office", "visit", "established"),
    "99221": ("hospital", "inpatient", "observation", "admission"),
    "99281": ("emergency", "ed", "er"),
    "97010": ("physical", "therapy", "rehabilitation", "pt"),
    "90476": ("vaccine", "vaccination", "immunization"),
    "90785": ("psychotherapy", "psychiatric", "therapy"),
    "96360": ("infusion", "injection", "chemotherapy", "hydration"),
    "85002": ("blood", "count", "cbc", "coagulation"),
    "80047": ("panel", "metabolic"),
}
STOP_WORDS = frozenset(
    (
        *("a", "an", "and", "the", "of", "on", "or", "for", "in", "to", "with", "by"),
        *("other", "except", "including", "procedures", "procedure", "surgery", "imaging"),
        *("services", "service"),
    )
)


def _words(text: str) -> set[str]:
    out = set()
    for word in "".join(c.lower() if c.isalnum() else " " for c in text).split():
        if word in STOP_WORDS or (len(word) < 3 and word not in {"ed", "er", "pt"}):
            continue
        out.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return out


def matching(query: str, *, limit: int = 5) -> list[CptRange]:
    """Named ranges whose name (or our index words) share a word with the query, best first.

    With no licensed descriptors CPT codes cannot be found by their words; the ranges can.
    """
    asked = _words(query)
    if not asked:
        return []
    scored: list[tuple[int, int, CptRange]] = []
    for position, found in enumerate(_ranges()):
        if not found.area:
            continue
        named = found.area.split("(except")[0]  # "(except the hip)" is not about the hip
        words = _words(named) | _words(" ".join(EXTRA_WORDS.get(found.first, ())))
        hits = len(asked & words)
        if hits:
            scored.append((-hits, position, found))
    scored.sort(key=lambda item: item[:2])
    if scored and scored[0][0] <= -2:  # one shared word is noise beside two
        scored = [item for item in scored if item[0] <= -2]
    return [found for _, _, found in scored[:limit]]


def find(first: str, last: str) -> CptRange | None:
    """The named range exactly from `first` to `last` (for the browse page of a range)."""
    return next((r for r in _ranges() if r.first == first and r.last == last and r.area), None)
