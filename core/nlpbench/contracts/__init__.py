"""Contracts: what plugins implement and import (the public API re-exports them)."""
