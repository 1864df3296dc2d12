"""The three assessment types and their sections."""

from .base import AssessmentSpec, Gap, SectionForm, SectionSpec
from .ehat import EHAT
from .ehcp import EHCP
from .young_carers import YOUNG_CARERS

SPECS: dict[str, AssessmentSpec] = {spec.kind: spec for spec in (EHAT, EHCP, YOUNG_CARERS)}


def spec_for(kind: str) -> AssessmentSpec:
    return SPECS[kind]


__all__ = ["SPECS", "AssessmentSpec", "Gap", "SectionForm", "SectionSpec", "spec_for"]
