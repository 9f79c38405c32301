"""The contract models and vocabularies."""

from lod.model.case_study import CaseStudy, Institution, Link, Period

__all__ = ["CaseStudy", "Institution", "Link", "Period"]
