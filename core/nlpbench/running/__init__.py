"""Running: executing the plan, cell by cell, with failures kept in their cells."""
