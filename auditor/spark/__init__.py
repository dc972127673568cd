"""The usage and sign-in stages on Apache Spark, for data that lives in a lake (docs/spark.md).

Nothing here imports pyspark at module load: Polars stays the default engine and pyspark
is the `auditor[spark]` extra, imported when `engine: {name: spark}` is chosen.
"""
