"""``dataguard.io.csv`` stays the one module callers import the CSV reader from."""

from __future__ import annotations

import dataguard.io.csv as csv_reader


def test_the_csv_reader_keeps_its_public_names_in_one_module() -> None:
    # Imported by stats/local.py, stats/chunks.py, service/convert.py, tests and benchmarks;
    # the pieces behind them (csv_parse, csv_scan, csv_arrays, csv_types) may move, these names
    # may not.
    assert sorted(csv_reader.__all__) == [
        "DEFAULT_BLOCK_SIZE",
        "ParsedBlock",
        "RESTART",
        "checked_columns",
        "infer_column_types",
        "parse_types",
        "read_header",
        "read_record_batches",
        "speculative_types",
        "to_tfdv_array",
    ]
    assert all(hasattr(csv_reader, name) for name in csv_reader.__all__)
