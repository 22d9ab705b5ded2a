"""Daily descent retraining: warm-start train -> gate + publish (see docs/retraining.md).

Two SparkSubmitOperator tasks run the shaded job jar's org.descent.job.Main. The train task resumes from
its checkpoints when Airflow retries it; the publish task's exit code decides the branch: 0 promoted,
10 rejected by the gate (not a failure), 11 already published (re-run), anything else fails the task.
"""
from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

JAR = "/opt/descent/job/target/descent-job-0.1.0-SNAPSHOT-shaded.jar"
CONFIG = "/opt/descent/conf/fashion-mnist-mlp.conf"
STORE = "hdfs:///models"
NAME = "fashion-mnist"
VALIDATION = "hdfs:///data/fashion-mnist/test.parquet"
# One version per logical date: a re-run of the same day is idempotent.
VERSION = "{{ ds_nodash }}T000000Z"
CANDIDATE = f"{STORE}/{NAME}/candidates/{VERSION}"

def _choose_start(ti, ds_nodash, **_) -> str:
    """Reads `publish --status`: skips everything when today's version is already in the store (idempotent
    re-run), else pushes the current version to XCom and picks the warm or cold train task."""
    out = subprocess.run(
        ["spark-submit", "--class", "org.descent.job.Main", JAR, "publish", "--status",
         "--store", STORE, "--name", NAME, "--version", f"{ds_nodash}T000000Z"],
        check=True, capture_output=True, text=True,
    ).stdout
    current = next((line[len("current="):] for line in out.splitlines() if line.startswith("current=")), "")
    if "version=present" in out.splitlines():
        return "already_published"
    ti.xcom_push(key="current", value=current)
    return "train_warm" if current else "train_cold"


def _render(template: str) -> str:
    from airflow.operators.python import get_current_context

    return get_current_context()["task"].render_template(template, get_current_context())


default_args = {"retries": 2, "retry_delay": timedelta(minutes=10)}

with DAG(
    dag_id="descent_retrain",
    start_date=datetime(2026, 1, 1),
    schedule="0 3 * * *",
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["descent"],
) as dag:
    # Warm start: the task reads the store's current pointer at run time (empty on the first run).
    warm_start = BranchPythonOperator(
        task_id="warm_start_source",
        python_callable=_choose_start,
    )

    common_train_args = [
        "train", "--config", CONFIG, "--resume",
        "--set", f'output.model-path="{CANDIDATE}"',
        "--set", f'checkpoint.dir="{CANDIDATE}.ckpt"',
        "--set", "output.overwrite=true",
    ]
    train_warm = SparkSubmitOperator(
        task_id="train_warm",
        application=JAR,
        java_class="org.descent.job.Main",
        application_args=common_train_args + ["--init-from", f"{STORE}/{NAME}/versions/" + "{{ ti.xcom_pull(task_ids='warm_start_source', key='current') }}"],
        conn_id="spark_default",
    )
    train_cold = SparkSubmitOperator(
        task_id="train_cold",
        application=JAR,
        java_class="org.descent.job.Main",
        application_args=common_train_args,
        conn_id="spark_default",
    )

    def _publish(**_):
        """Runs publish via spark-submit and turns its exit code into a branch."""
        cmd = [
            "spark-submit", "--class", "org.descent.job.Main", JAR,
            "publish", "--store", STORE, "--name", NAME, "--version", _render(VERSION),
            "--candidate", _render(CANDIDATE), "--validation", VALIDATION,
            "--metric", "accuracy", "--tolerance", "0.005", "--keep", "5", "--move",
        ]
        rc = subprocess.run(cmd, check=False).returncode
        if rc in (0, 11):
            return "promoted"
        if rc == 10:
            return "rejected_by_gate"
        raise RuntimeError(f"descent publish failed with exit code {rc}")

    publish = BranchPythonOperator(
        task_id="publish",
        python_callable=_publish,
        trigger_rule="none_failed_min_one_success",  # one train branch ran, the other was skipped
    )
    promoted = EmptyOperator(task_id="promoted")
    rejected = EmptyOperator(task_id="rejected_by_gate")
    already = EmptyOperator(task_id="already_published")

    warm_start >> [train_warm, train_cold] >> publish >> [promoted, rejected]
    warm_start >> already

