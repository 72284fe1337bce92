"""The benchmark: `make bench` / `make bench-quick` (see bench/run.py). Never part of the product."""
