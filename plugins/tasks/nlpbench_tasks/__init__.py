"""nlpbench-tasks: any text benchmark as a few lines of YAML (the ``template`` task
type), lm-evaluation-harness's task files as they are (``lm-eval``), and a library of
the standard benchmarks."""
