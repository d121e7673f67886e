"""Enforcement: policy as data (``data/policy.yaml``) from live findings to actions, the action
log, staff acting by hand, and the warnings a room's viewers see."""
