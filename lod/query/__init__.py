"""The query catalogue: ready-made SPARQL, run in process or on an endpoint."""
