"""Cached, read-only access to the store and the statistics artifacts; the pages only render.

One store per URL (``st.cache_resource``); query results as DataFrames cached by
``st.cache_data`` keyed on the store URL and the latest check id, so a new check shows at once and
everything else is served from memory (plus a TTL for batches and deliveries that arrive without
a check). Statistics and schema files are cached by URI + sha256 + the local file's size and
mtime: a file changed in place (it should never be) is read and hashed again, and its page shows
the sha256 error instead of what was cached.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from enum import Enum
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dataguard.config import Settings, load_settings
from dataguard.core.models import Batch, CheckResult, Role, SchemaVersion
from dataguard.core.stats_view import DatasetStats, dataset_stats
from dataguard.core.trends import TrendConfig
from dataguard.errors import ArtifactError, DataguardError
from dataguard.store import Store, open_store

TTL = 60  # seconds: batches and hook deliveries can land without a new check id


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url, migrate=False, read_only=True)


def settings() -> Settings:
    """The settings; a bad config file (unknown key, not TOML) is shown and stops the run."""
    try:
        return load_settings()
    except DataguardError as exc:
        st.error(f"Cannot read the configuration: {exc}")
        st.stop()
        raise  # unreachable: st.stop raises


def trend_config(dataset: str) -> TrendConfig:
    """The dataset's ``trend_window`` and features turned off; a bad value is shown, and the
    defaults are used."""
    try:
        return TrendConfig.from_config(settings().document, dataset)
    except DataguardError as exc:
        st.warning(f"{exc} (showing the default window)")
        return TrendConfig()


def safe_url(url: str) -> str:
    """The store URL without its password, for display."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def store_or_stop() -> tuple[str, Store]:
    """The store URL and the open store; on failure: error shown, run stopped. A store not
    created yet (no SQLite file, no tables) opens read-only as an empty one (``open_store``)."""
    url = settings().store_url
    try:
        return url, _store(url)
    except DataguardError as exc:
        st.error(f"Cannot open the store {safe_url(url)}: {exc}")
        st.stop()
        raise  # unreachable: st.stop raises


def cache_key(store: Store) -> int:
    """The cache key: the id of the newest check (0 for none)."""
    with store.read() as q:
        return int(q.latest_check_id() or 0)


def _frame(items: list[Any], columns: list[str]) -> pd.DataFrame:
    if not items:
        return pd.DataFrame(columns=columns)
    rows = [item if isinstance(item, dict) else _as_dict(item) for item in items]
    return pd.DataFrame.from_records(rows)


def _as_dict(item: Any) -> dict[str, Any]:
    row = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in row.items()}


# --- cached queries (arguments: store URL and version first, so a new check refreshes them) ---

OVERVIEW_COLUMNS = ["dataset", "batch", "role", "batch_at", "verdict", "check_id",
                    "checked_batch", "anomalies", "recent"]


@st.cache_data(ttl=TTL, show_spinner=False)
def overview(url: str, version: int) -> pd.DataFrame:
    """One row per dataset: latest batch, latest verdict and anomaly count, recent verdicts."""
    with _store(url).read() as q:
        summaries = q.dataset_overview()
    return _frame([_overview_row(s) for s in summaries], OVERVIEW_COLUMNS)


def _overview_row(summary: Any) -> dict[str, Any]:
    row = _as_dict(summary)
    return {
        "dataset": row["dataset"],
        "batch": row["latest_batch"],
        "role": row["latest_batch_role"],
        "batch_at": row["latest_batch_at"],
        "verdict": row["latest_verdict"],
        "check_id": row["latest_check_id"],
        "checked_batch": row["latest_check_batch"],
        "anomalies": row["latest_anomaly_count"],
        "recent": [getattr(v, "value", v) for v in reversed(row["recent_verdicts"])],
    }


@st.cache_data(ttl=TTL, show_spinner=False)
def checks(url: str, version: int, dataset: str, limit: int = 365) -> pd.DataFrame:
    """The dataset's checks, oldest first (id, batch, verdict, num_examples, anomalies, …)."""
    with _store(url).read() as q:
        items = q.check_history(dataset, limit=limit)
    frame = _frame(items, ["id", "batch", "verdict", "num_examples", "created_at", "anomalies"])
    frame = frame.rename(columns={"anomaly_count": "anomalies", "check_id": "id"})
    return frame.sort_values("created_at", kind="stable").reset_index(drop=True)


@st.cache_data(ttl=TTL, show_spinner=False)
def batches(url: str, version: int, dataset: str) -> pd.DataFrame:
    with _store(url).read() as q:
        items = q.list_batches(dataset)
    return _frame(items, ["name", "role", "num_examples", "created_at"])


@st.cache_data(ttl=TTL, show_spinner=False)
def metrics(url: str, version: int, dataset: str, comparison: str | None = None) -> pd.DataFrame:
    """Every drift/skew measurement of the dataset's recent checks, oldest first."""
    with _store(url).read() as q:
        points = q.metric_history(dataset, comparison=comparison)
    columns = ["batch", "created_at", "check_id", "feature", "comparison", "method", "value",
               "threshold", "exceeded"]
    return _frame(points, columns)


BATCH_SERIES = "num_examples (rows of the batch)"
"""The series picker's entry for the batches' example counts (the dataset's own series)."""


@st.cache_data(ttl=TTL, show_spinner=False)
def profile_features(url: str, version: int, dataset: str) -> list[str]:
    """The features the dataset's batch profiles hold, sorted."""
    with _store(url).read() as q:
        return q.profile_features(dataset)


@st.cache_data(ttl=TTL, show_spinner=False)
def profiles(url: str, version: int, dataset: str, feature: str) -> pd.DataFrame:
    """``batch``, ``stat``, ``value``: one feature's profile rows over the dataset's training
    batches (feature "": each profiled batch's ``num_examples``), in batch-name order."""
    with _store(url).read() as q:
        points = q.profile_history(dataset, feature=feature)
    return _frame(points, ["batch", "feature", "stat", "value"])


def profiled_statistics(url: str, version: int, dataset: str, feature: str) -> list[str]:
    """The statistics series (``core.trends.FEATURE_STATISTICS``, in that order) the feature's
    batch profiles hold: what the trends section and the feature page offer besides drift."""
    from dataguard.core.trends import FEATURE_STATISTICS

    held = set(profiles(url, version, dataset, feature)["stat"])
    return [stat for stat in FEATURE_STATISTICS if stat in held]


@st.cache_data(ttl=TTL, show_spinner=False)
def trend(url: str, version: int, dataset: str, comparison: str, feature: str, series: str,
          window: int) -> pd.DataFrame:
    """One series of the dataset by batch with its rolling control band (``trendline``): a
    statistics series of ``feature`` from the batches' profiles (``FEATURE_STATISTICS``), a
    stored drift/skew method of it, or ``BATCH_SERIES`` (``feature`` "") from the batches
    table. Store rows only, never the statistics artifacts."""
    from dataguard.core.trends import FEATURE_STATISTICS, drift_key
    from dataguard.dashboard_app import trendline

    listed = batches(url, version, dataset)
    training = [str(n) for n in listed["name"][listed["role"] == "training"]] \
        if not listed.empty else []
    if series == BATCH_SERIES:
        values = trendline.batch_series(listed)
        key = ("", "num_examples")
    elif series in FEATURE_STATISTICS:
        values = trendline.profile_series(profiles(url, version, dataset, feature), series)
        key = (feature, series)  # judged on both sides, as checks judge it
    else:
        values = trendline.drift_series(metrics(url, version, dataset, comparison), feature,
                                        series)
        key = drift_key(feature, series)  # distances are judged from above, as drift is
    return trendline.with_band(values, training, key, window)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def trend_chart(url: str, version: int, dataset: str, comparison: str, feature: str,
                series: str, window: int, title: str) -> dict[str, Any]:
    """``trend`` drawn by ``charts.control_band``, as a Vega-Lite spec (``st.vega_lite_chart``):
    built once per store version, because Altair takes 0.2–0.3 s to build a 365-point band and
    the feature page draws up to eight of them."""
    from dataguard.dashboard_app import charts

    frame = trend(url, version, dataset, comparison, feature, series, window)
    return charts.control_band(frame, title).to_dict()


@st.cache_data(ttl=TTL, show_spinner=False)
def check(url: str, version: int, dataset: str, batch: str) -> CheckResult | None:
    with _store(url).read() as q:
        return q.latest_check(dataset, batch)


@st.cache_data(ttl=TTL, show_spinner=False)
def batch(url: str, version: int, dataset: str, name: str, role: str = "training") -> Batch | None:
    with _store(url).read() as q:
        return q.get_batch(dataset, name, Role(role))


@st.cache_data(ttl=TTL, show_spinner=False)
def schema_versions(url: str, version: int, dataset: str) -> list[SchemaVersion]:
    with _store(url).read() as q:
        return q.list_schema_versions(dataset)


@st.cache_data(ttl=TTL, show_spinner=False)
def deliveries(url: str, version: int, dataset: str | None = None) -> pd.DataFrame:
    with _store(url).read() as q:
        items = q.list_deliveries(dataset, limit=500)
    columns = ["created_at", "hook", "dataset", "batch", "verdict", "status", "attempts",
               "last_error", "delivered_at", "check_id"]
    return _frame(items, columns)


# --- artifacts ---------------------------------------------------------------------------------


def load_statistics(uri: str, sha256: str | None, slice_name: str | None = None) -> DatasetStats:
    """The batch's statistics (or those of its slice ``slice_name``, ``core.slices``; none
    when it has no such slice) as the dashboard's view (tensorflow-metadata only, no TFDV).

    ``parse_statistics`` reads both artifact forms: a one-record TFRecord (what dataguard and
    TFDV write) and a plain binary proto."""
    return dataset_stats(_parsed(uri, sha256), slice_name)


def _parsed(uri: str, sha256: str | None) -> Any:
    from dataguard.io.artifacts import parse_statistics

    return parse_statistics(read_bytes(uri, sha256), uri)


def statistics(uri: str, sha256: str | None, slice_name: str | None = None) -> DatasetStats:
    """``load_statistics``, cached, and verified against the store's sha256 again whenever the
    file's size or mtime changed."""
    return _statistics(uri, sha256, file_signature(uri), slice_name)


statistics.__wrapped__ = load_statistics  # type: ignore[attr-defined]  # the uncached function


@st.cache_data(max_entries=256, show_spinner=False)
def _statistics(uri: str, sha256: str | None, signature: tuple[int, ...] | None,
                slice_name: str | None) -> DatasetStats:
    return load_statistics(uri, sha256, slice_name)


def slices(uri: str, sha256: str | None) -> tuple[tuple[str, int], ...]:
    """The batch's slices and their example counts, in stored order (none: not sliced)."""
    return _slices(uri, sha256, file_signature(uri))


@st.cache_data(max_entries=64, show_spinner=False)
def _slices(uri: str, sha256: str | None,
            signature: tuple[int, ...] | None) -> tuple[tuple[str, int], ...]:
    from dataguard.core.slices import slice_names, slice_stats

    parsed = _parsed(uri, sha256)
    return tuple((name, int(getattr(slice_stats(parsed, name), "num_examples", 0)))
                 for name in slice_names(parsed))


def schema_text(path: str, sha256: str | None = None) -> str:
    """A schema version file, verified like ``statistics``."""
    return _schema_text(path, sha256, file_signature(path))


@st.cache_data(max_entries=64, show_spinner=False)
def _schema_text(path: str, sha256: str | None, signature: tuple[int, ...] | None) -> str:
    return read_bytes(path, sha256).decode("utf-8")


def file_signature(uri: str) -> tuple[int, ...] | None:
    """(size, mtime, inode) of a local file — one ``stat``, so every page render re-checks —
    or None for ``gs://`` objects (written once under a new name, never rewritten)."""
    if uri.startswith("gs://"):
        return None
    try:
        found = os.stat(uri.removeprefix("file://"))
    except OSError as exc:
        raise ArtifactError(f"{uri}: cannot read: {exc.strerror or exc}") from None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


def read_bytes(uri: str, sha256: str | None = None) -> bytes:
    """A local file or a ``gs://`` object, verified against the store's sha256 when given.

    ``gs://`` goes through google-cloud-storage rather than Beam's FileSystems (what the
    pipeline uses), so the dashboard and its slim container never load Beam.
    """
    try:
        if uri.startswith("gs://"):
            from google.cloud import storage  # type: ignore[attr-defined]

            bucket, _, name = uri[len("gs://"):].partition("/")
            data = storage.Client().bucket(bucket).blob(name).download_as_bytes()
        else:
            data = Path(uri.removeprefix("file://")).read_bytes()
    except Exception as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise ArtifactError(f"{uri}: cannot read: {first}") from None
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise ArtifactError(f"{uri}: sha256 does not match the store (changed or truncated)")
    return data


def text_diff(a: str, b: str, name_a: str, name_b: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), name_a, name_b))


@st.cache_data(max_entries=64, show_spinner=False)
def schema_changes(text_a: str, text_b: str, name_a: str, name_b: str) -> list[dict[str, str]]:
    """Feature-level differences (``dataguard.core.schema_diff``) as table rows."""
    from dataguard.core.schema_diff import diff_schemas
    from dataguard.core.schemas import parse_schema

    diff = diff_schemas(parse_schema(text_a, name_a), parse_schema(text_b, name_b), name_a, name_b)
    rows = [{"feature": n, "aspect": "feature", "before": "", "after": "added"} for n in diff.added]
    rows += [{"feature": n, "aspect": "feature", "before": "present", "after": "removed"}
             for n in diff.removed]
    rows += [c.to_dict() | {"feature": c.feature or "(schema)"} for c in diff.changes]
    return rows
