"""Word lists the criteria rules match against: analytes, scales, conditions, states.

Kept apart from the rules so a newcomer can add a synonym without reading a regex
engine. Every entry is a regex fragment (case-insensitive unless noted) matched on
word boundaries; the first element is the stable variable name used in constraints.
"""

from __future__ import annotations

# Lab and vital variables: name -> synonyms. Abbreviations that are also common words
# are matched case-sensitively (see CASE_SENSITIVE).
VARIABLES: dict[str, list[str]] = {
    "neutrophils": [
        r"absolute neutrophils? counts?", r"neutrophils?(?: granulocytes?)?(?: counts?)?(?: absolute(?: value| counts?)?)?",
        r"neutrophil absolute (?:value|counts?)", r"absolute granulocyte counts?", r"granulocytes?(?: counts?)?",
        r"ANC", r"AGC", r"neutrophile?s?",
    ],
    # "Trombocytes <40 × 109/L" (LCT NCT03864744): the spelling of Dutch and Scandinavian records
    "platelets": [r"platelets?(?: counts?)?", r"th?rombocytes?(?: counts?)?", r"PLTs?", r"PLAT"],
    "hemoglobin": [r"ha?emoglobin(?: concentration| levels?)?", r"Hg?b", r"HB", r"HGB"],
    "wbc": [r"white blood cells?(?: counts?)?", r"WBC(?: counts?)?", r"leukocytes?(?: counts?)?", r"leucocytes?(?: counts?)?"],
    "lymphocytes": [r"(?:absolute )?lymphocytes?(?: counts?)?", r"ALC"],
    "creatinine_clearance": [
        r"(?:estimated |calculated |measured |endogenous )?creatinine clearances?", r"Cr ?Cl", r"CCr", r"CLcr",
        r"clearance of creatinine",
        # "Cr clearance ≥ 60 ml/min" (NCT03277924), "Cr clearance ≥ 50 mL/min" (NCT02691871)
        r"Cr\.? clearances?",
    ],
    "egfr": [r"e?GFR", r"(?:estimated )?glomerular filtration rates?"],
    "creatinine": [r"(?:serum |plasma |blood )?creatinine(?! clearance)(?: levels?)?", r"S?Cr(?! ?Cl)(?!\.? clearance)", r"SCr"],
    # lab shorthand "Total bili ≤ 1.5 mg/dL", "T. bili ≤ 1.5 x ULN" (no vendored record uses it); never "biliary"
    "bilirubin": [r"(?:total |serum |blood |T\. ?)?bili(?:rubin)?(?: levels?)?", r"T\.? ?BIL", r"TBIL", r"BIL", r"TB"],
    "ast": [
        r"aspartate (?:amino ?)?transferase", r"aspartate aminotransaminase", r"AST", r"SGOT",
        r"aspartate transaminase", r"glutamic[- ]oxaloacetic transaminase",
        # "glutamine oxaloacetic transaminase (GOT) > 5" (NCT04346355), "serum glutamic
        # oxaloacetic transaminase [ sgot ]" (Clinical-Trial-Parser test split); GOT/GPT as
        # European records abbreviate them
        r"(?:serum )?glutam(?:ic|ate|ine)[- ]oxal(?:o)?acetic transaminase", r"GOT", r"ASAT",
    ],
    "alt": [
        r"alanine (?:amino ?)?transferase", r"alanine transaminase", r"ALT", r"SGPT",
        r"glutamic[- ]pyruvic transaminase", r"glutamic aminotransferase",
        # "glutamate-pyruvate transaminase (GPT)" (NCT04346355), "serum glutamate pyruvate
        # transaminase [ sgpt ]" (Clinical-Trial-Parser test split)
        r"(?:serum )?glutam(?:ic|ate)[- ]pyruv(?:ic|ate) transaminase", r"GPT", r"ALAT",
    ],
    "alp": [r"alkaline phosphatase", r"ALP", r"AKP"],
    "albumin": [r"(?:serum )?albumin", r"ALB"],
    "inr": [r"INR", r"international normali[sz]ed ratio", r"international standardi[sz]ed ratio"],
    "aptt": [r"a?PTT", r"(?:activated )?partial(?:ly activated)? thromboplastin time", r"partially activated \w+ time"],
    "pt": [r"PT", r"prothrombin time"],
    "lvef": [r"LVEF", r"(?:left ventricular )?ejection fraction", r"EF"],
    "qtc": [
        r"QTc[FB]?(?: intervals?)?", r"corrected QT(?: intervals?)?(?: \(QTc[FB]?\))?", r"QT ?c(?:orrected)?",
        r"Fridericia[- ]corrected QT(?: intervals?)?", r"QT intervals?",
    ],
    # "blood pressure of > 140/90" (LCT NCT03865433), "resting blood pressure >170/110" (LCT NCT03860350):
    # a pair gives a systolic and a diastolic limit (criteria/rules/numeric.py)
    "blood_pressure": [r"(?:resting |arterial |office |seated |sitting )?blood pressures?(?: readings?)?", r"BP"],
    "blood_pressure_systolic": [r"systolic(?: blood)?(?: pressures?)?", r"SBP"],
    "blood_pressure_diastolic": [r"diastolic(?: blood)?(?: pressures?)?", r"DBP"],
    "glucose": [r"(?:fasting )?(?:blood |plasma |serum )?glucose", r"FBG", r"FPG", r"blood sugar"],
    "hba1c": [r"HbA1c", r"h(?:a)?emoglobin A1c", r"glycated h(?:a)?emoglobin", r"A1c"],
    "potassium": [r"potassium", r"K\+"],
    "magnesium": [r"magnesium", r"Mg(?:2\+|\+\+)?"],
    # the correction is part of the name: "Calcium (corrected for albumin) < 3 mmol/L",
    # "serum calcium corrected for albumin ≤ 12 mg/dL", "albumin-corrected calcium"
    "calcium": [r"(?:(?:albumin[- ])?corrected )?(?:serum )?calcium(?:,? \(?(?:albumin[- ])?corrected(?: for (?:serum )?albumin)?\)?)?",
                r"Ca"],
    "sodium": [r"sodium", r"Na"],
    "urine_protein": [
        # "Urine protein:creatinine ratio < 1", "urine protein/creatinine ratio (UPCR) ≤ 1 g/g",
        # "urine protein-to-creatinine ratio", "protein to creatinine ratio < 0.5" (a ratio is one name)
        r"(?:(?:spot |random )?urin(?:e|ary) )?protein ?(?:[-:/]|to|-to-) ?creatinine ratio(?: \(UPCR?\))?",
        r"(?:24[- ]hours? )?urin(?:e|ary) proteins?(?: quantitation| quantification| levels?)?",
        r"proteinuria", r"UPCR", r"UPC(?: ratio)?",
    ],
    "psa": [r"PSA", r"prostate[- ]specific antigen"],
    "bmi": [r"BMI", r"body mass index"],
    # "Weigh less than 250 pounds" (LCT NCT03924622), "who weigh less than 110 pounds" (LCT NCT03861078)
    # a newborn's weight at birth is no current body weight: "birth weight less than 1.5 kg",
    # "birth weight ≥ 1000 grams" (Clinical-Trial-Parser test split, neonatal trials)
    "birth_weight": [r"birth[- ]?weights?"],
    "weight": [r"(?:body )?weight", r"weigh(?:s|ing)?"],
    "ldh": [r"LDH", r"lactate dehydrogenase"],
    "tsh": [r"TSH", r"thyroid[- ]stimulating hormone"],
    "testosterone": [r"(?:serum )?testosterone(?: levels?)?"],
    "cd4": [r"CD4\+?(?: T[- ]cells?)?(?: counts?)?"],
    # "forced expiratory volume in one second (FEV1) and diffusion capacity of carbon monoxide
    # (DLCO)>60%" (LCT NCT03925103); "FEV1 ... ≥ 1.5 L" in thoracic surgery trials
    "fev1": [r"FEV1", r"forced expiratory volume in (?:one|1|the first) seconds?(?: \(FEV1\))?"],
    "dlco": [r"DLCO", r"diffusi(?:on|ng) capacity (?:of|for) (?:the lungs? for )?carbon monoxide(?: \(DLCO\))?"],
    "oxygen_saturation": [r"(?:oxygen|O2) saturation", r"SpO2", r"SaO2"],
    "heart_rate": [r"heart rate", r"pulse(?: rate)?"],
    "amylase": [r"amylase"],
    "lipase": [r"lipase"],
    "bun": [r"BUN", r"blood urea nitrogen", r"urea"],
    "uric_acid": [r"uric acid"],
    "direct_bilirubin": [r"(?:direct|conjugated) (?:serum )?bilirubin", r"DBIL"],
    "hematocrit": [r"ha?ematocrit", r"Hct", r"HCT"],
    "eosinophils": [r"(?:absolute )?eosinophils?(?: counts?)?"],
    "blasts": [r"(?:peripheral |circulating |bone marrow |marrow |blood )?(?:myelo)?blasts?(?: cells?)?(?: counts?)?"],
    "fibrinogen": [r"(?:plasma |serum )?fibrinogen"],
    "d_dimer": [r"D[- ]dimers?"],
    "ggt": [r"GGT", r"gamma[- ]glutamyl ?transferase", r"γ-?GT"],
    "phosphate": [r"(?:serum )?(?:phosphate|phosphorus)"],
    "ferritin": [r"(?:serum )?ferritin"],
    "triglycerides": [r"(?:serum |fasting )?triglycerides?", r"TG"],
    "cholesterol": [r"(?:total |serum )?cholesterol"],
    "ldl_cholesterol": [r"LDL(?:-C)?(?: cholesterol)?", r"low[- ]density lipoprotein(?: cholesterol)?"],
    "troponin": [r"(?:cardiac |high[- ]sensitivity )?troponin(?: [IT])?", r"cTn[IT]", r"hs-?cTn[IT]?"],
    "bnp": [r"BNP", r"brain natriuretic peptide"],
    "nt_probnp": [r"NT-?pro-?BNP", r"N-terminal pro-?(?:B-type|brain) natriuretic peptide"],
    "afp": [r"AFP", r"alpha[- ]?feto ?protein", r"α-fetoprotein"],
    "cea": [r"CEA", r"carcino-?embryonic antigen"],
    "ca125": [r"CA[- ]?125", r"cancer antigen 125"],
    "ca19_9": [r"CA[- ]?19[- .]?9", r"carbohydrate antigen 19-9"],
    "fsh": [r"FSH", r"follicle[- ]stimulating hormone"],
    "estradiol": [r"(?:serum )?estradiol", r"E2"],
    "fvc": [r"FVC", r"forced vital capacity"],
    "respiratory_rate": [r"respiratory rate", r"respiration rate", r"breathing rate"],
    "body_temperature": [r"(?:body |axillary |oral )?temperature", r"fever"],
    "weight_loss": [r"(?:body )?weight loss", r"loss of (?:body )?weight"],
    "liver_stiffness": [r"liver stiffness(?: measurement)?", r"LSM"],
    # scores and scales (no unit): values written after the name count as "="
    "gleason_score": [r"Gleason(?: (?:score|sum|grade))?"],
    "ipss": [r"IPSS", r"International Prostate Symptom Score"],
    # "ASA physiological status I-III" (LCT NCT03921567), "ASA status 1,2" (LCT NCT03868917),
    # "ASA classification I or II",
    # "(ASA)class III-IV" (LCT NCT03863977), "american society of anesthesiologists ( asa )
    # physical status classification 1 or 2" (Clinical-Trial-Parser test split, spaced brackets)
    "asa_class": [r"ASA(?: ?(?:class(?:ification)?|score|grade|(?:physical|physiological) status(?: class(?:ification)?)?|status))?",
                  r"\(ASA\) ?(?:class|score|grade|physical status)",
                  # the society's name as spelled: "American Society of Anaesthesiologists
                  # physical status I or II" (LCT NCT03926000), "American Society of
                  # Anesthesia (ASA) score<=2" (LCT NCT03925103)
                  r"American Society of Ana?esthe(?:siologists?|sia)(?: ?\( ?ASA ?\))?(?: physical status)?(?: class(?:ification)?| score)?"],
    # "CDR 0.5 or 1", "Clinical Dementia Rating (CDR) global score of 0.5 or 1" (dementia trials)
    "cdr": [r"CDR(?: (?:global )?(?:score|scale))?", r"Clinical Dementia Rating(?: \(CDR\))?(?: (?:global )?(?:score|scale))?"],
    "mmse": [r"MMSE", r"Mini[- ]Mental(?: State)?(?: (?:Test|Exam(?:ination)?))?(?: Score)?"],
    "framingham_risk_score": [r"Framingham(?: (?:cardiovascular |CVD )?risk)?(?: score)?"],
    # "visual analogue pain scale > 5" (LCT NCT03929952), "pain numeric rating score ≥ 5" (LCT NCT03928015)
    "pain_score": [r"pain (?:intensity |severity )?(?:numeric (?:rating )?(?:scale|score)|NRS|VAS|scores?|ratings?)",
                   r"NRS", r"numeric(?:al)? (?:pain )?rating scale", r"visual analog(?:ue)? (?:pain )?scale", r"VAS"],
    # "gestational age 37-42 weeks" (LCT NCT03925922), "gestational age between 24 and 36 weeks"
    # (LCT NCT03865901), "35 to 42 weeks gestational age" (LCT NCT03863444)
    # weeks "of amenorrhea" count a pregnancy from the last period, as French records write
    # gestational age: "All birth more than 24 + 0 weeks of amenorrhea" (LCT NCT03866863), "All
    # birth more than 37 weeks of amenorrhea" (LCT NCT03866876); months of amenorrhea stay none
    "gestational_age": [r"gestational age", r"gestation(?:al)?(?: period)?", r"GA",
                        r"(?<=weeks of )amenorrh?o?ea", r"(?<=weeks' )amenorrh?o?ea"],
    "iief_5": [r"IIEF-?5", r"International Index of Erectile Function(?:-5)?"],
    # tobacco use as a count: "smokers of less than 10 cigarettes a day" (LCT NCT03863249),
    # "patients smoked more than 10 cigarettes in a day" (NCT03923218), "Smokers (Less than
    # 20 cigars/day)" (NCT03927937); "smoking history >15 pack years", "<15 pack year history"
    # ">/= 5 cigs/day for last 6 months" (LCT NCT03863509)
    "cigarettes_per_day": [r"cigarettes?(?:\s*(?:per|a|/)\s*day)?", r"cigars?(?:\s*(?:per|a|/)\s*day)?",
                           r"cigs?(?:\s*(?:per|a|/)\s*day)?", r"smokers?", r"smoked"],
    "pack_years": [r"pack[- ]?years?"],
    # Clinical scores and measures of neurology, psychiatry, intensive care, hepatology,
    # obstetrics and cardiopulmonary trials, named by their expansion or acronym so that a
    # threshold has one name however it is written: "a GCS < 9" (LCT NCT03863015), "pre-stroke
    # modified Rankin Scale score ≥1" (LCT NCT03923439), "MELD-Na ≥15" and "Child-Pugh C
    # score" (LCT NCT03863730), "Bishop score of 5 or less" (LCT NCT03925922), "IOP > 21 mmHg"
    # (LCT NCT03926026), "IOP > 20mm in either eye" (LCT NCT03926975), "Trombocytes <40 ×
    # 109/L" (LCT NCT03864744).
    "apgar": [r"(?:\d+[- ]min(?:ute)? )?Apgar(?: scores?)?(?: at \d+ min(?:utes?)?)?"],
    "gcs": [r"Glasgow Coma (?:Scale|Score)(?: \(GCS\))?(?: scores?)?", r"GCS(?: scores?)?"],
    "mrs": [r"(?:pre-?(?:stroke|morbid) )?(?:modified )?Rankin(?: Scale)?(?: \(mRS\))?(?: scores?)?",
            r"(?:pre-?(?:stroke|morbid) )?mRS(?: scores?)?"],
    "nihss": [r"(?:National Institutes? of Health|NIH) Stroke Scale(?: \(NIHSS\))?(?: scores?)?", r"NIHSS(?: scores?)?"],
    "edss": [r"Expanded Disability Status Scale(?: \(EDSS\))?(?: scores?)?", r"EDSS(?: scores?)?"],
    # Gross Motor Function Classification System levels of cerebral-palsy trials: "GMFCS
    # levels I-III" (LCT NCT03863197), "Gross Motor Function Classification System Level 4
    # or 5" (LCT NCT03862625), "gross motor function classification score ( gmfcs ) of 1 - 3"
    # (Clinical-Trial-Parser test split)
    "gmfcs": [r"Gross Motor Function Classification (?:System|Scale|Score)(?: \(GMFCS\))?(?: (?:levels?|scores?))?",
              r"GMFCS(?: (?:levels?|scores?))?"],
    "moca": [r"Montreal Cognitive Assessment(?: \(MoCA\))?(?: scores?)?", r"MoCA(?: scores?)?"],
    "hamd": [r"Hamilton (?:Rating Scale for Depression|Depression Rating Scale|Depression Scale)"
             r"(?: \((?:HAM-?D|HDRS|HRSD)(?:-?(?:17|21|24))?\))?(?: total)?(?: scores?)?",
             r"(?:HAM-?D|HDRS|HRSD)(?:-?(?:17|21|24))?(?: total)?(?: scores?)?"],
    "madrs": [r"Montgomery[- ](?:and |& )?[AÅ]sberg Depression Rating Scale(?: \(MADRS\))?(?: total)?(?: scores?)?",
              r"MADRS(?: total)?(?: scores?)?"],
    "phq9": [r"Patient Health Questionnaire[- ]?9(?: \(PHQ-?9\))?(?: scores?)?",
             r"Patient Health Questionnaire \(PHQ-?9\)(?: scores?)?", r"PHQ-?9(?: scores?)?"],
    "gad7": [r"Generali[sz]ed Anxiety Disorder[- ]?7(?: \(GAD-?7\))?(?: scores?)?", r"GAD-?7(?: scores?)?"],
    "bdi": [r"Beck Depression Inventory(?:[- ]?II)?(?: \(BDI(?:-?II)?\))?(?: total)?(?: scores?)?", r"BDI(?:-?II)?(?: scores?)?"],
    "child_pugh": [r"Child[- ]Pugh(?:[- ]Turcotte)?(?: (?:scores?|class(?:ification)?|grade))?"],
    "meld": [r"Model for End[- ]Stage Liver Disease(?: \(MELD\))?(?: scores?)?", r"MELD(?: scores?)?"],
    "meld_na": [r"MELD[- ]Na(?: scores?)?"],
    "sofa": [r"Sequential Organ Failure Assessment(?: \(SOFA\))?(?: scores?)?", r"SOFA(?: scores?)?"],
    "apache_ii": [r"Acute Physiology and Chronic Health Evaluation(?: II)?(?: \(APACHE[- ]?II\))?(?: scores?)?",
                  r"APACHE[- ]?(?:II|2)(?: scores?)?"],
    "bishop_score": [r"Bishop scores?"],
    "iop": [r"intra-?ocular pressures?(?: \(IOP\))?", r"IOP"],
    "cac_score": [r"coronary artery calcium(?: \(CAC\))?(?: scores?)?", r"(?:coronary )?calcium scores?",
                  r"Agatston(?: scores?)?", r"CAC(?: scores?)?"],
    "uacr": [r"(?:urine |urinary |spot )?albumin[- ](?:to[- ])?creatinine ratios?(?: \(U?ACR\))?", r"UACR"],
    "fev1_fvc": [r"FEV1\s*/\s*FVC(?: ratio)?", r"FEV1\s*:\s*FVC(?: ratio)?"],
    "crp": [r"(?:high[- ]sensitivity |hs-?)?C[- ]reactive protein(?: \((?:hs-?)?CRP\))?(?: levels?)?", r"(?:hs-?)?CRP"],
    "esr": [r"erythrocyte sedimentation rate(?: \(ESR\))?", r"ESR"],
    "procalcitonin": [r"procalcitonin(?: levels?)?"],
    "lactate": [r"(?:serum |blood |plasma |arterial )?lactate(?: levels?)?(?! dehydrogenase)", r"lactic acid"],
    "vitamin_d": [r"(?:serum )?(?:25[- ]?(?:\(OH\)|OH|hydroxy)[- ]?)?vitamin D[23]?(?: levels?)?",
                  r"25[- ]?\(OH\)[- ]?D[23]?", r"25[- ]?OH[- ]?D[23]?"],
    "vitamin_b12": [r"(?:serum )?vitamin B-?12(?: levels?)?", r"cobalamin"],
    "ahi": [r"apno?ea[- ]hypopno?ea index(?: \(AHI\))?", r"AHI"],
    "six_minute_walk": [r"(?:six|6)[- ]min(?:ute)?[- ]walk(?:ing)?(?: test)?(?: distance)?(?: \(6MW[DT]\))?", r"6MW[DT]"],
}

# Variables written as the noun they count, right after the value ("10 cigarettes a day",
# "15 pack years"): that noun names the variable even after another name on the left
# ("smokers of less than 10 cigarettes a day", "smoking history >15 pack years").
COUNTED_NOUNS = {"cigarettes_per_day", "pack_years"}

# Variables that are scores on a scale: "Gleason score 7", "ASA 5" state a value.
SCALES = {"gleason_score", "ipss", "asa_class", "mmse", "pain_score", "iief_5", "cdr",
          "apgar", "gcs", "mrs", "nihss", "edss", "child_pugh", "gmfcs"}

# Abbreviations matched case-sensitively (they collide with English words or units).
CASE_SENSITIVE = {
    "ANC", "AGC", "PLTs?", "PLAT", "Hg?b", "HB", "HGB", "ALC", "CCr", "CLcr", "S?Cr(?! ?Cl)(?!\\.? clearance)", "SCr",
    "T\\.? ?BIL", "TBIL", "BIL", "TB", "AST", "ALT", "ALP", "AKP", "ALB", "INR", "a?PTT", "PT", "EF",
    "SBP", "DBP", "BP", "FBG", "FPG", "K\\+", "Ca", "Na", "PSA", "BMI", "LDH", "TSH", "FEV1", "DLCO",
    "SpO2", "SaO2", "BUN", "LVEF", "Cr ?Cl", "e?GFR", "UPCR", "UPC(?: ratio)?", "A1c", "SGOT", "SGPT",
    "DBIL", "Hct", "HCT", "GOT", "GPT", "Mg(?:2\\+|\\+\\+)?", "GGT", "TG", "LDL(?:-C)?(?: cholesterol)?", "cTn[IT]", "hs-?cTn[IT]?", "BNP", "NT-?pro-?BNP",
    "AFP", "CEA", "CA[- ]?125", "CA[- ]?19[- .]?9", "FSH", "E2", "FVC", "LSM", "IPSS", "MMSE", "NRS", "VAS",
    "IIEF-?5", "ASA(?: ?(?:class(?:ification)?|score|grade|(?:physical|physiological) status(?: class(?:ification)?)?|status))?", "GA", "CDR(?: (?:global )?(?:score|scale))?",
    "GCS(?: scores?)?", "(?:pre-?(?:stroke|morbid) )?mRS(?: scores?)?", "NIHSS(?: scores?)?", "EDSS(?: scores?)?",
    "MoCA(?: scores?)?", "(?:HAM-?D|HDRS|HRSD)(?:-?(?:17|21|24))?(?: total)?(?: scores?)?", "MADRS(?: total)?(?: scores?)?",
    "BDI(?:-?II)?(?: scores?)?", "MELD(?: scores?)?", "MELD[- ]Na(?: scores?)?", "SOFA(?: scores?)?", "IOP",
    "CAC(?: scores?)?", "UACR", "FEV1\\s*/\\s*FVC(?: ratio)?", "FEV1\\s*:\\s*FVC(?: ratio)?", "(?:hs-?)?CRP", "ESR", "AHI",
    "6MW[DT]", "ASAT", "ALAT",
}

# Abbreviations of CASE_SENSITIVE that are no English word, unit or other abbreviation in
# lower case, so they are matched in any case: criteria written in lower case ("ast ( sgot
# ) <= 2.5 x institutional uln", "serum alt/ast", "anc >= 1500/mm3" in the Clinical-Trial-
# Parser lines) or in title case ("Ast/Alt <= 3 x ULN"). Left out: PT (patient), Ca (circa),
# Na (not applicable), Mg (a unit), TB (tuberculosis), EF, GA, E2, TG, VAS, S?Cr (CR is a
# complete response), ASA (aspirin), K+.
CASE_FOLDABLE = {
    "ANC", "AGC", "PLTs?", "Hg?b", "HGB", "CCr", "CLcr", "Cr ?Cl", "T\\.? ?BIL", "TBIL", "DBIL", "AST", "ALT", "SGOT",
    "SGPT", "ALP", "INR", "a?PTT", "LVEF", "e?GFR", "UPCR", "TSH", "LDH", "BMI", "BUN", "PSA", "DLCO", "FEV1", "FVC",
    "SpO2", "SaO2", "GGT", "Hct", "HCT", "BNP", "NT-?pro-?BNP", "AFP", "CEA", "CA[- ]?125", "CA[- ]?19[- .]?9",
    "FSH", "IPSS", "MMSE", "IIEF-?5", "cTn[IT]", "hs-?cTn[IT]?", "LDL(?:-C)?(?: cholesterol)?", "SBP", "DBP",
    "FBG", "FPG", "A1c", "BP",
}

# Variables measured at the bedside rather than in a lab (category "vital").
VITALS = {"blood_pressure_systolic", "blood_pressure_diastolic", "heart_rate", "weight", "bmi", "oxygen_saturation"}

# Conditions under which a threshold applies ("... with liver metastases").
CONDITIONS: list[tuple[str, str]] = [
    ("liver metastases", r"liver metastas[ie]s|hepatic metastas[ie]s|liver (?:involvement|mets)|hepatic involvement|metastatic (?:liver|hepatic) disease|tumou?r (?:involvement of|infiltration of|involving) the liver"),
    ("bone metastases", r"bone metastas[ie]s|bone involvement"),
    ("gilbert syndrome", r"gilbert'?s?(?: syndrome| disease)?"),
    ("amputee", r"amput\w*"),
    ("male", r"\bmen\b|\bmales?\b"),
    ("female", r"\bwomen\b|\bfemales?\b"),
    ("bone marrow involvement", r"(?:bone )?marrow (?:involvement|infiltration)"),
]

# Disease and comorbidity states: state key -> pattern. First match wins per span.
DISEASE_STATES: list[tuple[str, str]] = [
    ("measurable_disease", r"measurable (?:disease|lesions?|tumou?rs?)|(?:measurable|target) lesions?|RECIST|evaluable disease|measurable"),
    ("cns_metastases", r"(?:(?:brain|cns|central nervous system|cerebral|leptomeningeal|meningeal|intracranial)(?:\s*\((?:CNS|brain)\))?"
                       r"(?:\s*(?:and/or|or|and|/)\s*(?:brain|cns|central nervous system|cerebral|leptomeningeal|meningeal|spinal cord))?"
                       r"\s+(?:metastas[ie]s|metastatic disease|mets|lesions?|tumou?rs?|involvement|disease))|brain mets|spinal cord compression"),
    # a metastatic site the patient file has a flag for: "Liver metastases" under "No
    # distant metastases, including any of the following:" (NCT00103168), "lung and bone
    # metastases"
    ("liver_metastases", r"(?:liver|hepatic)\s+(?:metastas[ie]s|mets)\b|metastatic\s+(?:disease\s+)?(?:to|in)\s+the\s+liver"),
    ("bone_metastases", r"(?:bone|osseous|skeletal)\s+(?:metastas[ie]s|mets)\b"),
    ("lung_metastases", r"(?:lung|pulmonary)\s+(?:metastas[ie]s|mets)\b"),
    ("advanced_disease", r"advanced|metastatic|metastas[ie]s|unresectable|inoperable|recurrent|refractory|relapsed|locally advanced"),
    ("stage", r"\bstages?\s+(?:[0IV]{1,4}[ABCabc]?\d?|\d[ABCabc]?)\b|\bT[0-4x][a-d]?N[0-3x]|\bTNM\b"),
    ("newly_diagnosed", r"newly diagnosed|de novo|treatment[- ]na[iï]ve|untreated"),
    ("resectable", r"\bresectable|amenable to (?:\w+ )?(?:resection|surgery|excision)|suitable for (?:\w+ )?(?:resection|surgery)"),
]

# A cancer diagnosis named in a criterion ("patients with localized prostate cancer").
CANCER_TERMS = (
    r"carcinomas?|cancers?|tumou?rs?|neoplasms?|neoplasias?|sarcomas?|lymphomas?|leuka?emias?|melanomas?|gliomas?|"
    r"glioblastomas?|myelomas?|adenocarcinomas?|malignan\w*|blastomas?|mesotheliomas?|HNSCC|NSCLC|SCLC|DCIS|GIST|"
    r"myelodysplastic syndromes?|MDS|AML|ALL|CLL|CML|lesions?|nodules?|masses"
)

# Generic condition words: a named condition the graph can keep as text.
CONDITION_WORDS = (
    r"\b[a-z]+(?:itis|osis|pathy|emia|aemia|plegia|phasia|trophy|ectomy|algia)\b|"
    r"\b(?:disease|syndrome|disorder|dysfunction|insufficiency|failure|impairment|stricture|malnutrition|"
    r"deficiency|injury|obesity|incontinence|pain|contraindications?|polyposis|adhesions|stones?|"
    r"disabilit\w*|aphasia|dysphasia|hospitali[sz]ed|pregnan\w*|smok\w*|alcohol\w*|fibrosis|anemia|"
    r"implant\w*|pacemakers?|devices?|claustrophobia)\b"
)

# Consent, language and capacity to take part.
PARTICIPATION = (
    r"\b(?:English|German|French|Spanish|Chinese|Mandarin|Cantonese|Dutch|Italian|language|speak\w*|read and write|"
    r"literate|literacy|fluen\w*|cognitive|capable|capacity|comprehend|understand\w*|legal (?:protection|guardian\w*)|"
    r"guardianship|liberty|judicial|questionnaires?|surveys?|interviews?|internet|smartphone|telephone|follow[- ]up|"
    r"available for|accessible|registry|cohort|willing|volunteer\w*|participat\w*|enrol\w*|consent\w*|objects? to)\b"
)


# The circulations whose hypertension is no high blood pressure: "pulmonary artery
# hypertension (PAH)> 50 mmHg" (LCT NCT03926910), portal hypertension (hepatology trials),
# intracranial and ocular hypertension ("arterial hypertension" alone is the systemic one).
OTHER_CIRCULATIONS = ("pulmonary", "pulmonary arterial", "pulmonary artery", "portal", "intracranial",
                      "intra-cranial", "ocular", "intraocular", "intra-ocular", "venous")

# Routes that put a drug on or into one organ, not into the body: a glucocorticoid given
# so is no systemic exposure ("excluding nasal and inhaled corticosteroids", NCT04126811;
# "Inhaled or topical steroids ... are permitted", NCT03277924).
LOCAL_ROUTES = r"inhaled|inhalational|nasal|intranasal|topical|topically|ocular|ophthalmic|intra-?articular|local"


# A cancer word before the name of a treatment names the treatment, not a cancer: "a
# previous cancer treatment regimen" (NCT03599518), "prior cancer immunotherapy"
# (Clinical-Trial-Parser test split); see ``other_malignancy`` and the diagnosis rule
# (criteria/rules/disease.py).
TREATMENT_HEADS = r"treatments?|therap(?:y|ies)|regimens?|drugs?|agents?|medications?|chemotherapy|immunotherapy"
_CANCER_TREATMENT = rf"(?![\s-]+(?:{TREATMENT_HEADS})\b)"
COMORBIDITIES: list[tuple[str, str]] = [
    # a virus named with "infection" is that infection, not also an "active infection"
    ("hiv_infection", r"(?i:infect\w* with\s+)?(?:\bHIV\b|(?i:human immunodeficiency virus)|AIDS)(?:\s*\(HIV\))?(?i:[\s-]+(?:infection|positiv\w*|seropositiv\w*))?"),
    ("hepatitis_b", r"(?:infect\w* with\s+)?(?:hepatitis B|\bHBV\b|HBsAg)(?:\s+virus)?(?:\s*\((?:HBV|HBsAg)\))?(?:[\s-]+infection)?"),
    ("hepatitis_c", r"(?:infect\w* with\s+)?(?:hepatitis C|\bHCV\b)(?:\s+virus)?(?:\s*\(HCV\))?(?:[\s-]+infection)?"
                    # "hepatitis B or C": the C shares the B's noun
                    r"|(?:(?<=hepatitis B or )|(?<=hepatitis B and )|(?<=hepatitis B and/or )|(?<=hepatitis B/)|(?<=hepatitis B, ))C\b(?:[\s-]+infection)?"),
    # A cancer set apart from the one under study is another malignancy: "Previous or
    # current cancer that is distinct in primary site or histology from NSCLC"
    # (NCT00473486), "a cancer other than the one under study", "second primary"
    # (NCT00703638: "a second primary malignancy"). A cancer word naming a treatment
    # ("other anticancer drug(s) from a previous cancer treatment regimen", NCT03599518;
    # "history of cancer treatment within @NUMBER years", Clinical-Trial-Parser test
    # split) is no malignancy (``_CANCER_TREATMENT``).
    ("other_malignancy", r"(?:other|another|second|prior|previous|concurrent|additional|secondary) (?:primary )?(?:malignan\w*|cancers?|tumou?rs?)" + _CANCER_TREATMENT
     + r"|malignan\w* (?:other than|within)|history of (?:\w+ ){0,3}malignan\w*"
     r"|\bsecond(?:ary)? primar(?:y|ies)\b"
     r"|(?:malignan\w*|cancers?|tumou?rs?|neoplasms?|carcinomas?)\s+(?:that\s+(?:is|are)\s+|which\s+(?:is|are)\s+)?"
     r"(?:distinct|different|separate)\s+(?:(?:in|by)\s+(?:[\w-]+\s+){1,5}?)?from\b"
     r"|(?:malignan\w*|cancers?|tumou?rs?|neoplasms?)\s+other\s+than\s+(?:the\s+)?(?:one|those?|that|disease|cancer|tumou?r|"
     r"malignancy|primary)\s+(?:under|being|of\s+the|in\s+the)\s+(?:study|studied|investigation|trial)"),
    ("cardiovascular_disease", r"myocardial infarction|heart failure|angina|arrhythmi\w*|atrial (?:fibrillation|flutter)|cardiac|cardiovascular|NYHA|coronary|cardiomyopathy|heart disease|stroke|cerebrovascular|QT prolongation"),
    # systemic hypertension, not that of another circulation (``OTHER_CIRCULATIONS``)
    ("hypertension", "".join(f"(?<!{w} )" for w in OTHER_CIRCULATIONS)
     + r"hypertension|high blood pressure|blood pressure"),
    ("thromboembolism", r"thrombo\w*|embolism|DVT|venous thrombosis"),
    ("bleeding", r"bleeding|ha?emorrha\w*|hemoptysis|haemoptysis|coagulopathy|coagulation disorders?"),
    ("active_infection", r"infections?|fever|tuberculosis|sepsis"),
    ("autoimmune_disease", r"autoimmune|immunodeficiency|immune[- ]mediated|organ transplant\w*|allogeneic"),
    ("lung_disease", r"interstitial lung disease|pneumonitis|pulmonary fibrosis|\bILD\b|lung disease"),
    ("diabetes", r"diabetes|blood glucose|hyperglycemia"),
    ("psychiatric_disorder", r"psychiatric|mental (?:disorder|illness)|psychotropic|substance abuse|drug abuse|alcohol(?:ism| abuse)|dementia|seizures?|epilep\w*"),
    ("gastrointestinal_disorder", r"gastrointestinal|swallow|malabsorption|bowel obstruction|intestinal obstruction|perforation|fistula|ulcer\w*|diarrh\w*|colitis|crohn"),
    ("wound_or_fracture", r"unhealed wound|non-?healing|wound|fracture"),
    ("hypersensitivity", r"allerg\w*|hypersensitivity|intoleran\w*"),
    # the grading scale alone ("CTCAE grade 2 dyspnoea", "Common Terminology Criteria for
    # Adverse Events") grades another condition; it is not a toxicity
    ("unresolved_toxicity", r"toxicit\w*|toxic (?:reactions?|effects?)|(?<!criteria for )adverse (?:events?|reactions?|effects?)"),
    ("thyroid_dysfunction", r"thyroid"),
    ("effusion", r"pleural effusion|ascites|pericardial effusion|effusion"),
    ("renal_disease", r"renal (?:insufficiency|failure|disease|impairment)|dialysis|nephr\w*|proteinuria"),
    ("liver_disease", r"liver disease|cirrhosis|hepatic (?:impairment|disease|insufficiency)"),
    ("electrolyte_abnormality", r"electrolyte"),
    ("serious_illness", r"(?:serious|severe|uncontrolled|concomitant|concurrent) (?:\w+ ){0,2}(?:diseases?|illness\w*|conditions?|medical)|comorbidit\w*"),
]

# Generic therapy modalities (not drug classes) named in prior-therapy criteria.
THERAPIES: list[tuple[str, str]] = [
    ("chemotherapy", r"chemo(?:therap\w*)?|cytotoxic (?:therapy|agents?|drugs?)"),
    ("radiotherapy", r"radio(?:therapy|surgery)|radiation(?: therapy)?|irradiation|EF-RT"),
    ("immunotherapy", r"immunotherap\w*|immune checkpoint inhibitors?|checkpoint inhibitors?|immunization"),
    ("targeted therapy", r"(?:molecular(?:ly)? )?targeted (?:therap\w*|drugs?|agents?)|signal transduction inhibitors?|tyrosine kinase inhibitors?|TKIs?"),
    ("hormonal therapy", r"hormon(?:al|e) therap\w*|endocrine therap\w*"),
    ("systemic therapy", r"systemic (?:anti-?(?:tumou?r|cancer|neoplastic) )?(?:therap\w*|treatments?)|anti-?(?:tumou?r|cancer|neoplastic) (?:therap\w*|treatments?|drugs?)"),
    ("surgery", r"surg\w*|operations?|resection|biopsy|invasive (?:treatment|procedure)"),
    ("investigational agent", r"interventional (?:trial|study)|investigational|clinical (?:trials?|stud(?:y|ies))|experimental (?:drugs?|therap\w*)|unapproved|unmarketed|study drug"),
    ("transfusion", r"transfusions?|G-CSF|growth factors?"),
    ("corticosteroids", r"corticosteroids?|steroids?|prednison\w*|dexamethasone"),
    ("immunosuppressants", r"immuno-?suppress\w*"),
    ("anticoagulants", r"anticoagula\w*|warfarin|heparin|antiplatelet|aspirin|clopidogrel"),
    ("vaccine", r"vaccin\w*"),
    ("biologic therapy", r"biologic(?:al)? (?:therap\w*|agents?|response modifiers?|treatments?)"),
    ("cyp3a modulators", r"CYP3A4?\s+(?:inducers?|inhibitors?)|strong (?:and/or moderate )?CYP3A"),
    ("transplantation", r"transplant\w*"),
    # Hormones given to replace the body's own, no cancer therapy ("hormonal therapy" leaves
    # them out, criteria/rules/therapy.py ``_other_hormone``): "Patients receiving concurrent
    # exogenous hormone therapy (topical vaginal estrogen therapy is allowable)" (NCT02513394),
    # "post-menopausal women who are on hormone replacement therapy", "current treatment or
    # recent cessation ( < @NUMBER mo ) of hormone replacement therapy" (Clinical-Trial-Parser
    # test split).
    ("hormone replacement therapy", r"exogenous\s+hormon(?:e|al)\s+therap\w*|hormone\s+replacement\s+therap\w*|"
                                    r"o?estrogen\s+(?:replacement\s+)?therap\w*"),
    # "Patients who received neo/adjuvant therapy" (NCT02513394), "prior adjuvant
    # chemotherapy" (NCT00023673), "neoadjuvant treatment".
    ("neoadjuvant or adjuvant therapy", r"(?:neo[-/ ]?)?adjuvant(?:/adjuvant)?\s+(?:systemic\s+)?(?:therap\w*|treatments?|chemo\w*|setting)"),

]

# Biomarker genes and words that say a criterion is about a marker.
BIOMARKER_GENES = (
    "EGFR|ALK|ROS1|BRAF|KRAS|NRAS|HRAS|HER2|ERBB2|HER-2|PD-L1|PDL1|KIT|c-KIT|PDGFRA|PDGFRB|BRCA1|BRCA2|BRCA|"
    "MET|RET|NTRK1|NTRK2|NTRK3|NTRK|FGFR1|FGFR2|FGFR3|FGFR4|FGFR|IDH1|IDH2|MSI-H|MSI|dMMR|MMR|TMB|KDR|VEGFR2|"
    "VEGFR-2|CSF1|MDM2|CDK4|PIK3CA|PTEN|TP53|ESR1|AR|ER|PR|HLA-A\\*02|CD20|CD19|CD30|CD33|CD38|BCMA|FLT3|NPM1|"
    "JAK2|BCR-ABL|SDH|SDHB|NF1|TERT|CLDN18\\.2|TROP2|DLL3|MYC|HRD|ATM|PALB2|CDKN2A|SMARCB1|INI1|ALK1"
)
BIOMARKER_KIND = [
    ("fusion", r"fusions?|rearrange\w*|translocat\w*"),
    ("amplification", r"amplif\w*|copy number"),
    ("expression", r"expression|express\w*|IHC|immunohistochem\w*|overexpress\w*|positive|negative|[+-](?=\W|$)|TPS|CPS|score"),
    ("variant", r"mutat\w*|variants?|polymorphism|SNP|substitution|deletion|insertion|exon \d+|[A-Z]\d{2,4}[A-Z]|rs\d+"),
]
