"""A corpus of hostile requests against the generated service under real uvicorn.

Each gets the right 4xx (never a 5xx), the error shape of its route (`{"error": ...}` on
/v2, `{"detail": ...}` elsewhere), never an echo of a large input, and the service stays
up. Bodies are built from the service's own metadata, so no column is named here.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from .conftest import Service, call

pytestmark = pytest.mark.e2e

HUGE_INT = "1" + "0" * 400  # beyond float range
HUGER_INT = "9" * 5000  # beyond Python's default int-to-string limit
LONG = "Z" * 1_000_000  # must never come back
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Ctx:
    """What a case needs: the model name, a valid row, the input tensors for it."""

    model: str
    row: dict
    datatypes: dict[str, str]

    def tensors(self, rows: int = 1, **change) -> list[dict]:
        """One tensor per input for `rows` copies of the row; `change` overrides fields."""
        return [
            {
                "name": name,
                "shape": [rows],
                "datatype": datatype,
                "data": [self.row[name]] * rows,
                **change,
            }
            for name, datatype in self.datatypes.items()
        ]

    def first(self) -> str:
        """The first input's name."""
        return next(iter(self.datatypes))

    def numeric(self) -> str:
        """The first FP64 input's name."""
        return next(name for name, kind in self.datatypes.items() if kind == "FP64")


def _infer(ctx: Ctx, **body) -> bytes:
    return json.dumps({"inputs": ctx.tensors(), **body}).encode()


def _with_value(ctx: Ctx, literal: str, *, predict: bool) -> bytes:
    """A body whose first numeric value is the raw JSON `literal`."""
    marker = "__VALUE__"
    name = ctx.numeric()
    if predict:
        text = json.dumps({"rows": [{**ctx.row, name: marker}]})
    else:
        tensors = [{**t, "data": [marker]} if t["name"] == name else t for t in ctx.tensors()]
        text = json.dumps({"inputs": tensors})
    return text.replace(f'"{marker}"', literal).encode()


def _change(ctx: Ctx, target: str, **change) -> bytes:
    tensors = [{**t, **change} if t["name"] == target else t for t in ctx.tensors()]
    return json.dumps({"inputs": tensors}).encode()


@dataclass(frozen=True)
class Case:
    """One hostile request and the answer it must get."""

    method: str
    path: str  # {m} is the model name
    body: Callable[[Ctx], bytes] | None
    status: int
    headers: dict[str, str] | None = None

    @property
    def shape(self) -> str | None:
        """The error key the route answers with (None: a HEAD, or a success)."""
        if self.method == "HEAD" or self.status < 400:
            return None
        return "error" if self.path.startswith("/v2") else "detail"


P, I = "/predict", "/v2/models/{m}/infer"
OCTET = {"Content-Type": "application/octet-stream"}
CASES: dict[str, Case] = {
    # bodies that are not UTF-8 JSON
    "predict-not-utf8-octet-stream": Case("POST", P, lambda c: b"\xff\xfe\x00{", 415, OCTET),
    "predict-not-utf8": Case("POST", P, lambda c: b"\xff\xfe\x00{", 422),
    "infer-not-utf8": Case("POST", I, lambda c: b"\xff\xfe\x00{", 400),
    "infer-not-utf8-octet-stream": Case("POST", I, lambda c: b"\xff\xfe\x00{", 415, OCTET),
    "infer-text-plain": Case("POST", I, _infer, 415, {"Content-Type": "text/plain"}),
    "predict-text-plain": Case("POST", P, lambda c: b"{}", 415, {"Content-Type": "text/plain"}),
    "infer-binary-extension": Case(
        "POST", I, _infer, 400, {**OCTET, "Inference-Header-Content-Length": "10"}
    ),
    # JSON that is not a request
    "infer-empty-body": Case("POST", I, lambda c: b"", 400),
    "predict-empty-body": Case("POST", P, lambda c: b"", 422),
    "infer-broken-json": Case("POST", I, lambda c: b'{"inputs": [', 400),
    "predict-broken-json": Case("POST", P, lambda c: b'{"rows": [', 422),
    "infer-null": Case("POST", I, lambda c: b"null", 400),
    "infer-array": Case("POST", I, lambda c: b"[]", 400),
    "predict-string": Case("POST", P, lambda c: b'"rows"', 422),
    "infer-no-inputs-key": Case("POST", I, lambda c: b'{"id": "x"}', 400),
    "infer-inputs-empty": Case("POST", I, lambda c: b'{"inputs": []}', 400),
    "infer-numeric-id": Case("POST", I, lambda c: _infer(c, id=7), 400),
    "infer-deep-nesting": Case("POST", I, lambda c: b"[" * 100_000 + b"]" * 100_000, 400),
    "predict-deep-nesting": Case("POST", P, lambda c: b"[" * 100_000 + b"]" * 100_000, 422),
    # numbers that are not numbers, or not finite, or too large
    "predict-huge-int": Case("POST", P, lambda c: _with_value(c, HUGE_INT, predict=True), 422),
    "infer-huge-int": Case("POST", I, lambda c: _with_value(c, HUGE_INT, predict=False), 400),
    "predict-5000-digits": Case("POST", P, lambda c: _with_value(c, HUGER_INT, predict=True), 422),
    "infer-5000-digits": Case("POST", I, lambda c: _with_value(c, HUGER_INT, predict=False), 400),
    "predict-nan": Case("POST", P, lambda c: _with_value(c, "NaN", predict=True), 422),
    "infer-nan": Case("POST", I, lambda c: _with_value(c, "NaN", predict=False), 400),
    "predict-minus-infinity": Case(
        "POST", P, lambda c: _with_value(c, "-Infinity", predict=True), 422
    ),
    "infer-infinity": Case("POST", I, lambda c: _with_value(c, "Infinity", predict=False), 400),
    "predict-boolean": Case("POST", P, lambda c: _with_value(c, "true", predict=True), 422),
    "infer-boolean": Case("POST", I, lambda c: _with_value(c, "true", predict=False), 400),
    "predict-numeric-string": Case("POST", P, lambda c: _with_value(c, '"5.0"', predict=True), 422),
    "infer-numeric-string": Case("POST", I, lambda c: _with_value(c, '"5.0"', predict=False), 400),
    # tensors that break the declared datatype or shape
    "infer-datatype-bytes": Case(
        "POST", I, lambda c: _change(c, c.numeric(), datatype="BYTES"), 400
    ),
    "infer-datatype-int8": Case("POST", I, lambda c: _change(c, c.first(), datatype="INT8"), 400),
    "infer-datatype-unknown": Case(
        "POST", I, lambda c: _change(c, c.first(), datatype="FP128"), 400
    ),
    "infer-shape-minus-one": Case("POST", I, lambda c: _change(c, c.first(), shape=[-1]), 400),
    "infer-shape-mismatch": Case("POST", I, lambda c: _change(c, c.first(), shape=[2]), 400),
    "infer-shape-2d": Case("POST", I, lambda c: _change(c, c.first(), shape=[1, 4]), 400),
    "infer-empty-tensor": Case(
        "POST", I, lambda c: json.dumps({"inputs": c.tensors(0)}).encode(), 400
    ),
    "infer-empty-tensor-2d": Case(
        "POST", I, lambda c: json.dumps({"inputs": c.tensors(0, shape=[0, 4])}).encode(), 400
    ),
    "infer-missing-input": Case(
        "POST", I, lambda c: json.dumps({"inputs": c.tensors()[1:]}).encode(), 400
    ),
    "infer-duplicate-input": Case(
        "POST", I, lambda c: json.dumps({"inputs": c.tensors()[:1] * 2}).encode(), 400
    ),
    "infer-unknown-input-long-name": Case(
        "POST", I, lambda c: _change(c, c.first(), name=LONG), 400
    ),
    "infer-unknown-output": Case("POST", I, lambda c: _infer(c, outputs=[{"name": LONG}]), 400),
    # limits
    "predict-long-string-not-echoed": Case(
        "POST", P, lambda c: json.dumps({"rows": [{**c.row, c.numeric(): LONG}]}).encode(), 422
    ),
    "predict-over-body-limit": Case(
        "POST", P, lambda c: json.dumps({"rows": [c.row], "x": LONG * 5}).encode(), 413
    ),
    "infer-over-body-limit": Case(
        "POST", I, lambda c: json.dumps({"inputs": [], "x": LONG * 5}).encode(), 413
    ),
    "predict-too-many-rows": Case(
        "POST", P, lambda c: json.dumps({"rows": [c.row] * 10_001}).encode(), 422
    ),
    "infer-too-many-rows": Case(
        "POST", I, lambda c: json.dumps({"inputs": c.tensors(10_001)}).encode(), 400
    ),
    "predict-no-rows": Case("POST", P, lambda c: b'{"rows": []}', 422),
    "predict-unknown-field": Case(
        "POST", P, lambda c: json.dumps({"rows": [{**c.row, "zzz": 1}]}).encode(), 422
    ),
    # models, versions, routes and methods
    "other-model-metadata": Case("GET", "/v2/models/other", None, 404),
    "long-model-name": Case("GET", "/v2/models/" + "m" * 4000, None, 404),
    "other-version-metadata": Case("GET", "/v2/models/{m}/versions/999", None, 404),
    "other-version-infer": Case("POST", "/v2/models/{m}/versions/999/infer", _infer, 404),
    "unknown-v2-route": Case("GET", "/v2/nope", None, 404),
    "webdav-method": Case("PROPFIND", P, None, 405),  # labelled "other" in the metrics
    "delete-predict": Case("DELETE", P, None, 405),
    "head-live": Case("HEAD", "/v2/health/live", None, 200),
    "head-ready": Case("HEAD", "/v2/health/ready", None, 200),
    "head-health": Case("HEAD", "/health", None, 200),
}


@pytest.fixture(name="ctx", scope="module")
def fixture_ctx(service: Service, contract: dict) -> Ctx:
    """The model's name, a valid row and its input datatypes, from the running service."""
    datatypes = {t["name"]: t["datatype"] for t in contract["metadata"]["inputs"]}
    return Ctx(service.project.package, contract["row"], datatypes)


def _send(service: Service, case: Case, ctx: Ctx) -> tuple[int, dict[str, str], bytes]:
    # http.client sends exactly the headers given: no Content-Type unless the case has one.
    address = urlsplit(service.base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        body = case.body(ctx) if case.body else None
        connection.request(
            case.method, case.path.format(m=ctx.model), body=body, headers=case.headers or {}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_hostile_request_gets_its_4xx_without_echo(service: Service, ctx: Ctx, case: Case) -> None:
    status, _headers, body = _send(service, case, ctx)
    assert status == case.status, body[:500]
    assert len(body) < 2_000  # a 1 MB input never comes back
    if case.shape is not None:
        answer = json.loads(body)
        assert set(answer) == {case.shape} and answer[case.shape], answer
        if case.shape == "error":
            assert isinstance(answer["error"], str) and "numpy" not in answer["error"]
    assert service.alive()


def test_the_corpus_is_large_and_the_metrics_stay_bounded(service: Service) -> None:
    assert len(CASES) >= 40
    assert service.json("/ready")[0] == 200
    _, document = service.json("/openapi.json")
    known = {*document["paths"], "/openapi.json", "/docs", "/redoc", "unmatched"}
    _, text = call(f"{service.base}/metrics")
    series = [line for line in text.decode().splitlines() if line.startswith("http_requests")]
    for line in series:
        method = line.split('method="')[1].split('"')[0]
        path = line.split('path="')[1].split('"')[0]
        assert method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
        assert path in known, line  # route templates only, never a raw path
    print(f"\nhostile corpus: {len(CASES)} cases; /metrics: {len(series)} request series")
