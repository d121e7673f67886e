"""Merchants, anchors, MCN agencies, platforms, consumers and staff; their relations, their
qualification documents and review, and merchants' deposits."""
