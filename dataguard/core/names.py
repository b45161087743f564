"""Dataset and batch names: safe as folder names, URL parts and store keys everywhere.

    valid_name("dataset", "taxi")        # -> "taxi"
    valid_name("batch", "2026-11-24")    # -> "2026-11-24"
    valid_name("batch", "../etc")        # UsageError
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dataguard.errors import UsageError

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def valid_name(what: str, value: str) -> str:
    """Return ``value`` if it is a valid dataset/batch name, else raise ``UsageError``."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        raise UsageError(
            f"{what} name {value!r}: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def dataset_table(document: Mapping[str, Any], dataset: str | None) -> Mapping[str, Any]:
    """The ``[datasets.<dataset>]`` table of a config document; {} when absent or not a table."""
    datasets = document.get("datasets") if dataset is not None else None
    table = datasets.get(dataset) if isinstance(datasets, Mapping) else None
    return table if isinstance(table, Mapping) else {}
