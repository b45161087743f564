"""The local engine loads TFDV's generators without TensorFlow, and TFDV still works after."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=300, cwd=REPO,
    )


@pytest.mark.slow
def test_statistics_are_computed_without_importing_tensorflow(taxi: Path) -> None:
    proc = _run(f"""
        import sys
        from dataguard.io.sources import resolve_inputs
        from dataguard.stats.local import compute_statistics
        stats = compute_statistics(resolve_inputs([{str(taxi / "train.csv")!r}]))
        assert stats.datasets[0].num_examples == 15002
        assert "tensorflow" not in sys.modules, "TensorFlow was imported"
        assert "tensorflow_data_validation" not in sys.modules  # the package stand-in is gone
        assert not [m for m in sys.modules if m.startswith("apache_beam")], "Beam was imported"
        print("ok")
    """)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


@pytest.mark.slow
def test_full_tfdv_works_in_the_same_process_afterwards(penguin: Path) -> None:
    # `dataguard run` computes statistics, then validates them with tfdv in the same process.
    proc = _run(f"""
        from dataguard.io.sources import resolve_inputs
        from dataguard.stats.local import compute_statistics
        stats = compute_statistics(resolve_inputs([{str(penguin / "train.csv")!r}]))
        import tensorflow_data_validation as tfdv
        from tensorflow_data_validation.utils import io_util
        schema = tfdv.infer_schema(stats)
        anomalies = tfdv.validate_statistics(stats, schema)
        assert not anomalies.anomaly_info, anomalies
        assert io_util.tf.io.gfile.exists({str(penguin / "train.csv")!r})  # real TF behind it
        import apache_beam as beam
        from tensorflow_data_validation import types
        assert issubclass(types._ArrowRecordBatchCoder, beam.coders.Coder)  # real Beam behind it
        print("ok")
    """)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
