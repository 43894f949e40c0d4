"""Statistics: bootstrap intervals, paired comparisons, families, tie groups and rankings."""
