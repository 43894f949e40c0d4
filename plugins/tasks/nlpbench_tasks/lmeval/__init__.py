"""lm-evaluation-harness's task files, read as they are: the ``lm-eval`` task type.

Nothing of lm-evaluation-harness is imported or copied: its YAML format is read here
(``include``, ``!function``, groups) and translated into a declarative task that
follows its conventions wherever they change a number (docs/tasks.md lists them).
"""
