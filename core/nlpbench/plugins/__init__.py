"""Plugins: loading them and keeping what they register."""
