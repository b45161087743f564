"""Row-count reconciliation: the rows read per file must add up to the statistics' examples.

    check_row_counts({"day1.csv": 600, "day2.csv": 400}, num_examples=1000, input_format="csv")

Both engines count the rows each reader hands on, per file, apart from the statistics, and check
them here before anything is stored. A mismatch (a lost or repeated batch or bundle, a reader
bug: TFDV issue #247, rows dropped silently in multi-processing) fails the run with
``RunnerError`` (exit 3) naming the files, rather than storing wrong statistics; a file
without rows is bad input (exit 2). No Beam, no TFDV.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from dataguard.errors import BadInputError, RunnerError

_LOG = logging.getLogger(__name__)
_EMPTY = {
    "csv": "no data rows after the header",
    "tfrecord": "no records (empty TFRecord file)",
}


def check_row_counts(rows: Mapping[str, int], num_examples: int, input_format: str) -> None:
    """Raise unless every file has rows and they add up to ``num_examples``; log them."""
    empty = sorted(path for path, count in rows.items() if count == 0)
    if empty:
        raise BadInputError(f"{empty[0]}: {_EMPTY.get(input_format, 'no rows')}")
    total = sum(rows.values())
    if total != num_examples:
        raise RunnerError(
            f"row counts do not add up: {len(rows)} file(s) read {total} rows, the statistics "
            f"count {num_examples} examples ({', '.join(sorted(rows))}); nothing was stored"
        )
    _LOG.info("rows read per file: %s", json.dumps(dict(sorted(rows.items()))))
