"""The fault catalogue: what a drill does to the AOT deployment, through Docker only."""
