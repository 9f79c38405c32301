"""Publishing to Wikidata, part 1: a reviewable plan of edits (dry run; part 2 applies it)."""
