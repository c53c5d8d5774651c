"""Contract inference on a large CSV vs pandas reading it once (the work of `new --data`).

Writes a CSV of `--rows` rows (six real numbers, a category, a date, a boolean, a
label), then in a generated project's environment times, median of `--repeat` runs:
`pandas.read_csv` alone; the project's contract inference (separator and encoding
sniffed, header checked, the file read, the contract inferred); and the whole
`python -m <package>.contract` process with its peak memory. Target: reading plus
inference <= 1.5x the plain read.

    uv run python bench/bench_contract.py PROJECT [--rows 1000000] [--repeat 3]

PROJECT is a project made by `mlplate new` with its environment installed (`make install`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WRITE = r"""
import sys
import numpy as np
import pandas as pd
rng = np.random.default_rng(0)
n = int(sys.argv[2])
frame = pd.DataFrame({f"x{i}": rng.normal(0, 1, n).round(4) for i in range(6)})
frame["cat"] = rng.choice(["a", "b", "c", "d"], n)
frame["day"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
frame["flag"] = rng.choice([True, False], n)
frame["y"] = rng.choice(["yes", "no"], n)
frame.to_csv(sys.argv[1], index=False)
"""

TIME = r"""
import importlib, json, sys, time
from pathlib import Path
import pandas as pd
contracts = importlib.import_module(sys.argv[1] + ".data.contract")
path = Path(sys.argv[2])
start = time.perf_counter()
pd.read_csv(path)
read = time.perf_counter() - start
start = time.perf_counter()
frame, csv = contracts._read_for_inference(path, {})  # pylint: disable=protected-access
loaded = time.perf_counter() - start
start = time.perf_counter()
contracts.infer_contract(frame, target="y", csv=csv)
inferred = time.perf_counter() - start
print(json.dumps({"read": read, "load": loaded, "infer": inferred}))
"""

PEAK = r"""
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", sys.argv[1] + ".data.contract", "--data", sys.argv[2],
                "--target", "y", "--output", sys.argv[3]], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def _python(project: Path) -> str:
    return str(project / ".venv" / "bin" / "python")


def main() -> None:
    """Print the medians, the ratio to a plain read and the peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    project = args.project.resolve()
    package = next(p.parent.name for p in (project / "src").glob("*/data/contract.py"))
    python = _python(project)
    with tempfile.TemporaryDirectory(prefix="bench-contract-") as work:
        data = Path(work) / "big.csv"
        subprocess.run([python, "-c", WRITE, str(data), str(args.rows)], check=True)
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [python, "-c", TIME, package, str(data)],
                check=True, capture_output=True, text=True, cwd=project,
            )  # fmt: skip
            runs.append(json.loads(done.stdout))
        peak = subprocess.run(
            [python, "-c", PEAK, package, str(data), str(Path(work) / "schema.yaml")],
            check=True, capture_output=True, text=True, cwd=project,
        ).stdout.strip()  # fmt: skip
        size = data.stat().st_size / 1e6
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    ratio = (median["load"] + median["infer"]) / median["read"]
    print(f"{args.rows:,} rows, {size:.0f} MB CSV, median of {args.repeat}:")
    print(f"  pandas read_csv          {median['read']:.2f} s")
    print(f"  sniff + header + read    {median['load']:.2f} s")
    print(f"  infer the contract       {median['infer']:.2f} s")
    print(f"  read + infer / read      {ratio:.2f}x (target <= 1.5x)")
    print(f"  whole command, peak RSS  {peak} MB")
    sys.exit(0 if ratio <= 1.5 else 1)


if __name__ == "__main__":
    main()
