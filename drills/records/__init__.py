"""What a drill leaves: the journal, the evidence folders and every report derived from the journal."""
