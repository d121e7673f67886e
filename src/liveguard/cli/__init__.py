"""The ``liveguard`` command (serve, demo, migrate, rules, detect, evaluate, evidence,
trade and case chores) and the demo data set (``data/demo.yaml``)."""
