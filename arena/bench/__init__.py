"""Benchmarks behind `arena bench TARGET`: one module per target with `add_arguments` and `run`."""
