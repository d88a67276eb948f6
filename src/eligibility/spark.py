"""Population screening in Apache Spark: ``evaluate_dataframe``.

    from eligibility.spark import evaluate_dataframe
    answers = evaluate_dataframe(spark.read.parquet("profiles/"), rules="article-2023")
    answers.write.parquet("screening/")

The DataFrame holds ``id`` and profile fields as columns (the input schema of
``eligibility.arrow``); the answers have its output schema, a row per profile. Each
Python worker builds one evaluator and checks its pack's digest against the driver's.
Shipping the package to a cluster (durable-rules has no published wheels): docs/population.md.
Needs ``pip install 'eligibility[spark]'``.
"""

from __future__ import annotations

from eligibility.population.spark_job import ArrowJob, evaluate_dataframe

__all__ = ["ArrowJob", "evaluate_dataframe"]
