"""The HTTP face: the service (``eligibility serve``) and the clinician page (``page/``)."""
