"""The metrics of declarative tasks: choosing among choices (``acc``, ``acc_norm``,
``acc_mutual_info``, ``mc2``), matching generated answers (``em``) and the likelihood
of a target continuation (``target-perplexity``)."""
