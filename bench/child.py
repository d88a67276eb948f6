"""Run the CLI and report its own peak memory on stderr as ``peak-rss-kb N``.

``ru_maxrss`` of a child includes pages it shared with the (large) benchmark process
before exec; ``VmHWM`` belongs to the exec'd program alone.
"""

from __future__ import annotations

import sys

from eligibility.cli import main


def peak_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    print(f"peak-rss-kb {peak_kb()}", file=sys.stderr)
    sys.exit(code)
