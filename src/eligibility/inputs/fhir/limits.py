"""Limits of the FHIR input: what one Bundle, NDJSON line or patient may hold.

FHIR resources nest deeper than profiles (an extension in an extension in a coding is
eight levels below an entry), so the profile limits (``eligibility.limits``) would refuse
valid records; these are fit for FHIR and still bound what is read. Past any of them is
an error record naming the limit, never a crash.
"""

MAX_BUNDLE_BYTES = 64 << 20        # one Bundle .json file (a patient's record is ~1 MB)
MAX_ENTRIES = 100_000              # Bundle.entry items
MAX_LINE_BYTES = 4 << 20           # one Bulk NDJSON line (one resource)
MAX_DEPTH = 48                     # JSON nesting, in a Bundle or a line
MAX_RESOURCES_PER_PATIENT = 20_000  # resources read for one patient (memory per patient)
