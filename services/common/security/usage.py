"""How a service reports what a call consumed, for the gateway's token quotas.

The gateway never decodes responses. A service that knows the tokens a call used sets them
in the call's trailing metadata (`x-llamastack-usage-tokens: <total>`); the gateway reads
the trailers of forwarded calls (only when the caller has a token quota) and adds the count
to the caller's daily counter. The cost for the service is one trailer per call; for the
gateway, reading trailers it already received.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc

__all__ = ["USAGE_METADATA", "report_tokens", "tokens_in"]

USAGE_METADATA = "x-llamastack-usage-tokens"


def report_tokens(context: grpc.aio.ServicerContext, total_tokens: int) -> None:
    """Record the tokens this call used (call once, before the call ends)."""
    if total_tokens > 0:
        context.set_trailing_metadata(((USAGE_METADATA, str(int(total_tokens))),))


def tokens_in(trailers: Iterable[tuple[str, str | bytes]] | None) -> int:
    for key, value in trailers or ():
        if key == USAGE_METADATA:
            try:
                return max(0, int(value))
            except (TypeError, ValueError):
                return 0
    return 0
