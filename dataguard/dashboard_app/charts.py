"""Altair charts of the dashboard: DataFrames (or rows from ``core.stats_view``) in, charts out.

Drawn natively from the statistics protos and store rows — not TFDV's Facets HTML, which loads its
scripts from a CDN at view time and breaks offline and inside Streamlit (TFDV issue #224). Vega
renders every label as text, so feature names and values never become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

VERDICT_COLORS = {"pass": "#2e9e44", "warn": "#f0a30a", "fail": "#d62728"}
VERDICT_SCALE = alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values()))
SIDE_COLORS = ["#1f77b4", "#ff7f0e"]


def verdict_grid(recent: pd.DataFrame) -> alt.Chart:
    """Datasets × their recent checks, one coloured cell per verdict (oldest left)."""
    return (
        alt.Chart(recent)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("position:O", title="recent checks (oldest → newest)", axis=None),
            y=alt.Y("dataset:N", title=None, sort=None),
            color=alt.Color("verdict:N", scale=VERDICT_SCALE, legend=alt.Legend(orient="top")),
            tooltip=["dataset:N", "verdict:N", "position:O"],
        )
        .properties(height=alt.Step(16), width=alt.Step(14))
    )


def verdict_timeline(checks: pd.DataFrame) -> alt.Chart:
    """One mark per check over time, coloured by verdict, sized by its anomaly count."""
    return (
        alt.Chart(checks)
        .mark_circle(opacity=0.9)
        .encode(
            x=alt.X("created_at:T", title="checked at"),
            y=alt.Y("verdict:N", sort=list(VERDICT_COLORS), title=None),
            color=alt.Color("verdict:N", scale=VERDICT_SCALE, legend=None),
            size=alt.Size("anomalies:Q", scale=alt.Scale(range=[40, 300]), legend=None),
            tooltip=["batch:N", "verdict:N", "anomalies:Q", "num_examples:Q",
                     alt.Tooltip("created_at:T", format="%Y-%m-%d %H:%M")],
        )
        .properties(height=140)
    )


def metric_lines(
    metrics: pd.DataFrame, order: Sequence[str] | None = None, columns: int = 2
) -> alt.FacetChart:
    """Per feature: the distance over time (points red where exceeded) and its threshold dashed."""
    base = alt.Chart().encode(x=alt.X("created_at:T", title=None))
    line = base.mark_line(point=False).encode(y=alt.Y("value:Q", title="distance"))
    points = base.mark_point(filled=True, size=30).encode(
        y="value:Q",
        color=alt.Color(
            "exceeded:N",
            scale=alt.Scale(domain=[False, True], range=["#1f77b4", "#d62728"]),
            legend=alt.Legend(title="exceeded", orient="top"),
        ),
        tooltip=["feature:N", "batch:N", "method:N", alt.Tooltip("value:Q", format=".4f"),
                 alt.Tooltip("threshold:Q", format=".4f"), "exceeded:N"],
    )
    threshold = base.mark_line(strokeDash=[5, 4], color="#d62728").encode(y="threshold:Q")
    return (
        alt.layer(line, points, threshold, data=metrics)
        .properties(width=320, height=150)
        .facet(facet=alt.Facet("feature:N", title=None, sort=list(order) if order else "ascending"),
               columns=columns)
        .resolve_scale(y="independent")
    )


def row_counts(batches: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(batches)
        .mark_line(point=True)
        .encode(
            x=alt.X("created_at:T", title=None),
            y=alt.Y("num_examples:Q", title="rows"),
            color=alt.Color("role:N", legend=alt.Legend(orient="top")),
            tooltip=["name:N", "role:N", "num_examples:Q"],
        )
        .properties(height=180)
    )


def histogram_overlay(
    rows: Sequence[dict[str, Any]], sides: Sequence[str], log: bool = False
) -> alt.Chart:
    """Equal-width buckets of both batches as overlaid translucent bars (shares, not counts);
    ``log`` puts the shares on a symlog axis so the tail of a skewed feature stays visible."""
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(opacity=0.5, binSpacing=0)
        .encode(
            x=alt.X("low:Q", title="value"),
            x2="high:Q",
            y=alt.Y("share:Q", title="share of values" + (" (log)" if log else ""), stack=None,
                    scale=alt.Scale(type="symlog", constant=0.01) if log else alt.Undefined),
            y2=alt.datum(0),
            color=_side_color(sides),
            tooltip=["side:N", "low:Q", "high:Q", alt.Tooltip("share:Q", format=".2%")],
        )
        .properties(height=220)
    )


def quantile_overlay(
    rows: Sequence[dict[str, Any]], sides: Sequence[str], log: bool = False
) -> alt.Chart:
    """The quantile curves of both batches: where they part, the distribution moved."""
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("quantile:Q", title="quantile", axis=alt.Axis(format="%")),
            y=alt.Y("value:Q", title="value" + (" (symlog)" if log else ""),
                    scale=alt.Scale(type="symlog") if log else alt.Undefined),
            color=_side_color(sides),
            tooltip=["side:N", alt.Tooltip("quantile:Q", format=".0%"), "value:Q"],
        )
        .properties(height=220)
    )


def top_values_overlay(rows: Sequence[dict[str, Any]], sides: Sequence[str]) -> alt.Chart:
    """The most frequent values of either batch, side by side (shares of all values)."""
    frame = pd.DataFrame(rows)
    order = list(dict.fromkeys(frame["value"])) if not frame.empty else []
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", sort=order, title=None),
            x=alt.X("share:Q", title="share of values", axis=alt.Axis(format="%")),
            yOffset=alt.YOffset("side:N", sort=list(sides)),
            color=_side_color(sides),
            tooltip=["side:N", "value:N", alt.Tooltip("share:Q", format=".2%")],
        )
        .properties(height=alt.Step(9))
    )


def _side_color(sides: Sequence[str]) -> alt.Color:
    return alt.Color(
        "side:N",
        scale=alt.Scale(domain=list(sides), range=SIDE_COLORS[: len(sides)]),
        legend=alt.Legend(title=None, orient="top"),
    )


def control_band(series: pd.DataFrame, title: str) -> alt.LayerChart | alt.FacetChart:
    """A series by batch (name order) in its rolling control band (``dashboard_app.trendline``):
    the band shaded, its median dashed, points outside the band red."""
    order = list(series["batch"])
    x = alt.X("batch:O", sort=order, title=None,
              axis=alt.Axis(labelOverlap=True, labelAngle=-45))
    base = alt.Chart(series).encode(x=x)
    band = base.mark_area(opacity=0.18, color="#1f77b4", interpolate="step").encode(
        y=alt.Y("low:Q", title=title), y2="high:Q")
    center = base.mark_line(strokeDash=[4, 3], color="#7f7f7f", interpolate="step").encode(
        y="center:Q")
    line = base.mark_line(color="#1f77b4").encode(y="value:Q")
    points = base.mark_point(filled=True, size=36).encode(
        y="value:Q",
        color=alt.Color("out:N", scale=alt.Scale(domain=[False, True],
                                                 range=["#1f77b4", "#d62728"]),
                        legend=alt.Legend(title="outside the band", orient="top")),
        tooltip=["batch:N", alt.Tooltip("value:Q", format=".4g"),
                 alt.Tooltip("low:Q", format=".4g"), alt.Tooltip("high:Q", format=".4g"),
                 alt.Tooltip("center:Q", format=".4g", title="median"),
                 alt.Tooltip("history:Q", title="past values"), "out:N"],
    )
    return alt.layer(band, center, line, points).properties(height=240)
