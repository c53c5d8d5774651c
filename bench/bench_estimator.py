"""The default estimator: the linear models against HistGradientBoosting, in a project's pipeline.

In a generated project's environment, for each data set: the contract is inferred as
`mlplate new --data` infers it, the project's own pipeline (features.build_model) is
fitted with each estimator on 75% of the rows, timed, and scored on the other 25%
(accuracy, or r2); then the served model's ONNX check runs (inference.with_fast_path on
held-out rows plus rows with every gap and an unseen category), which says whether
onnxruntime serves the model or scikit-learn does, and why.

Data sets: a synthetic 100,000-row classification (8 numbers with 5% gaps, two
categories, one with gaps), scikit-learn's breast_cancer, wine and diabetes, and a
5,000-row regression with categories written to CSV and read back.

    uv run python bench/bench_estimator.py PROJECT [--rows 100000]

PROJECT is a project made by `mlplate new` with its environment installed (`make install`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = r"""
import importlib, json, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split

warnings.filterwarnings("ignore")
package, rows, tmp = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
contracts = importlib.import_module(package + ".data.contract")
features = importlib.import_module(package + ".features.pipeline")
inference = importlib.import_module(package + ".serve.inference")
get_config = importlib.import_module(package + ".config").get_config
rng = np.random.default_rng(0)


def synthetic(n):
    x = rng.normal(0, 1, (n, 8))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(8)]).round(4)
    frame["shop"] = rng.choice(list("abcde"), n)
    frame["region"] = rng.choice([f"r{i}" for i in range(12)], n)
    score = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + (frame["shop"] == "c") - 0.5 * x[:, 3] ** 2
    frame["y"] = np.where(score + rng.normal(0, 0.3, n) > 0, "yes", "no")
    for name in [f"x{i}" for i in range(8)]:
        frame.loc[rng.random(n) < 0.05, name] = np.nan
    frame.loc[rng.random(n) < 0.05, "region"] = np.nan
    return frame


def with_categories_csv(n):
    frame = pd.DataFrame({"area": rng.uniform(20, 200, n).round(1),
                          "rooms": rng.integers(1, 7, n),
                          "city": rng.choice(["lyon", "paris", "lille", "nice"], n),
                          "kind": rng.choice(["flat", "house"], n)})
    price = (frame["area"] * np.where(frame["city"] == "paris", 10, 4)
             + np.where(frame["kind"] == "house", 80, 0) + rng.normal(0, 30, n))
    frame["price"] = price.round(0)
    path = tmp / "homes.csv"
    frame.to_csv(path, index=False)
    return pd.read_csv(path)


def packaged(loader):
    frame = loader(as_frame=True).frame
    return frame


sets = [
    (f"synthetic {rows:,} rows", synthetic(rows), "y"),
    ("breast_cancer", packaged(datasets.load_breast_cancer), "target"),
    ("wine", packaged(datasets.load_wine).astype({"target": str}), "target"),
    ("diabetes", packaged(datasets.load_diabetes), "target"),
    ("homes.csv (categories)", with_categories_csv(5000), "price"),
]
config = get_config()
results = []
for name, frame, target in sets:
    contract = contracts.infer_contract(frame, target=target)
    train, test = train_test_split(frame, test_size=0.25, random_state=0)
    test_file = tmp / "test.csv"
    test.to_csv(test_file, index=False)
    held_out = inference.held_out_columns(contract, test_file)
    old = features.DEFAULT_ESTIMATORS[contract.task]
    new = "sklearn.ensemble.HistGradientBoosting" + (
        "Classifier" if contract.task == "classification" else "Regressor")
    for estimator in (old, new):
        chosen = config.model_copy(update={"model": config.model.model_copy(
            update={"estimator": estimator, "params": {}})})
        model = features.build_model(chosen, contract)
        columns = [f.name for f in contract.features]
        start = time.perf_counter()
        model.fit(train[columns], train[target])
        fit = time.perf_counter() - start
        predicted = model.predict(test[columns])
        if contract.task == "classification":
            metric, score = "accuracy", accuracy_score(test[target], predicted)
        else:
            metric, score = "r2", r2_score(test[target], predicted)
        loaded = inference.LoadedModel(model, "m", "1", "", "", contract)
        served = loaded.with_fast_path(held_out)
        results.append({"data": name, "rows": len(frame), "estimator": estimator.rsplit(".")[-1],
                        "fit_s": round(fit, 2), metric: round(float(score), 4),
                        "served_by": served.runtime,
                        "why": served.fallback.split(" with name=")[0].split(";")[0]})
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
print(json.dumps(results))
"""


def main() -> None:
    """Measure in PROJECT's environment and print the Markdown table of docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    project = args.project.resolve()
    package = next(p.name for p in (project / "src").iterdir() if (p / "features").is_dir())
    with tempfile.TemporaryDirectory(prefix="bench-estimator-") as tmp:
        done = subprocess.run(
            ["uv", "run", "--no-sync", "python", "-c", MEASURE, package, str(args.rows), tmp],
            cwd=project, check=True, capture_output=True, text=True,
        )  # fmt: skip
    results = json.loads(done.stdout.strip().splitlines()[-1])
    print("| data | estimator | fit (s) | held-out score | served by |")
    print("|---|---|---|---|---|")
    for row in results:
        score = f"accuracy {row['accuracy']}" if "accuracy" in row else f"r2 {row['r2']}"
        served = row["served_by"] + (f" ({row['why']})" if row["why"] else "")
        print(f"| {row['data']} | {row['estimator']} | {row['fit_s']} | {score} | {served} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
