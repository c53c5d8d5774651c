"""`mlplate new --data dataset=... --data target=...` on real data sets, end to end.

scikit-learn's bundled breast_cancer (binary, CSV), wine (multiclass, Parquet) and
diabetes (regression, CSV), and a CSV built here with categorical columns, missing
values, an id column and rows without a target. Each generated project must pass its
own tests, keep its data file byte for byte through `make data`, train past the
default gate, serve `/predict` (also with a missing number), describe its inputs in
the OIP metadata, flag a shifted batch as drift, and name nothing of the iris sample.
The data sets also hold names people use (spaces, a keyword, unicode), a semicolon
Latin-1 file, dates and booleans with a free-text column, 300 columns and a regression with
categories; `/predict` gets a row exactly as in the file (ids, target and all), and a
wrong type is a 422 naming the column.
The checks mlplate makes before rendering are not end-to-end: they run in seconds.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mlplate.new import new
from tests.e2e.conftest import Project

ROOT = Path(__file__).resolve().parents[2]
QUESTION_MARK = "🎤".encode()  # copier draws it before every question
IRIS_WORDS = re.compile(r"iris|sepal|petal|setosa", re.IGNORECASE)

# Run inside the generated project's environment: serve one complete row and one with a
# missing number through the real app, read the OIP metadata, print what came back.
PROBE = r"""
import importlib, json, math, sys
from pathlib import Path
import pandas as pd
from fastapi.testclient import TestClient

package, data = sys.argv[1], Path(sys.argv[2])
contracts = importlib.import_module(f"{package}.data.contract")
contract = contracts.load_contract()
serve = importlib.import_module(f"{package}.serve")
# Read as the project reads it (its separator and encoding); a row exactly as in the file:
# every column (ids, ignored ones and the target too), with the file's own names.
frame = contracts.read_table(data, contract.read_options_for(data))
names = [f.name for f in contract.features]
complete = frame.dropna(subset=names).iloc[:1]
row = json.loads(complete.to_json(orient="records", date_format="iso"))[0]
numeric = next(f.name for f in contract.features if f.kind == "numeric" and not f.boolean)
missing = {**row, numeric: None}
out = {"features": [[f.name, f.kind] for f in contract.features], "task": contract.task,
       "classes": [str(c) for c in contract.classes]}
with TestClient(serve.app) as client:
    for name, body in (("complete", row), ("missing", missing)):
        answer = client.post("/predict", json={"rows": [body]})
        out[name] = {"status": answer.status_code, "body": answer.json()}
    wrong = {**row, numeric: "not a number"}
    answer = client.post("/predict", json={"rows": [wrong]})
    out["wrong"] = {"status": answer.status_code, "body": answer.json()}
    out["numeric"] = numeric
    out["ids"] = {name: row.get(name) for name in contract.ids}
    meta = client.get(f"/v2/models/{package}")
    out["metadata"] = {"status": meta.status_code, "body": meta.json()}

# A batch without the target: every number moved by three spreads, one category only.
batch = frame.drop(columns=[contract.target])
for f in contract.features:
    if f.kind == "numeric":
        shifted = batch[f.name].astype(float)
        batch[f.name] = 1.0 - shifted if f.boolean else shifted + 3 * (float(shifted.std()) or 1.0)
    else:
        batch[f.name] = batch[f.name].dropna().iloc[0]
batch.to_csv(sys.argv[3], index=False)
print(json.dumps(out))
"""


# Run with scikit-learn, pandas and pyarrow (the generated projects' pins, so uv's cache
# serves both): write the four data sets into the directory given.
BUILD = r"""
import re, sys
from pathlib import Path
import numpy as np
import pandas as pd
import sklearn.datasets

out = Path(sys.argv[1])

def bundled(loader):
    frame = getattr(sklearn.datasets, loader)(as_frame=True).frame
    return frame.rename(columns=lambda name: re.sub(r"\W+", "_", name).strip("_"))

bundled("load_breast_cancer").to_csv(out / "tumours.csv", index=False)
bundled("load_wine").to_parquet(out / "wine.parquet", index=False)
bundled("load_diabetes").to_csv(out / "diabetes.csv", index=False)

# Customers: an id, numbers and categories with gaps, and some rows without a label.
rng = np.random.default_rng(7)
n = 400
age = rng.integers(18, 80, n).astype(float)
income = rng.normal(50_000, 15_000, n).round(0)
plan = rng.choice(["basic", "plus", "pro"], n)
region = rng.choice(["north", "south", "east", "west"], n)
score = (0.06 * (age - 48) + 2.0 * (plan == "pro") - 2.0 * (plan == "basic")
         + (income - 50_000) / 20_000 + rng.normal(0, 0.5, n))
frame = pd.DataFrame({"customer_id": np.arange(1000, 1000 + n), "age": age, "income": income,
                      "plan": plan, "region": region, "churned": np.where(score > 0, "yes", "no")})
frame.loc[rng.choice(n, 30, replace=False), "age"] = np.nan
frame.loc[rng.choice(n, 25, replace=False), "plan"] = None
frame.loc[rng.choice(n, 12, replace=False), "churned"] = None
frame.to_csv(out / "customers.csv", index=False)

# Names people use: spaces, a keyword, units, a dot, a leading digit, unicode.
cancer = sklearn.datasets.load_breast_cancer(as_frame=True).frame
names = pd.DataFrame({
    "mean radius": cancer["mean radius"], "class": rng.choice(["a", "b", "c"], len(cancer)),
    "Body Mass (g)": cancer["mean area"] * 3, "price.usd": cancer["mean texture"],
    "2nd visit": cancer["worst radius"], "naïve score": cancer["mean smoothness"],
    "diagnosis": np.where(cancer["target"] == 1, "benign", "malignant")})
names.to_csv(out / "names.csv", index=False)

# Semicolons and Latin-1, as a spreadsheet in a European locale saves them.
m = 300
regiao = rng.choice(["São Paulo", "Paraná", "Ceará"], m)
valor = (rng.normal(100, 20, m) + 30 * (regiao == "Ceará")).round(2)
classe = np.where(valor + rng.normal(0, 5, m) > 110, "alto", "baixo")
pd.DataFrame({"região": regiao, "valor": valor, "idade": rng.integers(18, 80, m),
              "classe": classe}).to_csv(out / "vendas.csv", index=False, sep=";",
                                        encoding="latin-1")

# Dates, booleans and a free-text column (all values unique: not a feature).
k = 400
day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, k), unit="D")
member = rng.choice([True, False], k)
amount = rng.gamma(2.0, 20.0, k).round(2)
late = (amount / 40 + 1.5 * (~member) + 0.8 * day.month.isin([11, 12])
        + rng.normal(0, 0.5, k)) > 2
pd.DataFrame({"order day": day.strftime("%Y-%m-%d"), "member": member, "amount": amount,
              "note": [f"order {i} left at door {rng.integers(1, 99)}" for i in range(k)],
              "late": late}).to_csv(out / "orders.csv", index=False)

# 300 numeric columns.
wide = pd.DataFrame(rng.normal(0, 1, (400, 300)), columns=[f"x{i}" for i in range(300)])
wide["y"] = np.where(wide["x0"] + wide["x1"] > 0, "pos", "neg")
wide.to_csv(out / "wide.csv", index=False)

# A regression with categories: a price, never negative.
r = 500
cut = rng.choice(["Fair", "Good", "Ideal"], r)
carat = rng.uniform(0.2, 2.5, r).round(2)
price = (carat ** 1.7 * 4000 * np.select([cut == "Fair", cut == "Good"], [0.7, 0.9], 1.1)
         + rng.normal(0, 200, r)).clip(300).round(0)
pd.DataFrame({"carat": carat, "cut": cut, "colour": rng.choice(list("DEFGH"), r),
              "price": price}).to_csv(out / "gems.csv", index=False)
"""

DATA_SETS = {
    # name: (file, target, task the contract must infer)
    "breast_cancer": ("tumours.csv", "target", "classification"),
    "wine": ("wine.parquet", "target", "classification"),
    "diabetes": ("diabetes.csv", "target", "regression"),
    "customers": ("customers.csv", "churned", "classification"),
    "names": ("names.csv", "diagnosis", "classification"),
    "semicolon-latin1": ("vendas.csv", "classe", "classification"),
    "dates-booleans-text": ("orders.csv", "late", "classification"),
    "wide": ("wide.csv", "y", "classification"),
    "regression-categories": ("gems.csv", "price", "regression"),
}


@pytest.fixture(name="data_files", scope="session")
def fixture_data_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four data sets, written once per session."""
    out = tmp_path_factory.mktemp("incoming")
    pins = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))["pins"]["default"]
    withs = [
        f"{package}=={pins[pin]}" if pin in pins else package
        for package, pin in (
            ("scikit-learn", "scikit_learn"),
            ("pandas", "pandas"),
            ("numpy", "numpy"),
            ("pyarrow", "pyarrow"),
        )
    ]
    script = out / "build.py"
    script.write_text(BUILD, encoding="utf-8")
    args = ["uv", "run", "--no-project", "--quiet"]
    for spec in withs:
        args += ["--with", spec]
    done = subprocess.run(
        [*args, "python", str(script), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    assert done.returncode == 0, done.stderr
    script.unlink()
    return out


def _make(project: Project, *targets: str, **variables: str) -> subprocess.CompletedProcess[str]:
    assigns = [f"{k}={v}" for k, v in variables.items()]
    return project.run("make", *targets, *assigns, timeout=900)


@pytest.fixture(name="own_project", scope="session")
def fixture_own_project(
    tmp_path_factory: pytest.TempPathFactory, data_files: Path
) -> Callable[[str], tuple[Project, Path, dict]]:
    """Generate (once per session) a project from a named data set: new, sync, data, train."""
    made: dict[str, tuple[Project, Path, dict]] = {}

    def make(name: str) -> tuple[Project, Path, dict]:
        if name in made:
            return made[name]
        file_name, target, _ = DATA_SETS[name]
        work = tmp_path_factory.mktemp(f"own-{name}")
        source = data_files / file_name
        result = new(work / name, data={"dataset": str(source), "target": target})
        project = Project(root=result.destination, package=str(result.answers["package_name"]))
        # Bytecode compiles as modules are first imported: only what the checks use.
        project.must("uv", "sync", "--locked", "--no-compile-bytecode")
        steps = {"new": result, "data": _make(project, "data")}
        steps["data_bytes"] = (project.root / "data/raw" / file_name).read_bytes()
        steps["train"] = _make(project, "train")
        made[name] = (project, source, steps)
        return made[name]

    return make


def _probe(project: Project, data: Path, tmp_path: Path) -> dict:
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    done = project.uv_run("python", script, project.package, data, tmp_path / "shifted.csv")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first_commit(project: Project, source: Path, in_project: str, target: str) -> list[str]:
    """The answers and configuration name the data by its project path; the files committed."""
    answers = yaml.safe_load((project.root / ".copier-answers.yml").read_text())
    assert answers["dataset"] == in_project and answers["target"] == target
    assert str(source.parent) not in (project.root / ".copier-answers.yml").read_text()
    config = yaml.safe_load((project.root / "configs/config.yaml").read_text())
    assert config["paths"]["raw_data"] == in_project
    assert project.run("git", "status", "--porcelain").stdout == ""
    tracked = project.run("git", "ls-files").stdout.split()
    assert "configs/schema.yaml" in tracked
    # The data stays out of git (data/raw/ is ignored): teams version it with DVC or a store.
    assert in_project not in tracked and (project.root / in_project).is_file()
    return tracked


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(DATA_SETS))
def test_project_from_own_data_trains_serves_and_monitors(own_project, name, tmp_path):
    project, source, steps = own_project(name)
    file_name, target, task = DATA_SETS[name]
    in_project = f"data/raw/{file_name}"

    tracked = _first_commit(project, source, in_project, target)

    assert steps["data"].returncode == 0, steps["data"].stdout + steps["data"].stderr
    assert steps["data_bytes"] == source.read_bytes(), "make data changed the data file"
    assert steps["train"].returncode == 0, steps["train"].stdout + steps["train"].stderr

    tests = _make(project, "test")
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]

    seen = _probe(project, project.root / in_project, tmp_path)
    assert seen["task"] == task
    features = [feature for feature, _ in seen["features"]]
    assert target not in features and "customer_id" not in features and features
    wrong = seen["wrong"]
    assert wrong["status"] == 422, wrong
    assert wrong["body"]["detail"][0]["loc"][-1] == seen["numeric"], wrong
    if seen["ids"]:
        assert seen["complete"]["body"]["ids"] == {k: [v] for k, v in seen["ids"].items()}
    for case in ("complete", "missing"):
        answer = seen[case]
        assert answer["status"] == 200, (case, answer)
        predictions = answer["body"]["predictions"]
        assert len(predictions) == 1
        if seen["task"] == "classification":
            assert str(predictions[0]) in seen["classes"]
            assert len(answer["body"]["probabilities"][0]) == len(seen["classes"])
        else:
            assert isinstance(predictions[0], float)
    metadata = seen["metadata"]
    assert metadata["status"] == 200, metadata
    inputs = {tensor["name"]: tensor for tensor in metadata["body"]["inputs"]}
    assert list(inputs) == features
    if name == "dates-booleans-text":
        assert ["order day", "datetime"] in seen["features"] and "note" not in features
    for feature, kind in seen["features"]:
        assert inputs[feature]["datatype"] == ("FP64" if kind == "numeric" else "BYTES")
        assert inputs[feature]["shape"] == [-1]

    drift = project.uv_run(
        "python", "-m", f"{project.package}.monitor", "--current", tmp_path / "shifted.csv"
    )
    assert drift.returncode == 1, drift.stdout + drift.stderr

    assert (project.root / in_project).read_bytes() == source.read_bytes()

    named = [
        f"{rel}: {', '.join(sorted(set(IRIS_WORDS.findall(text))))}"
        for rel in tracked
        if rel != "uv.lock"
        and IRIS_WORDS.search(text := (project.root / rel).read_text(errors="replace"))
    ]
    assert not named, "the sample is named in " + "; ".join(named)


def _train_with(project: Project, **settings: str) -> tuple[int, dict]:
    """`python -m <pkg>.train` with configuration overrides; its exit code and report."""
    prefix = project.package.upper()
    env = project.env | {f"{prefix}_{key.upper()}": value for key, value in settings.items()}
    done = project.run(
        "uv", "run", "--no-sync", "python", "-m", f"{project.package}.train", env=env
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads((project.root / "reports/last_run.json").read_text())
    print(  # the decisions, for the record (pytest -s)
        f"{project.package} {settings or 'defaults'}: exit {done.returncode}, {report['decision']};"
        f" {report['gate']['reason']}"
    )
    return done.returncode, report


LINEAR = "sklearn.linear_model.LogisticRegression"


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["breast_cancer", "customers"])
def test_promotion_is_decided_on_the_same_rows_beyond_the_noise(own_project, name):
    """On real data: a new seed neither moves a row nor the champion, an alternative within
    the noise is refused, and a clearly better model replaces a weak champion."""
    project, _, steps = own_project(name)
    assert steps["train"].returncode == 0, steps["train"].stdout + steps["train"].stderr
    processed = project.root / "data/processed"
    first = json.loads((project.root / "reports/last_run.json").read_text())
    held_out = (processed / "test.csv").read_bytes()

    code, seeded = _train_with(project, seed="7")
    assert (code, seeded["decision"]) == (1, "refused")
    assert seeded["champion"]["champion"] == seeded["champion"]["challenger"]
    assert seeded["champion_version"] == first["champion_version"]
    assert (processed / "test.csv").read_bytes() == held_out, "a new seed moved held-out rows"

    code, alternative = _train_with(project, model__estimator=LINEAR, model__params='{"C": 0.05}')
    assert (code, alternative["decision"]) == (1, "refused"), alternative["gate"]
    assert alternative["champion"]["interval"][0] <= 0
    assert alternative["champion_version"] == first["champion_version"]

    # A weak model made champion by hand (a rollback), then the default model against it.
    code, weak = _train_with(
        project, gate__metric="log_loss", model__estimator=LINEAR, model__params='{"C": 1e-5}'
    )
    promoted = _make(project, "promote", VERSION=str(weak["model_version"]))
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    code, better = _train_with(project, gate__metric="log_loss")
    assert (code, better["decision"]) == (0, "promoted"), better["gate"]
    assert better["champion"]["version"] == str(weak["model_version"])
    assert better["champion"]["interval"][0] > 0
    assert better["champion_version"] == better["model_version"]


@pytest.mark.e2e
def test_random_forest_by_configuration_trains_promotes_and_serves(own_project, tmp_path):
    project, _, _ = own_project("customers")
    config_path = project.root / "configs/config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["model"] = {
        "estimator": "sklearn.ensemble.RandomForestClassifier",
        "params": {"n_estimators": 60, "random_state": 0},
    }
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))

    # The module, not make: make reports every failure as 2, and 1 (the gate kept the
    # champion) is an expected outcome here.
    trained = project.uv_run("python", "-m", f"{project.package}.train")
    assert trained.returncode in (0, 1), trained.stdout + trained.stderr
    version = json.loads((project.root / "reports/last_run.json").read_text())["model_version"]
    promoted = _make(project, "promote", VERSION=str(version))
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr

    seen = _probe(project, project.root / "data/raw/customers.csv", tmp_path)
    assert seen["complete"]["status"] == 200, seen["complete"]
    assert str(seen["complete"]["body"]["model_version"]) == str(version)
    assert seen["missing"]["status"] == 200, seen["missing"]
    assert "RandomForestClassifier" in (project.root / "reports/last_run.json").read_text()


# ── Bad input: one error line, one hint line, exit 2, no directory ─────────────────────────


def _mlplate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlplate", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _refused(done: subprocess.CompletedProcess[str], parent: Path, words: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert (
        len(lines) == 2 and lines[0].startswith("error:") and lines[1].startswith("hint:")
    ), done.stderr
    assert words in lines[0], lines[0]
    assert "Traceback" not in done.stderr
    assert not (parent / "proj").exists()
    assert not list(parent.glob(".proj.mlplate-*")), "staging space left behind"


CHEAP_CASES = {
    # name: (file name, bytes, target, words of the error line)
    "missing file": (None, b"", "y", "does not exist"),
    "not csv or parquet": ("data.txt", b"a,y\n1,0\n", "y", "neither .csv nor .parquet"),
    "unreadable csv": ("data.csv", b"\x00\xff\xfe\x00garbage", "y", "cannot be read"),
    "unreadable parquet": ("data.parquet", b"PAR1 not really", "y", "cannot be read"),
    "empty csv": ("data.csv", b"", "y", "no header row"),
    "unknown target": ("data.csv", b"a,b\n1,2\n3,4\n", "y", "no column 'y'"),
    "repeated column name": ("data.csv", b"a,a,y\n1,2,0\n3,4,1\n", "y", "more than once"),
    "empty column name": ("data.csv", b"a,,y\n1,2,0\n3,4,1\n", "y", "without a name"),
    "semicolons, target found": ("data.csv", b"a;b\n1;2\n", "y", "its columns: a, b"),
}


@pytest.mark.parametrize("case", list(CHEAP_CASES))
def test_bad_data_set_is_refused_before_rendering(case, tmp_path):
    file_name, content, target, words = CHEAP_CASES[case]
    path = tmp_path / (file_name or "absent.csv")
    if file_name:
        path.write_bytes(content)
    done = _mlplate(
        "new", "proj", "--data", f"dataset={path}", "--data", f"target={target}", cwd=tmp_path
    )
    _refused(done, tmp_path, words)


CONTRACT_CASES = {
    "target with one class": (
        "a,b,y\n" + "".join(f"{i},{i % 3},same\n" for i in range(30)),
        "y",
        "distinct value",
    ),
    "no usable feature": (
        "a,y\n" + "".join(f"7,{i % 2}\n" for i in range(30)),
        "y",
        "no usable feature",
    ),
    "header without rows": ("a,b,y\n", "y", "no rows"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("case", list(CONTRACT_CASES))
def test_data_set_the_contract_refuses_leaves_nothing(case, tmp_path):
    text, target, words = CONTRACT_CASES[case]
    (tmp_path / "data.csv").write_text(text, encoding="utf-8")
    done = _mlplate(
        "new",
        "proj",
        "--data",
        "dataset=data.csv",
        "--data",
        f"target={target}",
        "--no-git",
        cwd=tmp_path,
    )
    _refused(done, tmp_path, words)


@pytest.mark.e2e
def test_data_set_asked_in_a_terminal_is_recorded_by_its_project_path(tmp_path):
    data = tmp_path / "incoming" / "readings.csv"
    data.parent.mkdir()
    data.write_text(
        "load,temp,ok\n" + "".join(f"{i % 9},{(i * 7) % 11}.5,{i % 2}\n" for i in range(40)),
        encoding="utf-8",
    )
    dest = tmp_path / "proj"
    pid, fd = pty.fork()
    if pid == 0:  # child: the real CLI with a terminal on stdin/stdout
        os.chdir(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "mlplate", "new", str(dest)])
    seen, answered, open_question = bytearray(), 0, b""
    answers = {b"Your data set": str(data).encode(), b"Column of the data set": b"ok"}
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break  # the process ended
                seen.extend(chunk)
                continue
            # The terminal is quiet. A question is open only if a question's header was drawn
            # since the last answer and it is not that answer's redraw: under load the next
            # question can take seconds to come, and a reply typed ahead would answer it.
            header = seen.rfind(QUESTION_MARK)
            if header < answered:
                continue
            question = bytes(seen[header : header + 200]).split(b"\x1b[0m", 1)[0]
            if question == open_question:
                continue  # the answered question redrawn with its answer
            reply = next((text for key, text in answers.items() if key in question), b"")
            os.write(fd, b"\x15" + reply + b"\r" if reply else b"\r")  # ^U clears the default
            answered, open_question = len(seen), question
    finally:
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)  # stuck on a question: fail, do not hang the suite
        _, status = os.waitpid(pid, 0)
    output = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, output
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["dataset"] == "data/raw/readings.csv" and recorded["target"] == "ok"
    assert str(data.parent) not in (dest / ".copier-answers.yml").read_text()
    assert (dest / "data/raw/readings.csv").read_bytes() == data.read_bytes()
    schema = yaml.safe_load((dest / "configs/schema.yaml").read_text())
    assert schema["columns"]["ok"]["metadata"]["role"] == "target"

    # An update replays the recorded answers: same data path, the inferred contract untouched.
    contract = (dest / "configs/schema.yaml").read_bytes()
    done = _mlplate("update", "--to", "HEAD", "--data", "docker=false", cwd=dest)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (dest / "configs/schema.yaml").read_bytes() == contract
    assert yaml.safe_load((dest / ".copier-answers.yml").read_text())["dataset"] == (
        "data/raw/readings.csv"
    )
    assert "raw_data: data/raw/readings.csv" in (dest / "configs/config.yaml").read_text()


@pytest.mark.parametrize(
    ("option", "words"),
    [("sep=;;", "unusable separator"), ("encoding=klingon", "unknown encoding")],
    ids=["separator", "encoding"],
)
def test_unusable_separator_or_encoding_given_is_refused_before_rendering(option, words, tmp_path):
    (tmp_path / "data.csv").write_text("a,y\n1,0\n2,1\n", encoding="utf-8")
    done = _mlplate(
        "new",
        "proj",
        "--data",
        "dataset=data.csv",
        "--data",
        "target=y",
        "--data",
        option,
        cwd=tmp_path,
    )
    _refused(done, tmp_path, words)
