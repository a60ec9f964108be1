"""Drill scenarios: the YAML model, its schema and the checks `drill validate` shares with
`drill run`."""
