"""Benchmarks: never run by the test suite; results go to docs/performance.md."""
