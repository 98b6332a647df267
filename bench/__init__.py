"""Benchmarks for /seen/: API throughput against a bare Starlette baseline, startup time and idle memory.

Run them all with `make bench` (or `python -m bench.run`); results land in bench/results/*.json.
"""
