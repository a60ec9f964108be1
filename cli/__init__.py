"""The command lines, `gate` and `drill`: the only layer that imports click, and the only
one that sees both features (gates/, drills/) and the floor (harness/)."""
