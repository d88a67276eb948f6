"""Population screening over Apache Arrow: ``evaluate_batches`` and its schemas.

    >>> import pyarrow as pa
    >>> from eligibility.arrow import evaluate_batches
    >>> batch = pa.RecordBatch.from_pylist([{"id": "p1", "age_years": 30, "severity": "mild"}])
    >>> next(evaluate_batches([batch], rules="article-2023"))["dupilumab"].to_pylist()
    ['not_candidate']

The input and output schemas are documented in ``eligibility.population.schema`` and
docs/population.md. Needs ``pyarrow`` (``pip install 'eligibility[spark]'`` or
``'eligibility[screen]'``).
"""

from __future__ import annotations

from eligibility.population.batches import evaluate_batches
from eligibility.population.schema import SchemaError, input_schema, output_schema

__all__ = ["SchemaError", "evaluate_batches", "input_schema", "output_schema"]
