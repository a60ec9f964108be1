"""What a drill leaves: the journal and its events, where the evidence folders are, and every
report derived from the journal."""
