"""nlpbench-dataquality: the ``data-quality`` audit, which checks a task's data without
any model (duplicates, near duplicates, train/test overlap, n-gram contamination, empty
fields, label balance, lengths). See docs/data-quality.md."""

from .audit import DataQualityAudit

__all__ = ["DataQualityAudit"]
