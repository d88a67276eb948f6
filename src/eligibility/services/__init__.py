"""Work the faces share: batches of records, pack checks and diffs."""
