"""Chaos drills: inject AOT faults into Docker containers and prove the native fallback."""
