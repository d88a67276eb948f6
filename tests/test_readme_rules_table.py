"""The README's decision table of a pack is regenerated from the rule files and compared."""

from __future__ import annotations

import re
from pathlib import Path

from eligibility import load_pack
from eligibility.render.decision_table import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- rules-table:(?P<pack>[a-z0-9_.-]+) -->\n"
                   r"(?P<table>.*?)<!-- /rules-table -->", re.DOTALL)


def test_readme_embeds_the_default_packs_table_in_sync() -> None:
    blocks = {m.group("pack"): m.group("table") for m in BLOCK.finditer(README.read_text())}
    assert "article-2023" in blocks, "README lost its <!-- rules-table:article-2023 --> block"
    for pack, table in blocks.items():
        assert table == markdown_table(load_pack(pack)), (
            f"README table of {pack} is stale: paste `eligibility rules table {pack}`")
