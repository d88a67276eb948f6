"""Readers that turn files, folders and stdin into input records, one per profile.

``base.py`` is the interface (``Reader``, ``InputRecord``); ``json_file.py``,
``jsonl.py`` and ``csv_file.py`` (with ``csv_cells.py``) are the formats, each with its
own limits; ``stdin.py`` reads ``-`` in the format its first line shows or ``--input``
names; ``formats.py`` registers them and chooses a file's reader by its name and first
bytes; ``files.py`` opens files safely; ``lines.py`` gives line-based formats bounded
lines (and stdin's pauses); ``decode.py`` is strict JSON shared by the formats;
``reader.py`` is where callers start (``expand_paths``, ``read_records``).

A new format is one module with a reader class (``suffixes``, ``sniff``, ``read``; a
line-based one also ``read_lines``, and stdin can then stream it) and one entry in
``formats.py``: folder mode, explicit paths and ``--input`` pick it up (CSV was added
this way).
"""
