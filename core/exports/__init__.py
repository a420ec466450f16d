"""Reports and the event log as files to keep: PDF, a zip of CSV files, JSON, JSON Lines.

Every report export carries the same ``about`` facts (``about.py``): which Trust
and service, the question asked (``as_of``, ``known_on``), when it was made and
the event log's head at that moment, so a printed copy can be tied back to the
log and checked with ``events verify --expect-head``.
"""
