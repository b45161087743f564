"""The batch page's slice view: which slices a batch has, the one picked, and their table.

Slices are the datasets of a sliced batch's statistics (``core.slices``); the check's anomalies
and measurements carry the slice they are about, so the page shows one slice at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dataguard.core.models import Batch, CheckResult, Outcome
from dataguard.dashboard_app import data, ui
from dataguard.errors import DataguardError

WHOLE = "whole batch (All Examples)"


def slices_of(batch: Batch | None) -> tuple[tuple[str, int], ...]:
    """``(slice, examples)`` of the batch's statistics; none when unsliced or unreadable (the
    statistics section says why)."""
    if batch is None:
        return ()
    try:
        return data.slices(batch.artifact_uri, batch.sha256)
    except DataguardError:
        return ()


def pick(sliced: Sequence[tuple[str, int]]) -> str | None:
    """The slice chosen (``?slice=…``), None for the whole batch or an unsliced one."""
    if not sliced:
        return None
    return ui.pick("Slice", [name for name, _ in sliced], "slice", placeholder=WHOLE,
                   sidebar=False)


def rows(sliced: Sequence[tuple[str, int]], result: CheckResult) -> list[dict[str, object]]:
    """One row per slice: its examples, its anomalies and the worst outcome among them."""
    out = []
    for name, examples in sliced:
        mine = [a for a in result.anomalies if a.slice == name]
        outcomes = {a.outcome for a in mine}
        worst = next((o.value for o in (Outcome.FAIL, Outcome.WARN, Outcome.IGNORED)
                      if o in outcomes), "ok" if not mine else "unknown")
        out.append({"slice": name, "examples": examples, "anomalies": len(mine),
                    "worst": worst})
    return out


def table(sliced: Sequence[tuple[str, int]], result: CheckResult) -> None:
    """The slices and how each fared (pick one above to see it)."""
    found = rows(sliced, result)
    failing = sum(1 for r in found if r["worst"] == Outcome.FAIL.value)
    with st.expander(f"{len(found)} slices, {failing} failing", expanded=failing > 0):
        st.dataframe(pd.DataFrame(found), hide_index=True)
