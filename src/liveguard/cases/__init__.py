"""Complaints as cases: intake, linking to the live record, the workflow and its deadlines,
handling, publicity. The answer to a case's facts comes from ``liveguard.liability``."""
