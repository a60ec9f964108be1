"""The playbook's phases for one drill: deploy, watch and detect, classify, contain, fall back,
verify, recover to AOT, and the verdict."""
