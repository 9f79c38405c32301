"""Reconciliation with Wikidata: propose items, keep curator decisions in an SSSOM ledger.

``subjects`` says what to look for, ``queries`` and ``sparql`` ask an endpoint
(the only network code), ``score`` weighs the evidence, ``match`` ties them
together, ``review`` applies curator decisions, and ``links`` turns the
ledger into the build's ``owl:sameAs`` links.
"""
