"""Every stream a REST caller can read can also tell it that it failed (gateway/streams.py)."""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor

from gateway.streams import ERROR_FIELD_NUMBER, ErrorTail


def test_every_rest_stream_can_carry_its_error(public_methods):
    streams = [m for m in public_methods if m.server_streaming and m.http]
    assert streams, "no server-streaming RPC with an HTTP rule"
    missing = []
    for m in streams:
        if m.response.full_name == "google.api.HttpBody":
            continue  # the gateway writes OpenAI's SSE error event
        field = m.response.fields_by_name.get("error")
        if (
            field is None
            or field.number != ERROR_FIELD_NUMBER
            or field.type != FieldDescriptor.TYPE_MESSAGE
            or field.message_type.full_name != "google.rpc.Status"
            or field.containing_oneof is not None
        ):
            missing.append(m.response.full_name)
        assert ErrorTail.for_method(m) is not None, m.path
    assert not missing, (
        f"add `google.rpc.Status error = {ERROR_FIELD_NUMBER};` to {sorted(set(missing))}: "
        "the gateway sends it as the last SSE event when a stream fails after it started"
    )


def test_no_unary_or_request_message_uses_the_error_number(public_methods):
    # The number is reserved for stream errors; a unary response is never appended to.
    for m in public_methods:
        if not m.server_streaming:
            field = m.response.fields_by_number.get(ERROR_FIELD_NUMBER)
            assert field is None, f"{m.response.full_name} uses field {ERROR_FIELD_NUMBER}"
