"""Hypothesis keeps no example database, and its caches go to a temporary folder removed
when the session ends: tests leave nothing behind in the checkout."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import configuration, settings

_HOME = Path(tempfile.mkdtemp(prefix="hypothesis-"))
configuration.set_hypothesis_home_dir(_HOME)  # before any test module is collected
settings.register_profile("harness", database=None)
settings.load_profile("harness")


@pytest.fixture(autouse=True, scope="session")
def _hypothesis_home() -> Iterator[None]:
    yield
    shutil.rmtree(_HOME, ignore_errors=True)
