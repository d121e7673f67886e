"""Trade integrity: bought orders and buyer rings. Order brushing by concentration
(brushing.py) and lockstep buyer groups (lockstep.py) over the platform's orders in DuckDB,
their findings with the orders and accounts that show them, each a ledger item; a seeded
generator of labelled order streams (generate.py) and its evaluation (evaluate.py)."""
