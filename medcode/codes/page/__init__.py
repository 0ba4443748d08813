"""A code page, built one part per module.

- build.py: what a page holds (`CodePage`) and the query that builds it (`code_page`): the row
  in force on the date of service, its status and dates, then the parts of its code family.
- reads.py: the reads that fill a page, one code family at a time (ICD-10-CM, ICD-10-PCS,
  CPT/HCPCS, modifiers).
- panels.py: the data panels (fee schedule, OPPS, HCPCS record, notes, 7th characters, MUE,
  PTP, add-on, DMEPOS): rows in, a cited `Panel` out.
- modifiers.py: the modifiers section (which modifiers apply, from the PFS and NCCI indicators).
- meanings.py: what the code values in CMS and CDC files mean, in words.
- lists.py: the lists a code is on (diagnosis GEMs, NCD spreadsheet, MCE).
- drg.py: MS-DRG definitions and Table 5 weights on ICD-10-CM and ICD-10-PCS pages.
- payment.py, dmepos.py, locality.py: PFS payment in a locality, the DMEPOS fee in a state,
  and the visitor's remembered locality.
- partners.py: the full list of a code's NCCI PTP partners behind the page's first few.
- compare.py: two dates of service side by side.
- cache.py: rendered pages kept for guests (the one cache of a face).
"""
