"""Read the ``Dates`` a curator wrote ("2016–2018", "March 2019 – present") as a period.

The contract wants ISO 8601 partial dates (YYYY, YYYY-MM, YYYY-MM-DD) and an
optional end. Month names, "present"-like words and connectors ("from", "to",
"hasta", "bis") come from ``mappings/wiki-page-labels.tsv``, so another
language is a data change. Anything the reader cannot place is returned as a
problem for a to-do line, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lod.harvest.wikimatch import label_lexicon, normalize

_MIN_YEAR, _MAX_YEAR = 1800, 2100
_DASHES = re.compile(
    r"\s*[–—‒―]\s*|\s+-\s+|(?<=\d{4})-(?=\d{4}\b)|(?<=\d{4})-(?=\s*$)|(?<=\d{4})-(?=\s*[^\W\d])"
)


@dataclass(frozen=True)
class ParsedPeriod:
    """Start and end as contract dates (None when absent), and what could not be read."""

    start: str | None
    end: str | None
    problem: str | None = None


@cache
def _date_re() -> re.Pattern[str]:
    return re.compile(
        r"(?P<iso>\b\d{4}-\d{2}(?:-\d{2})?\b)"
        r"|(?P<mmyyyy>\b(?P<mm>\d{1,2})/(?P<my>\d{4})\b)"
        r"|(?P<dmy>\b(?P<d1>\d{1,2})/(?P<m1>\d{1,2})/(?P<y1>\d{4})\b)"
        r"|(?:(?P<day>\b\d{1,2})\.?\s+(?:de\s+)?)?(?P<month>\b[^\W\d_]{3,}\.?)\s+(?:de\s+)?(?P<year>\d{4})\b"
        r"|(?P<bare>\b\d{4}\b)"
    )


def _month(word: str) -> int | None:
    found = label_lexicon("month").lookup(word.rstrip("."))
    return int(found) if found else None


def _valid(year: int, month: int = 1, day: int = 1) -> bool:
    import datetime as dt

    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _date_of(match: re.Match[str]) -> tuple[str | None, str | None]:
    """(ISO partial date, problem) for one date mention."""
    groups = match.groupdict()
    if groups["iso"]:
        parts = [int(p) for p in groups["iso"].split("-")]
        return (
            (groups["iso"], None) if _valid(*parts) else (None, f"{groups['iso']!r} is not a date")
        )
    if groups["mmyyyy"]:
        year, month = int(groups["my"]), int(groups["mm"])
        return (f"{year:04d}-{month:02d}", None) if _valid(year, month) else (None, "bad month")
    if groups["dmy"]:
        # 03/04/2019 is April in Europe and March in the US: keep only the year.
        year = int(groups["y1"])
        return (
            f"{year:04d}",
            f"{match.group(0)!r} is ambiguous (day/month order); kept the year only",
        )
    if groups["month"]:
        named = _month(groups["month"])
        year = int(groups["year"])
        if named is None:
            return (
                (f"{year:04d}", None) if _valid(year) else (None, f"{year} is not a plausible year")
            )
        if groups["day"] and _valid(year, named, int(groups["day"])):
            return f"{year:04d}-{named:02d}-{int(groups['day']):02d}", None
        return (f"{year:04d}-{named:02d}", None) if _valid(year, named) else (None, "bad date")
    year = int(groups["bare"])
    return (f"{year:04d}", None) if _valid(year) else (None, f"{year} is not a plausible year")


def parse_period(text: str) -> ParsedPeriod:
    """``2016–2018`` -> 2016..2018; ``2019–present`` -> open end; a single date -> start = end."""
    value = text.strip()
    if not value:
        return ParsedPeriod(None, None, "no dates given")
    open_words = label_lexicon("open-end")
    dates: list[str] = []
    problems: list[str] = []
    leftover = value
    for match in _date_re().finditer(value):
        date, problem = _date_of(match)
        if problem:
            problems.append(problem)
        if date:
            dates.append(date)
        whole = match.group(0)
        if match.group("month") and _month(match.group("month")) is None:
            whole = match.group("year")  # "since 2015": the word is not a month, keep it
        leftover = leftover.replace(whole, " ", 1)
    rest = _DASHES.sub(" ", leftover)
    words = normalize(rest).split()
    is_open = False
    for phrase in sorted(open_words.entries, key=len, reverse=True):
        joined = f" {' '.join(words)} "
        if f" {phrase} " in joined:
            is_open = True
            words = joined.replace(f" {phrase} ", " ").split()
    connectors = label_lexicon("date-connector").entries
    since = label_lexicon("date-since").entries
    unknown = [w for w in words if w not in connectors and w not in since]
    first = normalize(value).split()[:1]
    starts_open = bool(re.search(r"\d\s*[–—-]\s*$", value)) or (bool(first) and first[0] in since)
    if not dates:
        return ParsedPeriod(None, None, f"no year found in {value!r}")
    if len(dates) > 2:
        return ParsedPeriod(
            None, None, f"{len(dates)} dates in {value!r}; expected a start and an end"
        )
    if unknown:
        problems.append(f"ignored {' '.join(unknown)!r}")
    start = dates[0]
    end: str | None = dates[1] if len(dates) == 2 else (None if is_open or starts_open else start)
    if end is not None and end[: min(len(start), len(end))] < start[: min(len(start), len(end))]:
        return ParsedPeriod(None, None, f"end {end} precedes start {start} in {value!r}")
    return ParsedPeriod(start, end, "; ".join(problems) or None)
