"""Results: what a run keeps (results.json, samples.jsonl, the store) and reads back."""
