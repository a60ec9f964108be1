"""What the drills ship to run out of the box: the standard suite (scenarios/), the stand-in
FUSE toolchain's sources (standin/) and its builder, and the fixture-release writer with its
named defects."""
