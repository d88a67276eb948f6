"""Views of assessments and packs: tables, JSON Lines, explanations, decision tables."""
