"""Airflow example: validate the day's taxi batch on Dataflow, then train only if the data passed.

    validate_batch (Dataflow Flex Template, waits) ─► gate (dataguard gate) ─► train

``validate_batch`` records the check in the store and runs the hooks on a Dataflow worker; the
``gate`` task asks the store for that check's verdict: exit 0 (pass/warn) lets training run, exit
1 (fail) skips it (``skip_on_exit_code``), exit 2/3 (no check, store down) fail the task so
Airflow's retries and alerts apply. Copy it into your DAGs folder and set the Airflow Variables
``dataguard_project``, ``dataguard_bucket`` and ``dataguard_store_url`` (the SQLAlchemy URL the
gate reads, e.g. ``postgresql+psycopg://…``; keep it in a secrets backend); needs
``apache-airflow-providers-google``, and the ``dataguard`` command where ``gate`` runs: dataguard is
not on PyPI, so install it from this repository there (``pip install -r
requirements-runtime.lock && pip install --no-deps .`` in a checkout) or run the gate in the
command line image ``deploy/cli/Dockerfile`` (e.g. with ``KubernetesPodOperator``).
"""

from __future__ import annotations

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.google.cloud.operators.dataflow import DataflowStartFlexTemplateOperator

DATASET = "taxi"
REGION = "europe-west1"
PROJECT = "{{ var.value.dataguard_project }}"
BUCKET = "{{ var.value.dataguard_bucket }}"
WORKER_IMAGE = f"{REGION}-docker.pkg.dev/{PROJECT}/dataguard/worker:latest"

# Template parameters: names from deploy/dataflow/metadata.json (tests/jobs checks them).
PARAMETERS = {
    "job": "validate_batch",
    "dataset": DATASET,
    "batch": "{{ ds }}",
    "input": "gs://acme-ml-data/taxi/{{ ds }}/*.csv",
    "serving_input": "gs://acme-ml-data/taxi-serving/{{ ds }}/*.csv",
    "artifacts": f"gs://{BUCKET}/artifacts",
    "schemas_dir": f"gs://{BUCKET}/schemas",
    "config": f"gs://{BUCKET}/config/dataguard.toml",
    "secret_env": (
        f"DATAGUARD_STORE_URL=projects/{PROJECT}/secrets/dataguard-store-url/versions/latest"
    ),
}

with DAG(
    dag_id="taxi_validate_then_train",
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    tags=["dataguard"],
) as dag:
    validate_batch = DataflowStartFlexTemplateOperator(
        task_id="validate_batch",
        project_id=PROJECT,
        location=REGION,
        wait_until_finished=True,
        body={
            "launchParameter": {
                "jobName": "dataguard-validate-taxi-{{ ds_nodash }}",
                "containerSpecGcsPath": f"gs://{BUCKET}/templates/dataguard-latest.json",
                "parameters": PARAMETERS,
                "environment": {
                    "tempLocation": f"gs://{BUCKET}/tmp",
                    "sdkContainerImage": WORKER_IMAGE,
                    "serviceAccountEmail": f"dataguard-worker@{PROJECT}.iam.gserviceaccount.com",
                    "ipConfiguration": "WORKER_IP_PRIVATE",
                },
            }
        },
    )

    gate = BashOperator(
        task_id="gate",
        bash_command=f"dataguard gate {DATASET} --batch {{{{ ds }}}}",
        env={"DATAGUARD_STORE_URL": "{{ var.value.dataguard_store_url }}"},
        append_env=True,
        skip_on_exit_code=1,
    )

    train = BashOperator(
        task_id="train",
        bash_command="python -m acme.train --dataset taxi --day {{ ds }}",
    )

    validate_batch >> gate >> train
