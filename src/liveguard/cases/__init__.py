"""Complaints: facts, liability, remedies, deadlines, and the case workflow."""
