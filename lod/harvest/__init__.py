"""Step 1, from the wiki: case-study pages and form exports to draft YAML records."""
