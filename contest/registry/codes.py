"""The registry's codes (mã số): "SK-2024-040", the prefix, the year applied, the registry's running number.

Pure: the one place that knows the pattern, for the initiatives that enter the registry from a
contest; imported rows and hand-typed ones keep the code they were given.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

REGISTRY_CODE_PREFIX = "SK"  # sáng kiến
_CODE = re.compile(rf"^{REGISTRY_CODE_PREFIX}-(\d{{4}})-(\d+)$")
_MIN_DIGITS = 3


def registry_code(year: int, number: int, digits: int = _MIN_DIGITS) -> str:
    """The code of the registry's `number`-th item, applied in `year`: SK-2024-040."""
    return f"{REGISTRY_CODE_PREFIX}-{year}-{number:0{digits}d}"


def next_registry_codes(existing: Iterable[str], year: int, count: int) -> list[str]:
    """`count` new codes for `year` that carry the registry's running number on from the highest
    number among its codes of this pattern (whatever their year), as wide as the widest of them."""
    numbers, digits = [0], _MIN_DIGITS
    for code in existing:
        found = _CODE.match((code or "").strip())
        if found:
            numbers.append(int(found.group(2)))
            digits = max(digits, len(found.group(2)))
    start = max(numbers) + 1
    return [registry_code(year, start + i, digits) for i in range(count)]
