"""Suites: from a YAML file to checked specs and a plan of cells."""
