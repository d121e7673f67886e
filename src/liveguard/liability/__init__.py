"""The liability engine: a complaint's facts in, one answer out (who is liable and how, what
is owed, whom to contact by when, what to ask), with the rules, remedies and time limits held
as data. Pure: no database, no web, no clock.

Other packages call ``service`` and use the shapes in ``facts`` (the question) and
``resolution`` (the answer); ``evaluate`` is the ``liveguard evaluate cases`` command. The
other modules are the engine's own.
"""
