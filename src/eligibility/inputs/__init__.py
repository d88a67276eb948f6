"""Readers that turn files, folders and stdin into input records, one per profile.

``base.py`` is the interface (``Reader``, ``InputRecord``); ``json_file.py``,
``jsonl.py`` and ``stdin.py`` are the formats, each with its own limits; ``formats.py``
registers them and chooses a file's reader by its name and first bytes; ``files.py``
opens files safely; ``decode.py`` is strict JSON shared by the formats; ``reader.py`` is
where callers start (``expand_paths``, ``read_records``).

A new format is one module with a reader class (``suffixes``, ``sniff``, ``read``) and
one line in ``formats.py``.
"""
