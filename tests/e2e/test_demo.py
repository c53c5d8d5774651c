"""The README's first command: `mlplate demo` runs a generated project end to end."""

from __future__ import annotations

import pytest

from mlplate.cli import main

pytestmark = pytest.mark.e2e


def test_demo_trains_serves_a_prediction_and_reports_drift(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    code = main(["demo", str(tmp_path / "demo")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "POST /predict ->" in out and "predictions" in out
    assert "clean batch exit 0" in out and "drifted batch exit 1" in out
    assert (tmp_path / "demo/reports/drift.html").is_file()
    # The README's first command, run a second time in the same place, runs the demo again.
    again = main(["demo", str(tmp_path / "demo")])
    out = capsys.readouterr().out
    assert again == 0, out
    assert "an earlier demo, run again" in out and "drifted batch exit 1" in out
