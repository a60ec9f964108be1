"""The hostile-input suite (Hypothesis is set up for the whole suite in tests/conftest.py)."""
