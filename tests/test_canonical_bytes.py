"""``fast_canonical`` writes the bytes ``canonical`` defines, so ``events verify`` may hash them;
where it could not (floats with an exponent), verify decides with ``canonical`` itself."""
from __future__ import annotations

import pytest

from core.events import canonical, fast_canonical

SHAPES = [
    {},
    {"name": "Oak Day Centre", "kind": "day_centre", "id": 12, "service_id": None, "open": True, "closed": False},
    {"z": 1, "a": {"y": [3, 2, 1], "b": {"d": None, "c": "x"}}, "m": []},
    {"text": "café — naïve ✓ 日本語 🙂", "quote": 'a "quoted" word', "slash": "a\\b/c"},
    {"controls": "\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f", "separators": "\u2028\u2029", "bom": "\ufeff"},
    {"ints": [0, -1, 2**31, -(2**31), 2**53 + 1, 2**63 - 1, -(2**63)]},
    {"floats": [0.0, -0.0, 0.1, 1.5, -2.25, 100.0, 3.141592653589793, 1e-4, 123456789.125, 9999999999999998.0, 1e16, 1e300, 5e-324]},
    {"nested": [{"b": 1, "a": 2}, [{"d": [], "c": {}}]], "empty": ""},
    {"occurred_at": "2026-12-01T02:03:04.000005Z", "prev_hash": "0" * 64, "seq": 1, "tenant_id": 3},
]


@pytest.mark.parametrize("value", SHAPES)
def test_the_fast_encoder_writes_the_canonical_bytes(value):
    assert fast_canonical(value) == canonical(value)


@pytest.mark.parametrize("value", [1.5e-7, 1e-5, float("nan"), float("inf")])
def test_some_floats_are_written_otherwise_so_verify_never_relies_on_the_fast_bytes_alone(value):
    # json writes 1.5e-07 and NaN, orjson 1.5e-7 and null: the fast bytes are only a first try (see verify_tenant)
    assert fast_canonical({"x": value}) != canonical({"x": value})


@pytest.mark.parametrize("value", [{"x": 2**64}, {1: "key that is not text"}])
def test_values_the_fast_encoder_cannot_write_raise(value):
    with pytest.raises(TypeError):
        fast_canonical(value)
