"""A drill run: the runner over a suite, the real tools it is wired to, and its safety (lock,
deadline, signals, reaping)."""
