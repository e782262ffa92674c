"""Municipality codes (全国地方公共団体コード): six digits, the last a check digit."""

from __future__ import annotations

import re

_CODE = re.compile(r"^\d{6}$")
_CHECK_WEIGHTS = (6, 5, 4, 3, 2)


class InvalidMunicipalityCode(ValueError):
    """A municipality code is not a valid 全国地方公共団体コード."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"市町村コード {code!r}: {reason}")
        self.code = code
        self.reason = reason


def municipality_check_digit(first_five: str) -> int:
    """Return the check digit of a 全国地方公共団体コード from its first five digits."""
    total = sum(int(d) * w for d, w in zip(first_five, _CHECK_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_municipality_code(code: str) -> str:
    """Return the code if it is a valid 6-digit local government code, else raise."""
    if not _CODE.match(code or ""):
        raise InvalidMunicipalityCode(code, "6桁の数字ではありません")
    if municipality_check_digit(code[:5]) != int(code[5]):
        raise InvalidMunicipalityCode(code, "検査数字が一致しません")
    return code
