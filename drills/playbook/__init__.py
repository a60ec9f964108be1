"""The playbook's phases for one drill: deploy, watch and detect, classify, contain, fall back,
verify, preserve diagnostics (evidence), recover to AOT, and the verdict; the run's deadline and
signal shield they run under."""
