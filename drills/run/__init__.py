"""A drill run: the runner over a suite, the real tools it is wired to, and what keeps it
safe (labels, lock, deadline, signals, reaping)."""
