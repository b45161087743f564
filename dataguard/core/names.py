"""Dataset and batch names: safe as folder names, URL parts and store keys everywhere.

    valid_name("dataset", "taxi")        # -> "taxi"
    valid_name("batch", "2026-11-24")    # -> "2026-11-24"
    valid_name("batch", "../etc")        # UsageError
"""

from __future__ import annotations

import re

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
