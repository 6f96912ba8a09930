"""Reading a dataset's rows from DatasetIO, page by page (`IterateRows`), for the services
that read datasets through the gateway (eval, scoring)."""

from __future__ import annotations

from typing import Any

from llamastack.datasetio.v1 import datasetio_service_pb2, datasetio_service_pb2_grpc
from services.common.structs import from_struct

__all__ = ["read_rows"]

_PAGE = 10_000


async def read_rows(
    stub: datasetio_service_pb2_grpc.DatasetIoServiceStub,
    dataset_id: str,
    limit: int | None,
    timeout: float,
) -> list[dict[str, Any]]:
    """The first `limit` rows of a dataset (all when None); never asks for more than `limit`."""
    out: list[dict[str, Any]] = []
    token = ""
    while limit is None or len(out) < limit:
        page = _PAGE if limit is None else min(_PAGE, limit - len(out))
        resp = await stub.IterateRows(
            datasetio_service_pb2.IterateRowsRequest(
                dataset_id=dataset_id, limit=page, page_token=token
            ),
            timeout=timeout,
        )
        out.extend(from_struct(r) for r in resp.data)
        token = resp.next_page_token
        if not token:
            break
    return out
