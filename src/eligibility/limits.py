"""Input limits: every one is enforced with a clear error, none with a crash.

They bound what reaches the validator and, through it, the engine, whose C core
misbehaves on long strings, many fields and deep nesting.
"""

MAX_FILE_BYTES = 1 << 20          # one .json profile file
MAX_LINE_BYTES = 64 * 1024        # one JSON Lines record
MAX_NESTING = 8                   # a profile is an object of scalars and flat lists
# String and list lengths are part of the Profile model (profile.MAX_TEXT, MAX_ITEMS).
