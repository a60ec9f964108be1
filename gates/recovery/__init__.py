"""The recovery gates (`gate recover`): FUSE's perf bench, SLO check and smoke, run from a
checkout and judged against the contract."""
