"""The blank case-study page: the form's seven headings and the Context bullets.

An institution's role is a last part of its bullet ("– lead") and a link's
kind the field of its Resources line ("* Report: [url title]"): plain text a
person writes by hand, read back by ``lod harvest`` (both optional).

Printed by ``lod harvest --template`` for curators and as the wiki form's
preload. Every hint is an HTML comment, so a page left blank reads as empty
(and is skipped by the harvester) and the hints never end up in a record.
"""

from __future__ import annotations

from lod.model.case_study import MAX_SUMMARY

TEMPLATE = """\
== Summary/Abstract ==
<!-- Two to five sentences: who did what with which Wikimedia project, and what came of it. At most MAX_SUMMARY characters. -->

== Context/Background ==
<!-- Fill in the bullets below (one fact per line; repeat "Institution" for each institution).
     Values can be plain text, [[w:en:Page|links]] or {{Hlist|a|b}}; separate several values with ";". -->
* Institution: <!-- name – library type – country, and if you like its role (lead, partner, funder or host),
     e.g. "Biblioteca de Catalunya – national library – Spain – lead" -->
* Library type: <!-- e.g. public library, academic library, national library, biblioteca pública, bibliothèque universitaire -->
* Country: <!-- country name or ISO code, e.g. Spain, Wales (United Kingdom), ES -->
* IFLA unit: <!-- the IFLA sections or special interest groups involved, e.g. Public Libraries Section -->
* Dates: <!-- 2016, 2016–2018, March 2019 – present -->
* Wikimedia projects: <!-- e.g. Wikipedia; Wikidata; Wikimedia Commons -->
* Activities: <!-- e.g. edit-a-thon; training; Wikimedian in residence; data upload -->
* Languages: <!-- the wiki editions worked on, e.g. Catalan; Spanish -->
* Submitted by: <!-- an IFLA unit's name, or your name or organisation -->
<!-- Then: what opportunity made the work possible (funding, volunteers, staff)? What earlier experience
     did the library have? Which kind of library is it, and which IFLA sections does it represent? -->

== Goals ==
<!-- The intended impact; which library activities were to benefit; how the impact was to be measured. -->

== Implementation/Steps ==
<!-- Each step: who was involved, which tools were used, which documentation was made or used. -->

== Outcomes ==
<!-- Were the goals met? Data, statistics or other evidence; outcomes that are hard to measure. -->

== Reflection and lessons learned ==
<!-- Challenges foreseen and unforeseen, how you handled them, what you would do differently. -->

== Resources/Links/Additional Context ==
<!-- Links to project pages, reports, data sets, media and scholarship, one per line; say what
     each is (Project page, Report, Dataset, Media, Article or Other link) before it if you like:
     * Report: [https://example.org/report Final report] -->
"""


def blank_page() -> str:
    """The wikitext of a blank case-study page (the summary's limit is the contract's)."""
    return TEMPLATE.replace("MAX_SUMMARY", str(MAX_SUMMARY))
