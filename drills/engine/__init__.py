"""The Docker side of a drill: what it asks of the engine (containers), the SDK seam, and the
images built locally from a release."""
