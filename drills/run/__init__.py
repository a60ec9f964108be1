"""A drill run: the runner over a suite, the real tools it is wired to, scenarios in parallel
(--jobs), and the lock that keeps one drill run at a time."""
