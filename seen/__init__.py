"""/seen/: a self-hosted personal streaming control center."""
