"""Brand names of drugs billed with HCPCS Level II codes (J, Q and C codes: injected,
infused, implanted, or given with dialysis; A codes: contrast agents) -> the established
(generic) name as the HCPCS long descriptor spells it. Written for medcode.

Each brand-generic pair is the one on the drug's FDA label (DailyMed); the comment names the
code whose January 2026 descriptor (HCPC2026_JAN_ANWEB) carries the generic words. Brands
that the descriptor itself names ("Histrelin implant (vantas)", "(zarxio)") are found by the
word search and need no line. Terminated codes are not named.

laywords.BRAND_NAMES takes these in: a brand in a query makes it a drug query
(ranking.query_kind) and its HCPCS codes join the ranking (facade.brand_drug_hits).
"""

from __future__ import annotations

# Bone (osteoporosis, bone metastases).
BONE: dict[str, tuple[str, ...]] = {
    "forteo": ("teriparatide",),  # J3110 Injection, teriparatide, 10 mcg
    "bonsity": ("teriparatide",),  # J3110
    "boniva": ("ibandronate sodium", "ibandronate"),  # J1740 Injection, ibandronate sodium
    "aredia": ("pamidronate disodium", "pamidronate"),  # J2430 Injection, pamidronate disodium
    "miacalcin": ("calcitonin salmon",),  # J0630 Injection, calcitonin salmon
}

# Cancer: antibody-drug conjugates, antibodies, chemotherapy and their supportive drugs.
CANCER: dict[str, tuple[str, ...]] = {
    "kadcyla": ("ado-trastuzumab emtansine", "emtansine"),  # J9354
    "enhertu": ("fam-trastuzumab deruxtecan-nxki", "fam-trastuzumab"),  # J9358
    "adcetris": ("brentuximab vedotin", "brentuximab"),  # J9042
    "padcev": ("enfortumab vedotin-ejfv", "enfortumab"),  # J9177
    "polivy": ("polatuzumab vedotin-piiq", "polatuzumab"),  # J9309
    "trodelvy": ("sacituzumab govitecan-hziy", "sacituzumab"),  # J9317
    "tivdak": ("tisotumab vedotin-tftv", "tisotumab"),  # J9273
    "zynlonta": ("loncastuximab tesirine-lpyl", "loncastuximab"),  # J9359
    "besponsa": ("inotuzumab ozogamicin", "inotuzumab"),  # J9229
    "mylotarg": ("gemtuzumab ozogamicin", "gemtuzumab"),  # J9203
    "elahere": ("mirvetuximab soravtansine-gynx", "mirvetuximab"),  # J9063
    "datroway": ("datopotamab deruxtecan-dlnk", "datopotamab"),  # J9011
    "yervoy": ("ipilimumab",),  # J9228
    "bavencio": ("avelumab",),  # J9023
    "libtayo": ("cemiplimab-rwlc",),  # J9119
    "jemperli": ("dostarlimab-gxly",),  # J9272
    "opdualag": ("nivolumab relatlimab-rmbw", "relatlimab-rmbw"),  # J9298
    "imjudo": ("tremelimumab-actl",),  # J9347
    "erbitux": ("cetuximab",),  # J9055
    "vectibix": ("panitumumab",),  # J9303
    "perjeta": ("pertuzumab",),  # J9306
    "phesgo": ("pertuzumab trastuzumab hyaluronidase-zzxf", "hyaluronidase-zzxf"),  # J9316
    "darzalex": ("daratumumab",),  # J9145
    "darzalex faspro": ("daratumumab hyaluronidase-fihj", "hyaluronidase-fihj"),  # J9144
    "sarclisa": ("isatuximab-irfc",),  # J9227
    "empliciti": ("elotuzumab",),  # J9176
    "kyprolis": ("carfilzomib",),  # J9047
    "velcade": ("bortezomib",),  # J9041
    "blincyto": ("blinatumomab",),  # J9039
    "gazyva": ("obinutuzumab",),  # J9301
    "arzerra": ("ofatumumab",),  # J9302
    "cyramza": ("ramucirumab",),  # J9308
    "rybrevant": ("amivantamab-vmjw",),  # J9061
    "monjuvi": ("tafasitamab-cxix",),  # J9349
    "poteligeo": ("mogamulizumab-kpkc",),  # J9204
    "kimmtrak": ("tebentafusp-tebn",),  # J9274
    "tecvayli": ("teclistamab-cqyv",),  # J9380
    "elrexfio": ("elranatamab-bcmm",),  # J1323
    "talvey": ("talquetamab-tgvs",),  # J3055
    "epkinly": ("epcoritamab-bysp",),  # J9321
    "columvi": ("glofitamab-gxbm",),  # J9286
    "lunsumio": ("mosunetuzumab-axgb",),  # J9350
    "imdelltra": ("tarlatamab-dlle",),  # J9026
    "imlygic": ("talimogene laherparepvec",),  # J9325
    "alimta": ("pemetrexed not otherwise specified",),  # J9305 (pemetrexed disodium)
    "abraxane": ("paclitaxel protein-bound particles",),  # J9264
    "jevtana": ("cabazitaxel",),  # J9043
    "halaven": ("eribulin mesylate", "eribulin"),  # J9179
    "ixempra": ("ixabepilone",),  # J9207
    "eloxatin": ("oxaliplatin",),  # J9263
    "paraplatin": ("carboplatin",),  # J9045
    "platinol": ("cisplatin",),  # J9060
    "camptosar": ("irinotecan",),  # J9206
    "onivyde": ("irinotecan liposome",),  # J9205
    "hycamtin": ("topotecan",),  # J9351, J8705 (oral)
    "navelbine": ("vinorelbine tartrate", "vinorelbine"),  # J9390
    "oncovin": ("vincristine sulfate", "vincristine"),  # J9370
    "cytoxan": ("cyclophosphamide",),  # J9075
    "ifex": ("ifosfamide",),  # J9208
    "mesnex": ("mesna",),  # J9209
    "treanda": ("bendamustine hydrochloride", "bendamustine"),  # J9033
    "vidaza": ("azacitidine",),  # J9025
    "dacogen": ("decitabine",),  # J0894
    "faslodex": ("fulvestrant",),  # J9395
    "trisenox": ("arsenic trioxide",),  # J9017
    "zepzelca": ("lurbinectedin",),  # J9223
    "oncaspar": ("pegaspargase",),  # J9266
    "fusilev": ("levoleucovorin",),  # J0641
    "elitek": ("rasburicase",),  # J2783
    "zinecard": ("dexrazoxane hydrochloride", "dexrazoxane"),  # J1190
    "totect": ("dexrazoxane hydrochloride", "dexrazoxane"),  # J1190
    "leukine": ("sargramostim",),  # J2820
    "nplate": ("romiplostim",),  # J2802
    "emend": ("fosaprepitant", "aprepitant"),  # J1453 (IV), J8501 (oral)
    "cinvanti": ("aprepitant",),  # J0185
    "akynzeo": ("fosnetupitant", "netupitant"),  # J1454, J8655
    "anzemet": ("dolasetron mesylate", "dolasetron"),  # J1260
    "kytril": ("granisetron hydrochloride", "granisetron"),  # J1626
    "sustol": ("granisetron extended-release", "granisetron"),  # J1627
    "mircera": ("epoetin beta",),  # J0887, J0888
}

# Hormone treatment of prostate cancer and central puberty (implants and depot injections).
HORMONE: dict[str, tuple[str, ...]] = {
    "zoladex": ("goserelin acetate implant", "goserelin"),  # J9202 Goserelin acetate implant
    "eligard": ("leuprolide acetate depot suspension", "leuprolide acetate"),  # J9217
    "lupron depot": ("leuprolide acetate depot suspension", "leuprolide acetate"),  # J9217, J1950
    "viadur": ("leuprolide acetate implant",),  # J9219 Leuprolide acetate implant, 65 mg
    "trelstar": ("triptorelin pamoate", "triptorelin"),  # J3315
    "triptodur": ("triptorelin extended-release", "triptorelin"),  # J3316
    "firmagon": ("degarelix",),  # J9155
    "testopel": ("testosterone pellet",),  # J1073 Testosterone pellet, implant, 75 mg
    "depo-testosterone": ("testosterone cypionate",),  # J1071
    "depo testosterone": ("testosterone cypionate",),  # J1071
    "delatestryl": ("testosterone enanthate",),  # J3121
    "xyosted": ("testosterone enanthate",),  # J3121
    "aveed": ("testosterone undecanoate",),  # J3145
    "delestrogen": ("estradiol valerate",),  # J1380
    "premarin": ("estrogen conjugated",),  # J1410 Injection, estrogen conjugated
    "pitocin": ("oxytocin",),  # J2590
    "methergine": ("methylergonovine maleate", "methylergonovine"),  # J2210
    "hemabate": ("carboprost tromethamine", "carboprost"),  # J0675
    "ddavp": ("desmopressin acetate", "desmopressin"),  # J2597
    "sandostatin": ("octreotide non-depot", "octreotide"),  # J2354
    "sandostatin lar": ("octreotide depot",),  # J2353
    "somatuline": ("lanreotide",),  # J1930
}

# Psychiatric, sedative, antihistamine and anticholinergic injections.
PSYCH: dict[str, tuple[str, ...]] = {
    "vistaril": ("hydroxyzine hcl", "hydroxyzine"),  # J3410 Injection, hydroxyzine hcl
    "atarax": ("hydroxyzine hcl", "hydroxyzine"),  # J3410
    "cogentin": ("benztropine mesylate", "benztropine"),  # J0515
    "haldol decanoate": ("haloperidol decanoate",),  # J1631
    "prolixin": ("fluphenazine",),  # J2679 fluphenazine hcl, J2680 fluphenazine decanoate
    "thorazine": ("chlorpromazine hcl", "chlorpromazine"),  # J3230
    "compazine": ("prochlorperazine",),  # J0780
    "invega trinza": ("paliperidone palmitate extended release trinza",),  # J2427
    "invega hafyera": ("paliperidone palmitate extended release hafyera",),  # J2427
    "aristada": ("aripiprazole lauroxil",),  # J1944
    "zyprexa relprevv": ("olanzapine long-acting",),  # J2358
    "zulresso": ("brexanolone",),  # J1632
    "spravato": ("esketamine",),  # J0013 Esketamine, nasal spray
    "librium": ("chlordiazepoxide hcl", "chlordiazepoxide"),  # J1990
    "tigan": ("trimethobenzamide hcl", "trimethobenzamide"),  # J3250
    "inapsine": ("droperidol",),  # J1790
    "robinul": ("glycopyrrolate",),  # J1596
    "dramamine": ("dimenhydrinate",),  # J1240
    "bentyl": ("dicyclomine hcl", "dicyclomine"),  # J0500
    "levsin": ("hyoscyamine sulfate", "hyoscyamine"),  # J1980
    "norflex": ("orphenadrine citrate", "orphenadrine"),  # J2360
    "robaxin": ("methocarbamol",),  # J2800
}

# Iron, anemia and kidney-dialysis drugs.
IRON_AND_KIDNEY: dict[str, tuple[str, ...]] = {
    "monoferric": ("ferric derisomaltose",),  # J1437
    "ferrlecit": ("sodium ferric gluconate complex",),  # J2916
    "retacrit": ("epoetin alfa-epbx",),  # Q5105, Q5106 (the descriptor names retacrit too)
    "zemplar": ("paricalcitol",),  # J2501
    "hectorol": ("doxercalciferol",),  # J1270
    "calcijex": ("calcitriol",),  # J0636
    "parsabiv": ("etelcalcetide",),  # J0606
    "sensipar": ("cinacalcet",),  # J0604 Cinacalcet, oral (for esrd on dialysis)
    "fosrenol": ("lanthanum carbonate",),  # J0607
    "velphoro": ("sucroferric oxyhydroxide",),  # J0605
    "auryxia": ("ferric citrate",),  # J0609
    "korsuva": ("difelikefalin",),  # J0879
}

# Antibiotics, antifungals and antivirals.
ANTI_INFECTIVE: dict[str, tuple[str, ...]] = {
    "vancocin": ("vancomycin hydrochloride", "vancomycin"),  # J3373
    "merrem": ("meropenem",),  # J2185
    "invanz": ("ertapenem sodium", "ertapenem"),  # J1335
    "maxipime": ("cefepime hydrochloride", "cefepime"),  # J0692
    "fortaz": ("ceftazidime",),  # J0713
    "tazicef": ("ceftazidime",),  # J0713
    "claforan": ("cefotaxime sodium", "cefotaxime"),  # J0698
    "zinacef": ("cefuroxime sodium", "cefuroxime"),  # J0697
    "mefoxin": ("cefoxitin sodium", "cefoxitin"),  # J0694
    "teflaro": ("ceftaroline fosamil", "ceftaroline"),  # J0712
    "avycaz": ("ceftazidime and avibactam",),  # J0714
    "zerbaxa": ("ceftolozane",),  # J0695
    "azactam": ("aztreonam",),  # J0457
    "primaxin": ("imipenem cilastatin", "imipenem"),  # J0743
    "cleocin": ("clindamycin phosphate", "clindamycin"),  # J0736
    "bactrim": ("sulfamethoxazole", "trimethoprim"),  # J2865
    "septra": ("sulfamethoxazole", "trimethoprim"),  # J2865
    "flagyl": ("metronidazole",),  # J1836
    "avelox": ("moxifloxacin",),  # J2280
    "zyvox": ("linezolid",),  # J2020
    "cubicin": ("daptomycin",),  # J0878
    "tygacil": ("tigecycline",),  # J3243
    "dalvance": ("dalbavancin",),  # J0875
    "vibativ": ("telavancin",),  # J3095
    "bicillin c-r": ("penicillin g benzathine and penicillin g procaine",),  # J0558
    "pfizerpen": ("penicillin g potassium",),  # J2540
    "cancidas": ("caspofungin acetate", "caspofungin"),  # J0637
    "mycamine": ("micafungin sodium", "micafungin"),  # J2248
    "eraxis": ("anidulafungin",),  # J0348
    "vfend": ("voriconazole",),  # J3465
    "ambisome": ("amphotericin b liposome",),  # J0289
    "abelcet": ("amphotericin b lipid complex",),  # J0287
    "cresemba": ("isavuconazonium",),  # J1833
    "noxafil": ("posaconazole",),  # J1837
    "zovirax": ("acyclovir",),  # J0133
    "cytovene": ("ganciclovir sodium", "ganciclovir"),  # J1570
    "foscavir": ("foscarnet sodium", "foscarnet"),  # J1455
    "veklury": ("remdesivir",),  # J0248
    "rapivab": ("peramivir",),  # J2547
    "cabenuva": ("cabotegravir and rilpivirine",),  # J0741
    "apretude": ("cabotegravir pre-exposure prophylaxis",),  # J0739 (hiv pre-exposure prophylaxis)
    "trogarzo": ("ibalizumab-uiyk",),  # J1746
    "zinplava": ("bezlotoxumab",),  # J0565
}

# Heart, blood and clotting.
HEART_AND_BLOOD: dict[str, tuple[str, ...]] = {
    "fragmin": ("dalteparin sodium", "dalteparin"),  # J1645
    "arixtra": ("fondaparinux sodium", "fondaparinux"),  # J1652
    "angiomax": ("bivalirudin",),  # J0583
    "activase": ("alteplase recombinant", "alteplase"),  # J2997
    "cathflo": ("alteplase recombinant", "alteplase"),  # J2997
    "tnkase": ("tenecteplase",),  # J3101
    "retavase": ("reteplase",),  # J2993
    "integrilin": ("eptifibatide",),  # J1327
    "aggrastat": ("tirofiban hcl", "tirofiban"),  # J3246
    "cardizem": ("diltiazem hydrochloride", "diltiazem"),  # J1163
    "adenocard": ("adenosine",),  # J0153
    "cordarone": ("amiodarone hydrochloride", "amiodarone"),  # J0282
    "digifab": ("digoxin immune fab",),  # J1162
    "bumex": ("bumetanide",),  # J1939
    "apresoline": ("hydralazine hcl", "hydralazine"),  # J0360
    "cardene": ("nicardipine",),  # J2404
    "cleviprex": ("clevidipine butyrate", "clevidipine"),  # J0759
    "brevibloc": ("esmolol hydrochloride", "esmolol"),  # J1805
    "natrecor": ("nesiritide",),  # J2325
    "primacor": ("milrinone lactate", "milrinone"),  # J2260
    "lexiscan": ("regadenoson",),  # J2785
    "leqvio": ("inclisiran",),  # J1306
    "evkeeza": ("evinacumab-dgnb",),  # J1305
    "remodulin": ("treprostinil",),  # J3285
    "flolan": ("epoprostenol",),  # J1325
    "veletri": ("epoprostenol",),  # J1325
    "cyklokapron": ("tranexamic acid",),  # J3290
    "amicar": ("aminocaproic acid",),  # J0281
    "aquamephyton": ("phytonadione",),  # J3430 Injection, phytonadione (vitamin k)
    "soliris": ("eculizumab",),  # J1299
    "ultomiris": ("ravulizumab-cwvz",),  # J1303
    "adakveo": ("crizanlizumab-tmca",),  # J0791
    "reblozyl": ("luspatercept-aamt",),  # J0896
    "hemlibra": ("emicizumab-kxwh",),  # J7170
}

# Immunology, neurology and other biologics given in a clinic.
BIOLOGIC: dict[str, tuple[str, ...]] = {
    "cimzia": ("certolizumab pegol", "certolizumab"),  # J0717
    "enbrel": ("etanercept",),  # J1438
    "ilaris": ("canakinumab",),  # J0638
    "nucala": ("mepolizumab",),  # J2182
    "fasenra": ("benralizumab",),  # J0517
    "cinqair": ("reslizumab",),  # J2786
    "tezspire": ("tezepelumab-ekko",),  # J2356
    "saphnelo": ("anifrolumab-fnia",),  # J0491
    "skyrizi": ("risankizumab-rzaa",),  # J2327
    "tremfya": ("guselkumab",),  # J1628
    "ilumya": ("tildrakizumab",),  # J3245
    "cosentyx": ("secukinumab",),  # J3247
    "omvoh": ("mirikizumab-mrkz",),  # J2267
    "krystexxa": ("pegloticase",),  # J2507
    "lemtrada": ("alemtuzumab",),  # J0202
    "copaxone": ("glatiramer acetate", "glatiramer"),  # J1595
    "avonex": ("interferon beta-1a",),  # J1826, Q3027 (1 mcg for intramuscular use)
    "rebif": ("interferon beta-1a subcutaneous",),  # Q3028 (1 mcg for subcutaneous use)
    "betaseron": ("interferon beta-1b",),  # J1830
    "extavia": ("interferon beta-1b",),  # J1830
    "briumvi": ("ublituximab-xiiy",),  # J2329
    "ocrevus zunovo": ("ocrelizumab hyaluronidase-ocsq",),  # J2351
    "leqembi": ("lecanemab-irmb",),  # J0174
    "kisunla": ("donanemab-azbt",),  # J0175
    "vyepti": ("eptinezumab-jjmr",),  # J3032
    "ajovy": ("fremanezumab-vfrm",),  # J3031
    "tepezza": ("teprotumumab-trbw",),  # J3241
    "vyvgart": ("efgartigimod alfa-fcab", "efgartigimod"),  # J9332
    "vyvgart hytrulo": ("efgartigimod alfa hyaluronidase-qvfc", "hyaluronidase-qvfc"),  # J9334
    "uplizna": ("inebilizumab-cdon",),  # J1823
    "spinraza": ("nusinersen",),  # J2326
    "zolgensma": ("onasemnogene abeparvovec-xioi", "onasemnogene"),  # J3399
    "radicava": ("edaravone",),  # J1301
    "crysvita": ("burosumab-twza",),  # J0584
    "cerezyme": ("imiglucerase",),  # J1786
    "fabrazyme": ("agalsidase beta",),  # J0180
    "prolastin": ("alpha 1 proteinase inhibitor",),  # J0256
    "zemaira": ("alpha 1 proteinase inhibitor",),  # J0256
    "aralast": ("alpha 1 proteinase inhibitor",),  # J0256
    "dysport": ("abobotulinumtoxina",),  # J0586
    "xeomin": ("incobotulinumtoxin a",),  # J0588
    "myobloc": ("rimabotulinumtoxinb",),  # J0587
    "daxxify": ("daxibotulinumtoxina-lanm",),  # J0589
    "probuphine": ("buprenorphine implant",),  # J0570
    "beovu": ("brolucizumab-dbll",),  # J0179
    "vabysmo": ("faricimab-svoa",),  # J2777
    "syfovre": ("pegcetacoplan",),  # J2781
    "izervay": ("avacincaptad pegol",),  # J2782
    "ozurdex": ("dexamethasone intravitreal implant",),  # J7312
    "visudyne": ("verteporfin",),  # J3396
    "eylea hd": ("aflibercept hd",),  # J0177
}

# Pain, anesthesia, steroids, stomach and other everyday hospital injections.
EVERYDAY_INJECTIONS: dict[str, tuple[str, ...]] = {
    "sublimaze": ("fentanyl citrate",),  # J3010
    "nubain": ("nalbuphine hydrochloride", "nalbuphine"),  # J2300
    "stadol": ("butorphanol tartrate", "butorphanol"),  # J0595
    "talwin": ("pentazocine",),  # J3070
    "ofirmev": ("acetaminophen",),  # J0131
    "caldolor": ("ibuprofen",),  # J1741 Injection, ibuprofen, 100 mg
    "exparel": ("bupivacaine liposome",),  # J0666
    "naropin": ("ropivacaine hydrochloride", "ropivacaine"),  # J2795
    "diprivan": ("propofol",),  # J2704
    "anectine": ("succinylcholine chloride", "succinylcholine"),  # J0330
    "celestone": ("betamethasone acetate", "betamethasone"),  # J0702
    "zilretta": ("triamcinolone acetonide extended-release",),  # J3304
    "pepcid": ("famotidine",),  # J1308
    "protonix": ("pantoprazole sodium", "pantoprazole"),  # J2470
    "nexium": ("esomeprazole sodium", "esomeprazole"),  # J1370
    "relistor": ("methylnaltrexone",),  # J2212
    "dhe": ("dihydroergotamine mesylate", "dihydroergotamine"),  # J1110
    "glucagen": ("glucagon hydrochloride",),  # J1610
    "acthar": ("corticotropin",),  # J0801 Injection, corticotropin (acthar gel)
}

# Rare-disease infusions given in clinics: enzyme replacement, RNA and antisense drugs,
# hereditary angioedema and complement drugs.
RARE_DISEASE: dict[str, tuple[str, ...]] = {
    "nexviazyme": ("avalglucosidase alfa-ngpt",),  # J0219
    "pombiliti": ("cipaglucosidase alfa-atga",),  # J1203
    "naglazyme": ("galsulfase",),  # J1458
    "vimizim": ("elosulfase alfa",),  # J1322
    "aldurazyme": ("laronidase",),  # J1931
    "elaprase": ("idursulfase",),  # J1743
    "elelyso": ("taliglucerase alfa",),  # J3060
    "vpriv": ("velaglucerase alfa",),  # J3385
    "mepsevii": ("vestronidase alfa-vjbk",),  # J3397
    "brineura": ("cerliponase alfa",),  # J0567
    "kanuma": ("sebelipase alfa",),  # J2840
    "xenpozyme": ("olipudase alfa-rpcp",),  # J0218
    "lamzede": ("velmanase alfa-tycv",),  # J0217
    "onpattro": ("patisiran",),  # J0222
    "amvuttra": ("vutrisiran",),  # J0225
    "givlaari": ("givosiran",),  # J0223
    "oxlumo": ("lumasiran",),  # J0224
    "exondys": ("eteplirsen",),  # J1428
    "vyondys": ("golodirsen",),  # J1429
    "viltepso": ("viltolarsen",),  # J1427
    "amondys": ("casimersen",),  # J1426
    "qalsody": ("tofersen",),  # J1304
    "kalbitor": ("ecallantide",),  # J1290
    "firazyr": ("icatibant",),  # J1744
    "takhzyro": ("lanadelumab-flyo",),  # J0593
    "enjaymo": ("sutimlimab-jome",),  # J1302
    "piasky": ("crovalimab-akkz",),  # J1307
    "rystiggo": ("rozanolixizumab-noli",),  # J9333
    "tzield": ("teplizumab-mzwv",),  # J9381
    "xiaflex": ("collagenase clostridium histolyticum",),  # J0775
}

# More cancer and supportive-care drugs.
CANCER_MORE: dict[str, tuple[str, ...]] = {
    "zynyz": ("retifanlimab-dlwr",),  # J9345
    "loqtorzi": ("toripalimab-tpzi",),  # J3263
    "tevimbra": ("tislelizumab-jsgr",),  # J9329
    "vyloy": ("zolbetuximab-clzb",),  # J1326
    "elzonris": ("tagraxofusp-erzs",),  # J9269
    "danyelza": ("naxitamab-gqgk",),  # J9348
    "cosela": ("trilaciclib",),  # J1448
    "rolvedon": ("eflapegrastim-xnst",),  # J1449
    "mozobil": ("plerixafor",),  # J2562
    "kepivance": ("palifermin",),  # J2425
}

# Contrast agents for MRI and ultrasound (A and Q codes name the agent, not the brand).
CONTRAST: dict[str, tuple[str, ...]] = {
    "gadavist": ("gadobutrol",),  # A9585 Injection, gadobutrol, 0.1 ml
    "dotarem": ("gadoterate meglumine",),  # A9575 Injection, gadoterate meglumine, 0.1 ml
    "clariscan": ("gadoterate meglumine",),  # A9575
    "eovist": ("gadoxetate disodium",),  # A9581 Injection, gadoxetate disodium, 1 ml
    "elucirem": ("gadopiclenol",),  # A9573 Injection, gadopiclenol, 1 ml
    "vueway": ("gadopiclenol",),  # A9573
    "lumason": ("sulfur hexafluoride lipid microspheres",),  # Q9950
    "definity": ("perflutren lipid microspheres",),  # Q9957
}

HCPCS_BRANDS: dict[str, tuple[str, ...]] = {
    **BONE,
    **CANCER,
    **HORMONE,
    **PSYCH,
    **IRON_AND_KIDNEY,
    **ANTI_INFECTIVE,
    **HEART_AND_BLOOD,
    **BIOLOGIC,
    **EVERYDAY_INJECTIONS,
    **RARE_DISEASE,
    **CANCER_MORE,
    **CONTRAST,
}
