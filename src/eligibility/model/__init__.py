"""The patient's side: the profile, the field registry and the answer (assessment)."""
