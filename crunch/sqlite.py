"""Kept for the modules that import `begin_write` from here: see crunch.database."""

from __future__ import annotations

from .database import BEGIN_OPTION, BUSY_TIMEOUT_MS, begin_write, configure

__all__ = ["BEGIN_OPTION", "BUSY_TIMEOUT_MS", "begin_write", "configure"]
