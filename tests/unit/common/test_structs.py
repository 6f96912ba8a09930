"""services.common.structs: rows to Struct and back, as json_format would."""

from __future__ import annotations

from google.protobuf import json_format

from services.common.structs import from_struct, to_struct, to_structs


def test_rows_round_trip_like_json_format():
    row = {"q": "hi", "n": 3, "x": 1.5, "ok": True, "none": None,
           "nested": {"list": [1, "a", None, False, {"deep": []}]}}  # fmt: skip
    struct = to_struct(row)
    assert from_struct(struct) == json_format.MessageToDict(struct)
    assert from_struct(struct) == {**row, "n": 3.0}  # numbers come back as floats
    assert [from_struct(s) for s in to_structs([{}, {"a": "b"}])] == [{}, {"a": "b"}]
