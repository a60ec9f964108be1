"""The Docker side of a drill: what it asks of the engine (containers), the SDK seam, the
images built locally from a release, the labels on everything a run makes, and reaping."""
