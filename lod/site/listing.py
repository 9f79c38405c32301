"""What the site's lists need of every record, gathered one record at a time.

The index, the term, year and institution pages list records by their list
entries (:func:`lod.site.casepages.list_item`), the browse page counts them
and the index's script searches them. None of these needs a record whole:
:class:`Listing` keeps each record's number under every term it names, and
writes its two list entries and its search row to a temporary file as the
record comes back from rendering. A page reads the entries it lists when it
is rendered, so the site's memory holds numbers, not records.
"""

from __future__ import annotations

import json
import os
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import BinaryIO, Self

from markupsafe import Markup

from lod.site.records import RecordView
from lod.spool import OnDemand

#: The view's facets a list groups records by, by their attribute name.
FACETS = ("types", "countries", "regions", "units", "projects", "activities")


def search_row(view: RecordView) -> str:
    """One record's entry of the index page's search data, as JSON."""
    row = {"id": view.id, "title": view.title, "summary": view.summary,
           "types": list(view.types), "countries": list(view.countries),
           "regions": list(view.regions), "units": list(view.units),
           "projects": list(view.projects), "activities": list(view.activities),
           "start": view.start_year, "end": view.end_year}
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class Listing:
    """Records' list entries on disk, and the records' numbers under each term and year.

    Records are numbered in the order they are added (the site's order, by id).
    A record naming a term twice is listed twice under it, as a list of its views did.
    """

    def __init__(self) -> None:
        self._file: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        #: Where each text starts (and the last ends): record ``n``'s list entries are texts
        #: ``3n`` (root "") and ``3n+1`` (root "../"), its search row ``3n+2``.
        self._starts = array("q", [0])
        self._end = 0
        self._rows = 0
        #: facet -> term -> the records naming it, in order.
        self.by: dict[str, dict[str, list[int]]] = {key: {} for key in FACETS}
        #: start year -> the records that started then; the records with no start year.
        self.years: dict[int, list[int]] = {}
        self.undated: list[int] = []

    def __len__(self) -> int:
        return (len(self._starts) - 1) // 3

    def add(self, view: RecordView, item: Markup, item_in_folder: Markup) -> None:
        """Take the next record's view and its two list entries."""
        number = len(self)
        for key, terms in self.by.items():
            for term in getattr(view, key):
                terms.setdefault(term, []).append(number)
        if view.start_year is None:
            self.undated.append(number)
        else:
            self.years.setdefault(view.start_year, []).append(number)
        for text in (item, item_in_folder, search_row(view)):
            data = str(text).encode("utf-8")
            self._file.write(data)
            self._end += len(data)
            self._starts.append(self._end)

    def _text(self, index: int) -> str:
        start = self._starts[index]
        return os.pread(self._file.fileno(), self._starts[index + 1] - start, start).decode("utf-8")

    def items(self, numbers: Sequence[int] | None = None, *, in_folder: bool = False
              ) -> Sequence[Markup]:
        """The list entries of records ``numbers`` (default: all), read when iterated."""
        self._file.flush()
        return Entries(self, range(len(self)) if numbers is None else numbers, in_folder)

    def search_rows(self) -> Iterator[str]:
        """Every record's search row (JSON), in order."""
        self._file.flush()
        for number in range(len(self)):
            yield self._text(3 * number + 2)

    def close(self) -> None:
        """Remove the file."""
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class Entries(OnDemand[int, Markup]):
    """Some records' list entries, read from the listing's file as a template walks them."""

    def __init__(self, listing: Listing, numbers: Sequence[int], in_folder: bool) -> None:
        super().__init__(numbers)
        self._listing = listing
        self._in_folder = in_folder

    def _item(self, key: int) -> Markup:
        text = self._listing._text(3 * key + (1 if self._in_folder else 0))
        return Markup(text)  # noqa: S704 - rendered by the autoescaping environment

    def _part(self, keys: Sequence[int]) -> Entries:
        return Entries(self._listing, keys, self._in_folder)
