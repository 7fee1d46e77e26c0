"""Polish grammar for documents: declined family names, forms that follow a person's sex, typography.

No Flask and no storage here: the document types (`derive`), the case facts and the family card
call these functions; the forms they return are suggestions a person may correct.
"""
from __future__ import annotations

from .gender import FEMALE, MALE, SEXES, phrases, sex_from_pesel, sex_of
from .names import FamilyNameForms, family_name_forms
from .typography import bind_short_words

__all__ = ["FEMALE", "MALE", "SEXES", "FamilyNameForms", "bind_short_words", "family_name_forms", "phrases",
           "sex_from_pesel", "sex_of"]
