"""Throughput and latency of the generated service against two references.

Writes a tabular data set with categorical columns and missing values (customers:
an id, two numbers with gaps, two categories with gaps, a yes/no target), generates
a project from it with `mlplate new --data dataset=... --data target=churned`,
trains it, then serves the same champion pipeline three ways on 127.0.0.1 and loads
each with wrk (bounded: a fixed duration per run, loopback only):
  1. the generated FastAPI service (`uvicorn <pkg>.serve:app`), with its prediction
     log on (the default) and off: the log's cost,
  2. a bare FastAPI endpoint (JSON row -> one-row DataFrame -> pipeline): the floor cost,
  3. `mlflow models serve` on the same registered model.
Each request is one row with a missing number. The generated service's runtime
(onnxruntime when the converted pipeline was checked equal, else scikit-learn) is
printed from its /health. Reports requests/s and p50/p99
latency at 1, 8 and 32 connections, and the ratios (targets: throughput >= 1.0x the
bare endpoint and >= 8x mlflow models serve; p99 <= 1.2x the bare endpoint's).

The three servers run side by side and take turns under wrk for --rounds rounds;
each figure is the median round, so a busy spell on a shared machine hits all alike.

    uv run python bench/bench_serve.py [--duration 3] [--rounds 3] [--project DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

from _common import run, scratch, table, tool

HERE = Path(__file__).resolve().parent
CONNECTIONS = (1, 8, 32)
TARGET = "churned"
LOG_OFF = "generated service, log off"
# One request row: a missing number (age), the rest as in the data.
ROW = {"age": None, "income": 61_250.0, "plan": "pro", "region": "east"}


def write_customers(path: Path, rows: int = 2_000) -> None:
    """Customers with gaps in numbers and categories; churn depends on age, plan and income."""
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_id", "age", "income", "plan", "region", TARGET])
        for i in range(rows):
            age = rng.randint(18, 80)
            income = round(rng.gauss(50_000, 15_000))
            plan = rng.choice(["basic", "plus", "pro"])
            score = (
                0.06 * (age - 48)
                + {"basic": -2.0, "plus": 0.0, "pro": 2.0}[plan]
                + (income - 50_000) / 20_000
                + rng.gauss(0, 0.25)
            )
            out.writerow(
                [
                    1000 + i,
                    "" if rng.random() < 0.08 else age,
                    income,
                    "" if rng.random() < 0.06 else plan,
                    rng.choice(["north", "south", "east", "west"]),
                    "yes" if score > 0 else "no",
                ]
            )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(cmd: list[str], *, cwd: Path, env: dict[str, str], probe: str):
    """Run a server until the block ends; wait for `probe` to answer first."""
    with subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as proc:
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(probe, timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not start: {' '.join(cmd)}") from None
                    time.sleep(0.5)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _post(url: str, body: dict) -> object:
    """The label one server predicts for the body's row."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["predictions"][0]


def _runtime(health_url: str) -> str:
    """What computes the generated service's predictions, from its /health."""
    with urllib.request.urlopen(health_url, timeout=30) as response:
        model = json.load(response)["model"]
    return f"generated service runtime: {model['runtime']} {model.get('fallback', '')}".strip()


def wrk(
    url: str, body: dict, connections: int, duration: int, workdir: Path
) -> tuple[float, float, float]:
    """Requests/s, p50 and p99 (seconds) from one bounded wrk run."""
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(body))}\n"
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("P50 %f\\nP99 %f\\n",\n'
        "    latency:percentile(50), latency:percentile(99)))\n"
        "end\n"
    )
    threads = min(connections, 2)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = float(re.search(r"P50 ([\d.]+)", out).group(1)) / 1000
    p99 = float(re.search(r"P99 ([\d.]+)", out).group(1)) / 1000
    if "Non-2xx" in out:
        raise RuntimeError(f"non-2xx responses from {url}:\n{out}")
    return rps, p50, p99


def prepare(project: Path | None, work: Path) -> tuple[Path, str, dict[str, str]]:
    """Generate (or reuse), install and train a project; returns it, its package and env."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    if project is None:
        project = work / "project"
        data = work / "customers.csv"
        write_customers(data)
        run(
            [tool("mlplate"), "new", str(project), "--defaults", "-q"]
            + ["--data", f"dataset={data}", "--data", f"target={TARGET}"],
            env=env,
        )
    answers = (project / ".copier-answers.yml").read_text()
    package = re.search(r"^package_name: (\S+)", answers, re.M).group(1)
    run(["uv", "sync", "--locked"], cwd=project, env=env)
    if not (project / "reports/last_run.json").exists():
        run(["uv", "run", "--no-sync", "python", "-m", f"{package}.data"], cwd=project, env=env)
        trained = subprocess.run(
            ["uv", "run", "--no-sync", "python", "-m", f"{package}.train"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if trained.returncode != 0:
            sys.exit(
                f"training failed or the gate refused the model:\n{trained.stdout}{trained.stderr}"
            )
    return project, package, env


def _median_run(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The run with the median throughput of a server's rounds (its own p50 and p99)."""
    return sorted(runs)[len(runs) // 2]


def print_results(results: dict[str, dict[int, tuple[float, float, float]]]) -> None:
    """The table of every run, then the ratios against both references."""
    rows = [("server", "conns", "req/s", "p50 ms", "p99 ms")]
    for name, by_conn in results.items():
        for conns, (rps, p50, p99) in by_conn.items():
            rows.append((name, str(conns), f"{rps:.0f}", f"{p50:.2f}", f"{p99:.2f}"))
    print(table(rows))
    for conns in CONNECTIONS:
        ours, _, our_p99 = results["generated service"][conns]
        bare, _, bare_p99 = results["bare DataFrame endpoint"][conns]
        print(
            f"{conns:>2} conns: generated / bare = {ours / bare:.2f}x (target >= 1.0), "
            f"generated / mlflow serve = "
            f"{ours / results['mlflow models serve'][conns][0]:.1f}x (target >= 8), "
            f"p99 generated / bare = {our_p99 / bare_p99:.2f}x (target <= 1.2)"
        )
    for conns in CONNECTIONS:
        logged, _, logged_p99 = results["generated service"][conns]
        plain, _, plain_p99 = results[LOG_OFF][conns]
        print(
            f"{conns:>2} conns: prediction log on / off = {logged / plain:.2f}x throughput"
            f" (target >= 0.9), p99 {logged_p99 / plain_p99:.2f}x"
        )


def main() -> None:
    """Serve the model three ways, load each, print the table and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs per server and connection count"
    )
    parser.add_argument("--project", type=Path, default=None, help="an already generated project")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    work = scratch()
    try:
        project, package, env = prepare(args.project, work)
        py = str(project / ".venv/bin/python")
        model_uri = f"models:/{package}@champion"
        env = {
            **env,
            "MLFLOW_TRACKING_URI": f"sqlite:///{project}/mlruns/mlflow.db",
            # mlflow models serve starts `uvicorn` from PATH.
            "PATH": f"{project / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        }
        features = ",".join(ROW)

        def uvicorn(app: str, *extra: str) -> list[str]:
            return [
                py,
                "-m",
                "uvicorn",
                app,
                *extra,
                "--host",
                "127.0.0.1",
                "--log-level",
                "warning",
            ]

        contenders = {
            "generated service": (
                uvicorn(f"{package}.serve:app"),
                "/predict",
                {"rows": [ROW]},
                "/ready",
            ),
            LOG_OFF: (
                uvicorn(f"{package}.serve:app"),
                "/predict",
                {"rows": [ROW]},
                "/ready",
            ),
            "bare DataFrame endpoint": (
                uvicorn("bare_server:app", "--app-dir", str(HERE)),
                "/predict",
                {"rows": [ROW]},
                "/docs",
            ),
            "mlflow models serve": (
                [
                    py,
                    "-m",
                    "mlflow",
                    "models",
                    "serve",
                    "-m",
                    model_uri,
                    "--env-manager",
                    "local",
                    "--workers",  # one worker, as the other two: its default is one per CPU
                    "1",
                    "--host",
                    "127.0.0.1",
                ],
                "/invocations",
                {"dataframe_split": {"columns": list(ROW), "data": [list(ROW.values())]}},
                "/ping",
            ),
        }
        answers: dict[str, object] = {}
        urls: dict[str, tuple[str, dict]] = {}
        with ExitStack() as running:
            for name, (cmd, path, body, probe) in contenders.items():
                port = _free_port()
                server_env = {**env, "MODEL_URI": model_uri, "FEATURES": features}
                # The generated service logs every row (the default) into the scratch
                # folder; LOG_OFF is the same service with the prediction log switched off.
                log = f"{package.upper()}_SERVE__PREDICTION_LOG__"
                server_env[f"{log}DIR"] = str(work / "prediction-log")
                if name == LOG_OFF:
                    server_env[f"{log}ENABLED"] = "false"
                running.enter_context(
                    server(
                        [*cmd, "--port", str(port)],
                        cwd=project,
                        env=server_env,
                        probe=f"http://127.0.0.1:{port}{probe}",
                    )
                )
                urls[name] = (f"http://127.0.0.1:{port}{path}", body)
                if name == "generated service":
                    print(_runtime(f"http://127.0.0.1:{port}/health"))
                answers[name] = _post(*urls[name])
                wrk(*urls[name], 8, 1, work)  # warm-up
            # All three run at once, idle but for the one under load; the runs take turns
            # round after round, so a busy spell on a shared machine hits each alike.
            samples: dict[str, dict[int, list[tuple[float, float, float]]]] = {
                name: {c: [] for c in CONNECTIONS} for name in urls
            }
            for _ in range(args.rounds):
                for conns in CONNECTIONS:
                    for name, (url, body) in urls.items():
                        samples[name][conns].append(wrk(url, body, conns, args.duration, work))
        results = {
            name: {c: _median_run(runs) for c, runs in by_conn.items()}
            for name, by_conn in samples.items()
        }
        print_results(results)
        print(f"prediction for the row: {answers}")
        if len({json.dumps(a) for a in answers.values()}) != 1:
            sys.exit("the servers disagree: they are not serving the same pipeline")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
