"""Hypothesis keeps no example database: tests leave nothing behind in the checkout."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("harness", database=None)
settings.load_profile("harness")
