"""A bounded load on 127.0.0.1: 32 keep-alive connections for 30 s, zero errors.

The client is a small asyncio HTTP/1.1 loop (no dependency); half the requests go to
/predict, half to the Open Inference Protocol infer route, one row each. The server's
resident memory is read before and after, and the growth printed (and bounded).
`MLPLATE_LOAD_SECONDS` shortens or lengthens the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time

import pytest

from .conftest import Service, call

pytestmark = pytest.mark.e2e

CONNECTIONS = 32
SECONDS = float(os.environ.get("MLPLATE_LOAD_SECONDS", "30"))


def _request(path: str, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def _connection(port: int, requests: list[bytes], until: float, seen: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    turn = 0
    try:
        while time.monotonic() < until:
            started = time.perf_counter()
            writer.write(requests[turn % len(requests)])
            turn += 1
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            seen["latency"].append(time.perf_counter() - started)
            if status != 200:
                seen["errors"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        seen["errors"] += 1
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], seconds: float) -> dict:
    seen: dict = {"latency": [], "errors": 0}
    until = time.monotonic() + seconds
    await asyncio.gather(*(_connection(port, requests, until, seen) for _ in range(CONNECTIONS)))
    return seen


def test_32_connections_for_30_seconds_without_an_error(service: Service, contract: dict) -> None:
    row = contract["row"]
    tensors = [
        {"name": t["name"], "shape": [1], "datatype": t["datatype"], "data": [row[t["name"]]]}
        for t in contract["metadata"]["inputs"]
    ]
    requests = [
        _request("/predict", {"rows": [row]}),
        _request(f"/v2/models/{service.project.package}/infer", {"inputs": tensors}),
    ]
    port = int(service.base.rsplit(":", 1)[1])
    # Earlier servers of this shared project left log files: count what this one adds.
    logged_before = _logged(service)
    asyncio.run(_load(port, requests, 2))  # warm-up, not counted
    before = service.rss_kib()
    seen = asyncio.run(_load(port, requests, SECONDS))
    after = service.rss_kib()
    latency = sorted(seen["latency"])
    count = len(latency)
    assert seen["errors"] == 0 and count > 0, seen["errors"]
    p50, p99 = latency[count // 2] * 1e3, latency[int(count * 0.99)] * 1e3
    growth = (after - before) / 1024
    print(
        f"\nload: {CONNECTIONS} connections, {SECONDS:.0f} s: {count} requests "
        f"({count / SECONDS:.0f}/s), 0 errors, p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
        f"server RSS {before / 1024:.1f} -> {after / 1024:.1f} MiB ({growth:+.1f} MiB)"
    )
    assert growth < 64, f"the server grew by {growth:.1f} MiB under load"
    assert service.alive()
    _every_answered_row_is_in_the_prediction_log(service, count, logged_before)


def _log_counts(service: Service) -> dict[str, float]:
    text = call(f"{service.base}/metrics")[1].decode()
    found = re.findall(r'^prediction_log_rows_total\{outcome="(\w+)"\} (\S+)$', text, re.M)
    return {outcome: float(value) for outcome, value in found}


def _logged(service: Service) -> tuple[float, int]:
    """What the service counts as written, and the lines the log files hold."""
    counts = _log_counts(service)
    lines = sum(
        len(path.read_bytes().splitlines())
        for path in (service.project.root / "logs" / "predictions").glob("*.jsonl")
    )
    return counts.get("written", 0.0), lines


def _every_answered_row_is_in_the_prediction_log(
    service: Service, answered: int, before: tuple[float, int]
) -> None:
    """The log kept up: every row is written (none dropped), and the files hold them."""
    # The writer may still be emptying its queue: on a loaded machine it can lag the load by
    # tens of seconds. The files are read between two reads of the counter, so a batch the
    # writer adds meanwhile shows as a changed counter, not as a mismatch.
    deadline = time.monotonic() + 120
    while True:
        counts = _log_counts(service)
        written, lines = _logged(service)
        written -= before[0]
        lines -= before[1]
        settled = _log_counts(service) == counts and lines == written
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert counts.get("dropped_queue_full", 0) == counts.get("dropped_write_error", 0) == 0
    assert answered <= written == lines, (counts, written, lines)
