"""Rules paraphrase the source article; none of the project's text copies its sentences.

The article is not stored in the project. ``fixtures/article-8gram-hashes.txt`` holds a
hash of every 8-word run of it, and any 8 consecutive words of a rule file, the README,
the docs or the source code that hash to one of them fail this test.
"""

from __future__ import annotations

import hashlib
import re

from conftest import ROOT

HASHES = {line.strip() for line in (ROOT / "tests" / "fixtures" / "article-8gram-hashes.txt")
          .read_text().splitlines() if line and not line.startswith("#")}
SCANNED = [*ROOT.glob("rules/**/*.toml"), ROOT / "README.md", *ROOT.glob("docs/*.md"),
           *ROOT.glob("src/**/*.py"), *ROOT.glob("examples/**/*.json")]


def _copied_runs(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    runs = (" ".join(words[i:i + 8]) for i in range(len(words) - 7))
    return [run for run in runs if hashlib.sha256(run.encode()).hexdigest()[:16] in HASHES]


def test_the_fingerprint_is_loaded() -> None:
    assert len(HASHES) > 500
    assert len(SCANNED) > 20


def test_no_project_text_copies_eight_words_of_the_article() -> None:
    copied = {str(path.relative_to(ROOT)): runs for path in SCANNED
              if (runs := _copied_runs(path.read_text(encoding="utf-8")))}
    assert copied == {}
