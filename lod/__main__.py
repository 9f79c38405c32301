"""``python -m lod``."""

from lod.cli import main

main()
