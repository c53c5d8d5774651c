"""Drive a running service with the stock Open Inference Protocol clients; print JSON.

Run in an environment with tritonclient[http] and kserve (see conftest.with_packages):
    python oip_clients.py BASE_URL MODEL ROW_JSON
Every input is built from the model metadata with the datatype it declares; the
observations are printed as one JSON object for the test to check.
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request

# This file runs in the clients' own environment, not in mlplate's.
# pylint: disable=import-error
import numpy as np
import tritonclient.http as triton
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig

NUMPY = {"FP64": np.float64, "BYTES": np.object_}


def column(datatype: str, value: object, rows: int) -> np.ndarray:
    """`rows` copies of one value, as the numpy array the datatype takes."""
    if datatype == "BYTES":
        return np.array([str(value).encode()] * rows, dtype=np.object_)
    return np.full(rows, value, dtype=NUMPY[datatype])


def with_tritonclient(url: str, model: str, row: dict) -> dict:
    """Metadata, readiness and JSON infer at batch 1 and 100 (no Content-Type is sent)."""
    client = triton.InferenceServerClient(url.removeprefix("http://"))
    metadata = client.get_model_metadata(model)
    seen: dict = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "model_ready": client.is_model_ready(model),
        "inputs": {tensor["name"]: tensor["datatype"] for tensor in metadata["inputs"]},
        "batches": {},
    }
    for rows in (1, 100):
        inputs = []
        for tensor in metadata["inputs"]:
            infer_input = triton.InferInput(tensor["name"], [rows], tensor["datatype"])
            data = column(tensor["datatype"], row[tensor["name"]], rows)
            infer_input.set_data_from_numpy(data, binary_data=False)
            inputs.append(infer_input)
        outputs = [
            triton.InferRequestedOutput(tensor["name"], binary_data=False)
            for tensor in metadata["outputs"]
        ]
        result = client.infer(model, inputs, outputs=outputs, request_id="t1")
        seen["batches"][rows] = {
            tensor["name"]: list(result.as_numpy(tensor["name"]).shape)
            for tensor in metadata["outputs"]
        }
        seen["id"] = result.get_response()["id"]
    try:  # the binary tensor extension: refused with an error the client decodes
        infer_input = triton.InferInput(metadata["inputs"][0]["name"], [1], "FP64")
        infer_input.set_data_from_numpy(np.array([1.0]), binary_data=True)
        client.infer(model, [infer_input])
        seen["binary"] = "accepted"
    except triton.InferenceServerException as error:
        seen["binary"] = error.message()
    seen["after_binary_ready"] = client.is_server_ready()
    client.close()
    return seen


async def with_kserve(url: str, model: str, row: dict) -> dict:
    """Metadata, readiness and infer at batch 1 and 100 through kserve's REST client."""
    client = InferenceRESTClient(RESTConfig(protocol="v2", timeout=30))
    try:
        # kserve's REST client has no metadata call: read it over plain HTTP.
        with urllib.request.urlopen(f"{url}/v2/models/{model}", timeout=30) as answer:
            metadata = json.load(answer)
        seen: dict = {
            "live": await client.is_server_live(url),
            "ready": await client.is_server_ready(url),
            "model_ready": await client.is_model_ready(url, model),
            "inputs": {tensor["name"]: tensor["datatype"] for tensor in metadata["inputs"]},
            "batches": {},
        }
        for rows in (1, 100):
            inputs = []
            for tensor in metadata["inputs"]:
                infer_input = InferInput(tensor["name"], [rows], tensor["datatype"])
                data = column(tensor["datatype"], row[tensor["name"]], rows)
                infer_input.set_data_from_numpy(data, binary_data=False)
                inputs.append(infer_input)
            response = await client.infer(
                url,
                InferRequest(model_name=model, infer_inputs=inputs, request_id="k1"),
                model_name=model,
            )
            seen["batches"][rows] = {output.name: output.shape for output in response.outputs}
            seen["id"] = response.id
        return seen
    finally:
        await client.close()


def main() -> None:
    """Run both clients and print what they saw."""
    url, model, row = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    report = {
        "tritonclient": with_tritonclient(url, model, row),
        "kserve": asyncio.run(with_kserve(url, model, row)),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
