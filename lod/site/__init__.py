"""``lod site``: the catalogue as a static website (pages, coverage dashboard, search, data).

Made from the pipeline's one graph and the query catalogue; see build.py.
"""
