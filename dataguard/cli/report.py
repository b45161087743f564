"""Renderers of a ``CheckResult``: text (people; colour on a terminal), json (DESIGN.md exactly),
junit (CI test reports) and markdown (pull-request comments, CI step summaries).

    print(render_check(result, "text", color=sys.stdout.isatty()))
    write_report(result, "junit", "reports/dataguard.xml")

Every anomaly and exceeded measurement shows its policy outcome (``core.policy``): ``✗ fail``,
``! warn`` or ``· ignored`` (``? unknown`` for checks stored before outcomes were recorded).

JUnit: one test case per feature and comparison (``schema``, ``drift``, ``skew``, ``rule``;
dataset-level findings are the feature ``(dataset)``); it follows the configured policy, not TFDV's
severity: an anomaly or exceeded measurement whose outcome is ``fail`` is a ``<failure>``; ``warn``
and ``ignored`` ones are reported in ``<system-out>`` without failing the case. (A stored check
without outcomes falls back to severity: an error or an exceeded measurement fails.) A custom
rule's severity is its own, not TFDV's (``rule warning``), and a rule that does not hold is
``FAILED`` rather than ``EXCEEDED``.

A finding about a slice (``core.slices``) shows it after the feature, ``fare [payment_type_Cash]``
(its own JUnit case); text and Markdown list a slice's measurements only when they exceed their
threshold and count the others (JSON has them all).
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from functools import cache

from dataguard.core.labels import MARKDOWN, TEXT, feature_label, finding_label
from dataguard.core.models import Anomaly, CheckResult, Metric, Outcome, Verdict

FORMATS = ("text", "json", "junit", "markdown")
_COLORS = {"pass": "32", "warn": "33", "fail": "31", "dim": "2", "bold": "1"}
_STYLE = {Outcome.FAIL: "fail", Outcome.WARN: "warn", Outcome.IGNORED: "dim", None: "dim"}
_MD_OK = f"{MARKDOWN.verdict_mark(Verdict.PASS)} ok"  # a measurement within its threshold


def render_check(result: CheckResult, fmt: str = "text", *, color: bool = False,
                 dashboard_url: str | None = None) -> str:
    renderers: dict[str, Callable[[CheckResult], str]] = {
        "text": lambda r: render_text(r, color=color),
        "json": lambda r: render_json(r, dashboard_url=dashboard_url),
        "junit": render_junit,
        "markdown": render_markdown,
    }
    if fmt not in renderers:
        from dataguard.errors import UsageError

        raise UsageError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    return renderers[fmt](result)


def summary_line(result: CheckResult) -> str:
    """One line: what was checked, the verdict and the counts (also what `--output` prints)."""
    exceeded = sum(m.exceeded for m in result.metrics)
    return (
        f"{result.dataset}/{result.batch}: {result.verdict.value} — "
        f"{len(result.anomalies)} anomal{'y' if len(result.anomalies) == 1 else 'ies'}, "
        f"{exceeded} of {len(result.metrics)} measurements over threshold"
    )


@cache
def _tfdv_types() -> frozenset[str]:
    """TFDV's anomaly type names, read when a check is rendered: importing the protos (~40 ms)
    at parser build time would slow every command, ``gate`` and ``--help`` included."""
    from tensorflow_metadata.proto.v0 import anomalies_pb2

    return frozenset(anomalies_pb2.AnomalyInfo.Type.keys())


def _shown(metrics: tuple[Metric, ...]) -> tuple[list[Metric], int]:
    """The measurements a reader gets listed (all of the whole batch's, a slice's when
    exceeded), and how many slice measurements within threshold are left out."""
    shown = [m for m in metrics if m.slice is None or m.exceeded]
    return _sorted_metrics(tuple(shown)), len(metrics) - len(shown)


def _left_out(hidden: int) -> str:
    return (f"… and {hidden} slice measurement{'s' if hidden != 1 else ''} within threshold "
            "(--format json lists them)")


def _severity(anomaly: Anomaly) -> str:
    """Whose severity it is: ``TFDV error`` for TFDV's anomaly types, ``rule warning`` for a
    custom rule, ``dataguard warning`` for the types dataguard adds (not measurable, PSI…,
    trend), so a reader is never sent to TFDV's docs for a finding TFDV never made."""
    if anomaly.kind.value == "rule":
        return f"rule {anomaly.severity}"
    source = "TFDV" if anomaly.type in _tfdv_types() else "dataguard"
    return f"{source} {anomaly.severity}"


def _exceeded(metric: Metric) -> str:
    """A rule is not a threshold to exceed (``num_examples > 1000`` fails when it is below)."""
    return "FAILED" if metric.comparison.value == "rule" else "EXCEEDED"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _sorted_metrics(metrics: tuple[Metric, ...]) -> list[Metric]:
    """Exceeded first, then the largest distances: what a reader should look at first."""
    return sorted(metrics, key=lambda m: (not m.exceeded, m.comparison, -m.value, m.feature))


# --- text -----------------------------------------------------------------------------------
def render_text(result: CheckResult, *, color: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if color else text

    verdict = result.verdict.value
    lines = [
        paint(f"{result.dataset} / {result.batch}: ", "bold") + paint(verdict.upper(), verdict),
        f"  schema v{result.schema_version} · baseline {result.baseline_batch or '-'} · "
        f"serving {result.serving_batch or '-'} · {result.num_examples:,} examples"
        + (f" · check {result.id}" if result.id is not None else ""),
    ]
    if result.anomalies:
        lines += ["", paint(f"Anomalies ({len(result.anomalies)})", "bold")]
        for a in result.anomalies:
            mark = paint(f"{TEXT.outcome(a.outcome):<9}", _STYLE[a.outcome])
            lines.append(f"  {mark} {a.kind.value:<6} {finding_label(a):<26} {a.type} "
                         f"({_severity(a)})")
            lines.append(paint(f"      {a.description}", "dim"))
    else:
        lines += ["", "No anomalies."]
    if result.metrics:
        lines += ["", paint(f"Measurements ({len(result.metrics)})", "bold")]
        lines.append(f"  {'comparison':<10} {'feature':<26} {'method':<16} "
                     f"{'value':>11} {'threshold':>10}  status")
        shown, hidden = _shown(result.metrics)
        for m in shown:
            status = (paint(f"{_exceeded(m)} {TEXT.outcome(m.outcome)}", _STYLE[m.outcome])
                      if m.exceeded else paint("ok", "dim"))
            lines.append(f"  {m.comparison:<10} {finding_label(m):<26} {m.method:<16} "
                         f"{_fmt(m.value):>11} {_fmt(m.threshold):>10}  {status}")
        if hidden:
            lines.append(paint(f"  {_left_out(hidden)}", "dim"))
    return "\n".join(lines)


# --- json -----------------------------------------------------------------------------------
def render_json(result: CheckResult, *, dashboard_url: str | None = None) -> str:
    return json.dumps(result.to_dict(dashboard_url), indent=2)


# --- junit ----------------------------------------------------------------------------------
def render_junit(result: CheckResult) -> str:
    cases: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: {"a": [], "m": []})
    features = {m.feature for m in result.metrics} | {a.feature for a in result.anomalies}
    for feature in features:
        cases[("schema", feature_label(feature))]  # every feature seen gets a schema case
    for a in result.anomalies:
        cases[(a.kind.value, finding_label(a))]["a"].append(a)
    for m in result.metrics:
        cases[(m.comparison, finding_label(m))]["m"].append(m)
    order = {"schema": 0, "drift": 1, "skew": 2}
    keys = sorted(cases, key=lambda k: (order.get(k[0], 3), k[1]))
    failures = sum(1 for k in keys if _junit_failed(cases[k]["a"], cases[k]["m"]))
    suite_name = f"dataguard.{result.dataset}.{result.batch}"
    root = ET.Element("testsuites", name="dataguard", tests=str(len(keys)),
                      failures=str(failures), errors="0")
    suite = ET.SubElement(root, "testsuite", name=suite_name, tests=str(len(keys)),
                          failures=str(failures), errors="0", skipped="0", time="0")
    props = ET.SubElement(suite, "properties")
    for name, value in (("verdict", result.verdict.value),
                        ("schema_version", result.schema_version),
                        ("baseline_batch", result.baseline_batch or ""),
                        ("serving_batch", result.serving_batch or ""),
                        ("num_examples", result.num_examples)):
        ET.SubElement(props, "property", name=name, value=str(value))
    for comparison, feature in keys:
        _junit_case(suite, result, comparison, feature, **cases[(comparison, feature)])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _fails(finding: Anomaly | Metric) -> bool:
    """The policy's outcome decides; without one (an old stored check), TFDV's severity does."""
    if finding.outcome is not None:
        return finding.outcome == Outcome.FAIL
    if isinstance(finding, Anomaly):
        return finding.severity == "error"
    return finding.exceeded


def _junit_failed(anomalies: list[Anomaly], metrics: list[Metric]) -> bool:
    return any(_fails(x) for x in anomalies) or any(_fails(x) for x in metrics)


def _junit_case(suite: ET.Element, result: CheckResult, comparison: str, feature: str,
                a: list[Anomaly], m: list[Metric]) -> None:
    case = ET.SubElement(suite, "testcase", name=f"{comparison}: {feature}",
                         classname=f"dataguard.{result.dataset}.{comparison}", time="0")
    lines = [f"{x.method} = {_fmt(x.value)} (threshold {_fmt(x.threshold)})"
             + (f" {_exceeded(x)}, {TEXT.outcome(x.outcome)}" if x.exceeded else "") for x in m]
    lines += [f"{TEXT.outcome(x.outcome)}: {x.type} ({_severity(x)}): {x.description}"
              for x in a]
    if _junit_failed(a, m):
        errors = [x for x in a if _fails(x)]
        message = errors[0].short_description if errors else "measurement over threshold"
        failure = ET.SubElement(case, "failure", message=message,
                                type=errors[0].type if errors else "THRESHOLD_EXCEEDED")
        failure.text = "\n".join(lines)
    elif lines:
        ET.SubElement(case, "system-out").text = "\n".join(lines)


# --- markdown -------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: CheckResult) -> str:
    verdict = result.verdict.value
    out = [
        f"### {MARKDOWN.verdict_mark(verdict)} dataguard check `{result.dataset}` / "
        f"`{result.batch}`: **{verdict}**",
        "",
        f"Schema v{result.schema_version} · baseline `{result.baseline_batch or '-'}` · serving "
        f"`{result.serving_batch or '-'}` · {result.num_examples:,} examples",
        "",
    ]
    if result.anomalies:
        out += ["| outcome | kind | feature | anomaly | severity | description |",
                "| --- | --- | --- | --- | --- | --- |"]
        out += [f"| {MARKDOWN.outcome(a.outcome)} | {a.kind.value} | "
                f"`{_cell(finding_label(a))}` | {a.type} | {a.severity} | "
                f"{_cell(a.description)} |" for a in result.anomalies]
    else:
        out.append("No anomalies.")
    if result.metrics:
        exceeded = [m for m in result.metrics if m.exceeded]
        out += ["", f"<details{' open' if exceeded else ''}><summary>{len(result.metrics)} "
                f"measurements, {len(exceeded)} over threshold</summary>", "",
                "| comparison | feature | method | value | threshold | |",
                "| --- | --- | --- | ---: | ---: | --- |"]
        shown, hidden = _shown(result.metrics)
        out += [f"| {m.comparison} | `{_cell(finding_label(m))}` | {m.method} | "
                f"{_fmt(m.value)} | {_fmt(m.threshold)} | "
                f"{MARKDOWN.outcome(m.outcome) if m.exceeded else _MD_OK} |"
                for m in shown]
        out += ["", _left_out(hidden)] if hidden else []
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


# --- files ----------------------------------------------------------------------------------
def write_report(result: CheckResult, fmt: str, output: str, *, color: bool = False,
                 dashboard_url: str | None = None) -> str:
    """Write the rendering to ``output`` atomically (local path or artifact URI)."""
    from dataguard.io.artifacts import write_atomic

    text = render_check(result, fmt, color=color, dashboard_url=dashboard_url)
    if not text.endswith("\n"):
        text += "\n"
    folder = os.path.dirname(output)
    if folder and "://" not in output:
        os.makedirs(folder, exist_ok=True)
    write_atomic(output, text.encode("utf-8"))
    return output


def verdict_exit_code(verdict: Verdict) -> int:
    """0 for pass or warn, 1 for fail (DESIGN.md)."""
    return 1 if verdict == Verdict.FAIL else 0
