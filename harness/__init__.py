"""The floor gates/ and drills/ stand on: errors, the result model, config loading, reports,
the process seam, bounded reads, numbers, text and time stamps."""
