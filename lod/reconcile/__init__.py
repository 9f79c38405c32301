"""Reconciliation with Wikidata: propose items, keep curator decisions in an SSSOM ledger.

``subjects`` says what to look for, ``queries`` and ``sparql`` ask an endpoint
(the only network code), ``classes`` says what a library type expects of an
item's classes, ``evidence`` compares one subject with one item, ``score``
turns the evidence into a confidence (docs/reconciliation.md), ``match`` ties
them together, ``review`` applies curator decisions, and ``links`` turns the
ledger into the build's ``owl:sameAs`` links.
"""
