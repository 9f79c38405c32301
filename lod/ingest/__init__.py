"""Step 1: the curated YAML files to records (see :mod:`lod.ingest.load`)."""
