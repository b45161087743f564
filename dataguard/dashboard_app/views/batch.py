"""Batch / check: verdict, anomalies, schema version and baseline used, and this batch's
statistics side by side with its baseline or serving batch (most-changed features first).

A sliced batch (``core.slices``) gets a slice selector: the anomalies, measurements and
statistics shown are then that slice's, side by side with the same slice of the baseline or
serving batch; a table lists every slice with its examples and anomalies.

Alerts link here: ``/batch?dataset=taxi&batch=2026-11-25`` (``&slice=payment_type_Cash``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dataguard.core import stats_view as sv
from dataguard.core.labels import feature_label, outcome_word
from dataguard.core.models import Batch
from dataguard.core.policy import CAUSED_BY_METHOD
from dataguard.dashboard_app import charts, data, nav, slice_view, ui
from dataguard.errors import DataguardError

METHOD_OF_TYPE = {t: method for method, types in CAUSED_BY_METHOD.items() for t in types}

url, key, summary = ui.open_source()
dataset = ui.pick("Dataset", list(summary["dataset"]), "dataset")
assert dataset is not None
batches = data.batches(url, key, dataset)
training = batches[batches["role"] == "training"] if not batches.empty else batches
names = list(dict.fromkeys(training["name"].iloc[::-1])) if not training.empty else []
chosen = ui.pick("Batch", names, "batch", placeholder="latest batch")
name = chosen or (names[0] if names else None)
if name is None:
    st.info(f"Dataset {dataset} has no training batch yet.")
    st.stop()

result = data.check(url, key, dataset, name)
this = data.batch(url, key, dataset, name, "training")
st.title(f"{dataset} · batch {name}")
sliced = slice_view.slices_of(this)
slice_ = slice_view.pick(sliced)

if result is None:
    st.info("This batch has not been checked yet: `dataguard check "
            f"{dataset} {name}` validates it against the latest schema version.")
else:
    cols = st.columns(5)
    cols[0].metric("verdict", ui.verdict_label(result.verdict.value))
    cols[1].metric("schema version", f"v{result.schema_version}")
    cols[2].metric("baseline", result.baseline_batch or "none")
    cols[3].metric("serving batch", result.serving_batch or "none")
    cols[4].metric("examples", f"{result.num_examples:,}")
    if result.created_at is not None:
        st.caption(f"Checked {ui.age_text(result.created_at)} (check #{result.id}).")

    if sliced:
        slice_view.table(sliced, result)
    anomalies = [a for a in result.anomalies if a.slice == slice_]
    metrics = [m for m in result.metrics if m.slice == slice_]
    st.subheader(f"Anomalies ({len(anomalies)})" + (f" in slice {slice_}" if slice_ else ""))
    exceeded = {(m.feature, m.comparison.value, m.method): m for m in metrics if m.exceeded}
    if anomalies:
        rows = []
        for a in anomalies:  # the metric of the method that caused it (PSI_HIGH: psi)
            m = exceeded.get((a.feature, a.kind.value, METHOD_OF_TYPE.get(a.type, "")))
            rows.append({
                "outcome": outcome_word(a.outcome),  # the policy's
                "feature": feature_label(a.feature), "kind": a.kind.value, "type": a.type,
                "severity": a.severity, "description": a.description or a.short_description,
                "value": m.value if m else None, "threshold": m.threshold if m else None,
            })
        st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={
            "value": st.column_config.NumberColumn(format="%.4f"),
            "threshold": st.column_config.NumberColumn(format="%.4f"),
        })
    else:
        st.success("No anomalies.")
    if metrics:
        with st.expander(f"All {len(metrics)} drift / skew measurements"):
            frame = pd.DataFrame([m.to_dict() for m in metrics])
            frame = frame.sort_values(["exceeded", "value"], ascending=False)
            st.dataframe(frame, hide_index=True)

# --- side by side statistics -----------------------------------------------------------------
comparable: dict[str, tuple[str, str]] = {}
if result is not None and result.baseline is not None and result.baseline.batches:
    # a window:N baseline: its newest batch (the merged statistics are not stored)
    comparable["baseline"] = (result.baseline.batches[-1], "training")
if result is not None and result.serving_batch:
    comparable["serving"] = (result.serving_batch, "serving")
if result is None:  # not checked: compare with the batch stored before it, if any
    position = names.index(name)
    if position + 1 < len(names):
        comparable["batch before"] = (names[position + 1], "training")

st.subheader("Statistics")
if this is None:
    st.stop()


def load(found: Batch) -> sv.DatasetStats | None:
    try:
        return data.statistics(found.artifact_uri, found.sha256, slice_)
    except DataguardError as exc:  # a moved or changed artifact: say so, keep the page
        st.error(f"Statistics of {found.role.value} batch {found.name}: {exc}")
        return None


current = load(this)
if current is None:
    st.stop()
other: sv.DatasetStats | None = None
sides = [f"{name} (this batch)"]
if comparable:
    against = st.radio("Compare with", list(comparable), horizontal=True, key="against",
                       bind="query-params")
    other_name, other_role = comparable[against or next(iter(comparable))]
    found = data.batch(url, key, dataset, other_name, other_role)
    if found is not None:
        other = load(found)
    if other is not None and slice_ and not other.features:  # that batch lacks the slice
        st.info(f"{other_name} ({against}) has no slice {slice_}.")
        other = None
    if other is not None:
        sides.append(f"{other_name} ({against})")

changes = sv.compare(current, other or current)
table = pd.DataFrame(sv.comparison_rows(changes, (sides[0], sides[-1])))
if other is None:
    table = table[table["side"] == sides[0]].drop(columns=["change", "status"])
st.caption(
    f"{current.num_examples:,} examples"
    + (f" vs {other.num_examples:,}" if other else "")
    + ". Features that changed most first (Kolmogorov-Smirnov distance for numbers, "
    "L-infinity for categories; 1 = added, removed or type changed)."
)
st.dataframe(table, hide_index=True, column_config={
    "change": st.column_config.ProgressColumn("change", min_value=0.0, max_value=1.0,
                                              format="%.3f"),
    **{c: st.column_config.NumberColumn(format="%.4g")
       for c in ("mean", "std", "min", "median", "max")},
})



def heavy_tailed(f: sv.FeatureStats) -> bool:
    """A few extreme values squash a linear axis: the extremes are 20x the median's scale."""
    scale = max(abs(f.median or 0.0), abs(f.std or 0.0) / 10, 1e-9)
    return max(abs(f.max or 0.0), abs(f.min or 0.0)) > 20 * scale


feature = ui.pick("Feature", [c.feature for c in changes], "feature", sidebar=False)
picked = next((c for c in changes if c.feature == feature), None)
if picked is not None:
    nav.link("feature", f"{picked.feature} over every batch ›",
             {"dataset": dataset, "feature": picked.feature})
    pairs = [(sides[0], picked.current)]
    if other is not None:
        pairs.append((sides[-1], picked.other))
    present = [(label, f) for label, f in pairs if f is not None]
    labels = [label for label, _ in present]
    family = present[0][1].family if present else sv.OTHER
    if picked.status != "changed" and other is not None:
        st.warning(f"Feature {picked.status} between the two batches.")
    if family == sv.NUMERIC:
        left, right = st.columns(2)
        hist = [r for label, f in present for r in sv.histogram_rows(f, label)]
        quant = [r for label, f in present for r in sv.quantile_rows(f, label)]
        log = any(heavy_tailed(f) for _, f in present)
        left.caption("Histogram (equal-width buckets)" + (", log scale: heavy tail" if log else ""))
        left.altair_chart(charts.histogram_overlay(hist, labels, log), width="stretch")
        right.caption("Quantiles")
        right.altair_chart(charts.quantile_overlay(quant, labels, log), width="stretch")
    elif family == sv.CATEGORICAL:
        st.caption("Most frequent values")
        st.altair_chart(charts.top_values_overlay(sv.overlay_top_values(present), labels),
                        width="stretch")

nav.link("dataset", f"All checks of {dataset} ›", {"dataset": dataset})
