"""Merchants, anchors, MCN agencies, platforms, consumers and staff; their qualifications."""
