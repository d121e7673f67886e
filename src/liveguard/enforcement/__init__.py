"""Enforcement: policy from live findings to actions, the action log, viewers' warnings."""
