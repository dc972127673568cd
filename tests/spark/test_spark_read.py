"""read_table reads a CSV cell as Polars does: as text, trimmed, whatever it looks like.

Each table is small and written by hand; the Spark read is compared with the expected
values and with the Polars loader's read of the same file (model.load), which the
answers of the two engines rest on.
"""

from __future__ import annotations

from pathlib import Path

from auditor.model.load import collect_checked, scan_table
from auditor.model.schema import USAGE
from auditor.spark.read import read_table
from auditor.spark.usage import to_polars

HEADER = "tenant_id,provider,instance_id,instance_type,start,end,accelerator,accelerator_count"


def write_usage(folder: Path, lines: list[str]) -> Path:
    path = folder / "usage.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def both_reads(spark, path: Path, columns: list[str]) -> tuple[list[dict], list[dict]]:
    """(Spark's rows, Polars' rows) of these columns, in file order."""
    on_spark = read_table(spark, str(path), USAGE, "auto")
    spark_rows = to_polars(on_spark.frame.select(*USAGE.names), USAGE.polars_schema())
    polars_rows = collect_checked(scan_table(path, USAGE), path, USAGE)
    return spark_rows.select(columns).to_dicts(), polars_rows.select(columns).to_dicts()


def test_ids_made_of_digits_stay_text_with_their_leading_zeros(spark, tmp_path):
    """Tenant and instance ids are text: "007" is tenant 007 in the tenant file, and a usage
    file whose every id happens to be digits must not turn it into the number 7 (which would
    match no tenant). Both engines read the cells as written."""
    path = write_usage(
        tmp_path,
        [
            "007,aws,0001,p5.48xlarge,2026-10-01T00:00:00Z,2026-10-01T02:00:00Z,,",
            "042,aws,0002,p5.48xlarge,2026-10-02T00:00:00Z,2026-10-02T02:00:00Z,,",
        ],
    )
    columns = ["tenant_id", "instance_id"]
    on_spark, on_polars = both_reads(spark, path, columns)
    expected = [
        {"tenant_id": "007", "instance_id": "0001"},
        {"tenant_id": "042", "instance_id": "0002"},
    ]
    assert on_spark == expected
    assert on_polars == expected


def test_a_whole_number_with_spaces_around_it_is_read_and_a_blank_one_is_absent(spark, tmp_path):
    """CSV cells are trimmed before they are judged: " 8 " is 8 GPUs on both engines (not a bad
    value), a cell of spaces is no count at all (null, also not a bad value), and a plain 2
    stays 2."""
    path = write_usage(
        tmp_path,
        [
            "t1,aws,i-1,custom,2026-10-01T00:00:00Z,2026-10-01T02:00:00Z,H100-80GB, 8 ",
            "t2,aws,i-2,custom,2026-10-01T00:00:00Z,2026-10-01T02:00:00Z,H100-80GB,   ",
            "t3,aws,i-3,custom,2026-10-01T00:00:00Z,2026-10-01T02:00:00Z,H100-80GB,2",
        ],
    )
    on_spark, on_polars = both_reads(spark, path, ["tenant_id", "accelerator_count"])
    expected = [
        {"tenant_id": "t1", "accelerator_count": 8},
        {"tenant_id": "t2", "accelerator_count": None},
        {"tenant_id": "t3", "accelerator_count": 2},
    ]
    assert on_spark == expected
    assert on_polars == expected
