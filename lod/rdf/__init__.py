"""Records to RDF: triples (pyoxigraph terms) and their serialisations."""
