"""Executors: where a suite's models are loaded and asked (this process, or Ray actors)."""
