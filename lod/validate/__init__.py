"""Step 3: the SHACL shapes on the whole graph (see :mod:`lod.validate.shacl`)."""
