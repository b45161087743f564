"""`dataguard check` commands. (Skeleton: registers nothing yet.)"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the `dataguard` parser."""
