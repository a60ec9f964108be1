"""Reading a release once into frozen facts: the one-pass archive readers and the facts they
feed."""
