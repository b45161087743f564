"""What the docs tell a newcomer to run or to use exists and does what they say (issue 14.8)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def tour() -> str:
    return README.split("## A five-minute tour", 1)[1].split("```bash", 1)[1].split("```", 1)[0]


def test_the_docs_point_at_no_design_md_which_the_repository_lacks() -> None:
    assert not (REPO / "DESIGN.md").exists()
    for doc in [REPO / "README.md", *(REPO / "docs").glob("*.md"), REPO / "deploy" / "README.md"]:
        assert "DESIGN.md" not in doc.read_text(encoding="utf-8"), doc


def test_the_tour_makes_the_serving_file_it_uses_like_make_demo_does(
    tmp_path: Path, shared_data: Path
) -> None:
    from dataguard.cli.demo_cmd import write_serving_requests

    lines = tour().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("python -c "))
    end = next(i for i in range(start, len(lines)) if "> serving-2026-11-25.csv" in lines[i])
    command = "\n".join(lines[start : end + 1])
    assert "dataguard stats taxi 2026-11-25 --role serving --input serving-2026-11-25.csv" in tour()
    work = tmp_path / "checkout"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)  # the tour's ../shared/data
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    proc = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    write_serving_requests(shared_data / "taxi" / "batch_b.csv", tmp_path / "demo.csv")
    with open(work / "serving-2026-11-25.csv", newline="") as a, \
            open(tmp_path / "demo.csv", newline="") as b:
        made, demo = list(csv.reader(a)), list(csv.reader(b))
    assert "tips" not in made[0] and len(made) == len(demo) > 1000
    assert made == demo


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_tours_schema_review_command_shows_the_new_file(tmp_path: Path) -> None:
    (line,) = [x for x in tour().splitlines() if "git diff schemas/" in x]
    command = line.split("#", 1)[0].strip()
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "README.md").write_text("x\n")
    subprocess.run([*git, "add", "README.md"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    (tmp_path / "schemas" / "taxi").mkdir(parents=True)
    (tmp_path / "schemas" / "taxi" / "v1.pbtxt").write_text('feature { name: "fare" }\n')
    out = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout
    assert "new file" in out and "+++ b/schemas/taxi/v1.pbtxt" in out
    assert '+feature { name: "fare" }' in out


def test_the_readme_speed_claims_are_its_measured_table() -> None:
    row = {m.group(1): (float(m.group(2)), float(m.group(3).replace(",", "")))
           for m in re.finditer(r"^\| (.+?) \| \**([\d.]+) s\** \| ([\d,]+) MB \|", README, re.M)}
    local = row["`dataguard stats` (local engine)"]
    tfdv = row["TFDV `generate_statistics_from_csv`"]
    speedup = round(tfdv[0] / local[0])
    memory = tfdv[1] / local[1]
    intro = README.split("## Two commands", 1)[0]
    assert f"{speedup}x faster" in intro and speedup == 34
    assert 4.5 < memory < 5.5 and "a fifth of the memory" in intro
    assert f"{local[0]:g} s" in intro and f"{tfdv[0]:g} s" in intro
    assert f"That is {speedup}x TFDV's wall time" in README


def test_the_kfp_example_uses_the_cli_image_the_repository_ships() -> None:
    kfp = README.split("### Kubeflow Pipelines", 1)[1].split("###", 1)[0]
    assert "deploy/cli/Dockerfile" in kfp
    dockerfile = (REPO / "deploy" / "cli" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11", dockerfile, re.M)
    assert "pip install -r requirements-runtime.lock" in dockerfile
    assert "requirements.lock" not in dockerfile.replace("requirements-runtime.lock", "")
    assert re.search(r'^ENTRYPOINT \["dataguard"\]', dockerfile, re.M)


def test_the_airflow_dag_does_not_pip_install_a_package_that_is_not_on_pypi() -> None:
    dag = (REPO / "deploy" / "schedule" / "airflow_dag.py").read_text(encoding="utf-8")
    assert "pip install dataguard" not in dag
    assert "deploy/cli/Dockerfile" in dag


def pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)$", text, re.M))


def test_job_images_install_the_runtime_lock_the_same_pins_without_dev_tools() -> None:
    runtime, full = pins(REPO / "requirements-runtime.lock"), pins(REPO / "requirements.lock")
    assert runtime and all(full[name] == version for name, version in runtime.items())
    for tool in ("pytest", "pytest-xdist", "ruff", "mypy", "import-linter", "aiosmtpd"):
        assert tool in full and tool not in runtime
    for name in ("tensorflow-data-validation", "apache-beam", "sqlalchemy", "streamlit"):
        assert name in runtime
    for image in ("Dockerfile", "Dockerfile.worker"):
        text = (REPO / "deploy" / "dataflow" / image).read_text(encoding="utf-8")
        assert "pip install --no-cache-dir -r requirements-runtime.lock" in text
        assert "-r requirements.lock" not in text
    lock = (REPO / "Makefile").read_text(encoding="utf-8").split("\nlock:", 1)[1].split("\n\n")[0]
    assert "-o requirements.lock" in lock and "-o requirements-runtime.lock" in lock
