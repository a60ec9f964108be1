"""Drill scenarios: the YAML model, its schema and the checks `drill validate` shares with
`drill run`; a scenario's AOT binary and app images; `drill init`; a suite's shards."""
