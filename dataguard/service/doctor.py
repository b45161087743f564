"""``doctor``: what crashes left behind, found by comparing the folders with the store.

    report = examine()                 # read-only
    report = examine(fix=True)         # removes orphan artifacts, sets orphan schema files aside
    report.clean                       # nothing found (or everything found was fixed)

Reruns heal their own batch or schema version (``service.stats``, ``service.schemas``); doctor
covers the rest:

- **orphan artifact**: a file under the artifacts root that no batch row points to (a ``stats``
  run killed between writing and committing, a raced ``--replace``, a temporary file of a killed
  write). ``fix`` deletes it.
- **orphan schema file**: ``schemas/<dataset>/v<N>.pbtxt`` (or a temporary file) with no schema
  version row. ``fix`` moves it aside to ``….orphan-<UTC time>``: schema files are reviewed
  text, never deleted. Files already set aside are not reported again.
- **sha256 mismatch** / **missing file**: a row whose file changed or is gone. Nothing can
  fix that here; the finding says what to do.

Files younger than ``grace`` seconds may belong to a run in progress: they are reported but
never removed (``grace=0`` removes them too).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from dataguard.config import Settings
from dataguard.errors import DataguardError
from dataguard.io import artifacts
from dataguard.io.sources import is_remote, local_path
from dataguard.service.context import Context
from dataguard.store import Store, open_store

DEFAULT_GRACE_SECONDS = 600.0
ORPHAN, MISMATCH, MISSING = "orphan", "sha256 mismatch", "missing"


@dataclass(frozen=True)
class Finding:
    kind: str  # ORPHAN | MISMATCH | MISSING
    path: str
    what: str  # "artifact" | "schema file"
    action: str  # what was done, or what to do


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)
    fixed: int = 0

    @property
    def clean(self) -> bool:
        """Nothing left to do: no finding, or every one fixed."""
        return self.fixed == len(self.findings)


@dataclass(frozen=True)
class _Recorded:
    path: str
    sha256: str
    what: str
    fix_hint: str


def examine(
    *, fix: bool = False, grace: float = DEFAULT_GRACE_SECONDS, settings: Settings | None = None
) -> DoctorReport:
    """Compare the artifacts root and the schemas folder with the store's rows."""
    ctx = Context.create(settings)
    recorded = _recorded(ctx)
    report = DoctorReport()
    for row in recorded.values():
        _verify(row, report)
    now = time.time()
    for root, what in ((ctx.settings.artifacts, "artifact"),
                       (ctx.settings.schemas_dir, "schema file")):
        for path, mtime in artifacts.list_folder(_absolute(root), recursive=True):
            if _normal(path) in recorded or (what == "schema file" and ".orphan-" in path):
                continue
            if what == "schema file" and not path.endswith(".pbtxt"):
                continue  # README.md and the like: schemas/ is a reviewed folder
            report.findings.append(_orphan(path, what, fix and now - mtime >= grace, report))
    return report


def _recorded(ctx: Context) -> dict[str, _Recorded]:
    """Every file a store row points to, by normalized path."""
    found: dict[str, _Recorded] = {}
    store = open_store(ctx.settings.store_url, read_only=True)  # never creates or migrates
    try:
        _collect(ctx, store, found)
    finally:
        store.dispose()
    return found


def _collect(ctx: Context, store: Store, found: dict[str, _Recorded]) -> None:
    with store.read() as q:
        for dataset in q.list_datasets():
            for batch in q.list_batches(dataset):
                hint = (f"re-run `dataguard stats {dataset} {batch.name} --role "
                        f"{batch.role.value} --input … --replace`, or restore the file")
                found[_normal(batch.artifact_uri)] = _Recorded(
                    batch.artifact_uri, batch.sha256, "artifact", hint)
            for version in q.list_schema_versions(dataset):
                hint = (f"restore schema v{version.version} of {dataset!r} (git checkout); "
                        "versions are immutable: import an edit as a new version")
                path = version.path
                moved = artifacts.join(_absolute(ctx.settings.schemas_dir), dataset,
                                       f"v{version.version}.pbtxt")
                if not artifacts.exists(path) and artifacts.exists(moved):
                    path = moved  # a checkout moved: schemas/ next to the config (as `check`)
                found[_normal(path)] = _Recorded(path, version.sha256, "schema file", hint)


def _verify(row: _Recorded, report: DoctorReport) -> None:
    try:
        if not artifacts.exists(row.path):
            report.findings.append(Finding(MISSING, row.path, row.what, row.fix_hint))
            return
        data = artifacts.read_bytes(row.path)
    except DataguardError as exc:
        report.findings.append(Finding(MISSING, row.path, row.what, f"{exc}; {row.fix_hint}"))
        return
    if artifacts.sha256_hex(data) != row.sha256:
        report.findings.append(Finding(MISMATCH, row.path, row.what, row.fix_hint))


def _orphan(path: str, what: str, remove: bool, report: DoctorReport) -> Finding:
    if not remove:
        return Finding(ORPHAN, path, what, "no store row; `dataguard doctor --fix` "
                       + ("deletes it" if what == "artifact" else "moves it aside"))
    try:
        if what == "artifact":
            artifacts.delete(path)
            action = "deleted"
        else:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            artifacts.move(path, f"{path}.orphan-{stamp}")
            action = f"moved aside to {path}.orphan-{stamp}"
    except DataguardError as exc:
        return Finding(ORPHAN, path, what, f"not fixed: {exc}")
    report.fixed += 1
    return Finding(ORPHAN, path, what, action)


def _absolute(root: str) -> str:
    return root if is_remote(root) else os.path.abspath(local_path(root))


def _normal(path: str) -> str:
    return path.rstrip("/") if is_remote(path) else os.path.realpath(local_path(path))
