"""Credit: integrity scores per merchant, anchor, MCN and platform, made only from what
LiveGuard recorded (findings, upheld complaints, broken promises, failed samples), each
factor with its weight, value and the records behind it, recomputed as facts arrive and
kept as history; the black list and the red list with due process (proposal, notice,
objection, a person's decision, appeal, repair), their consequences, and the public
lookup. Weights, criteria, periods and consequences are data (``data/credit.yaml``)."""
