"""Which documents a merchant needs for a product category: loaded from data, checked."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import Field, ValidationError, model_validator

from liveguard import datafiles
from liveguard.datafiles import Strict
from liveguard.legal import LegalBasis

DATA_FILE = "qualifications.yaml"


class DocumentType(Strict):
    code: str
    name: str
    number_pattern: str
    number_hint: str

    def number_problem(self, number: str) -> str | None:
        # re.ASCII: \d must not accept full-width digits that no register issues.
        if re.fullmatch(self.number_pattern, number.strip(), flags=re.ASCII):
            return None
        return f"a {self.code} number looks like {self.number_hint}"


class Example(Strict):
    holds: list[str]
    may_sell: bool


class Category(Strict):
    code: str
    name: str
    requires: list[list[str]]
    deposit_fen: int = Field(ge=0)
    legal_basis: list[LegalBasis]
    examples: list[Example] = Field(min_length=1)

    def missing(self, held: set[str]) -> list[list[str]]:
        """The requirement groups that none of the held document types satisfies."""
        return [group for group in self.requires if not held.intersection(group)]


class Reverification(Strict):
    interval_days: int = Field(ge=1)
    legal_basis: list[LegalBasis]


class Catalogue(Strict):
    reverification: Reverification
    document_types: list[DocumentType]
    common_basis: list[LegalBasis]
    categories: list[Category]

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        known = {d.code for d in self.document_types}
        for category in self.categories:
            for group in category.requires:
                if not group:
                    raise ValueError(f"category {category.code}: a requirement group is empty")
                unknown = set(group) - known
                if unknown:
                    raise ValueError(
                        f"category {category.code}: requires unknown document types "
                        f"{sorted(unknown)} (known: {sorted(known)})"
                    )
        codes = [c.code for c in self.categories]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"category codes must be unique; repeated: {duplicates}")
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def document_type(self, code: str) -> DocumentType | None:
        return next((d for d in self.document_types if d.code == code), None)

    def document_name(self, code: str) -> str:
        """The name of a document type a category requires (checked to exist on load)."""
        document = self.document_type(code)
        if document is None:
            raise KeyError(code)
        return document.name

    def all_legal_bases(self) -> list[LegalBasis]:
        bases = [*self.reverification.legal_basis, *self.common_basis]
        for category in self.categories:
            bases.extend(category.legal_basis)
        return bases


def parse(raw: dict[str, Any], *, source: str) -> Catalogue:
    """Requirements already read (a test's variant), validated; the first problem named."""
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(whole file)"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ValueError(f"{source}: {where}: {message}") from None


@cache
def catalogue() -> Catalogue:
    """The shipped requirements, parsed once."""
    return datafiles.load("liveguard.parties", DATA_FILE, Catalogue)
