"""Limits read from the environment (``TRIALKG_MAX_MEMBER_MB=100``), checked the same way everywhere."""

from __future__ import annotations

import math
import os

from trialkg.errors import UsageError


def env_limit(name: str, default: int, *, unit: int = 1024 * 1024, what: str = "MiB") -> int:
    """A positive finite limit from the environment (``TRIALKG_MAX_MEMBER_MB=100``); a bad
    value (``inf``, ``-1``, ``lots``) is a usage error, never silently ignored."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{name} must be a positive number of {what}, got {raw!r}")
    return max(1, int(value * unit))
