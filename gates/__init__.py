"""The release gate: artifact sources, pair/contents/integrity/retention checks, recovery gates."""
