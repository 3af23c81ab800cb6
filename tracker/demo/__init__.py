"""Synthetic follow-up for demonstrations and the benchmark: `bulk` (writing rows), `rounds`."""
