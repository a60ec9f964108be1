"""Shared core of the FUSE release harness: errors, results, config loading, reports, CLI."""
