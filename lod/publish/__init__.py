"""Publishing: the RDF dumps, VoID and the report (Wikidata and the site come later)."""
