"""The YAML the editor forms write and read: number-like strings quoted, numbers typed back."""

from __future__ import annotations

import re
from typing import Any

import yaml

_NUMBERISH = re.compile(r"^[0-9:._+\-]+$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)$")


class _Dumper(yaml.SafeDumper):
    """Dump strings that look like numbers or times in quotes (``"06:00"``, ``"032158"``)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _NUMBERISH.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any, flow: bool | None = None) -> str:
    """Return the YAML text of the data, number-like strings quoted."""
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=flow
    )


def load(text: str) -> Any:
    """Return the data of a YAML text, or None if it is not YAML."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def number(value: str) -> int | float | str:
    """Return the number typed, else the text itself (the loader then says what is wrong)."""
    value = value.strip()
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value
