"""Request and response models of the outcomes package: a questionnaire's items."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.messages import Msg
from app.outcomes.models import ItemKind, Phase
from app.programmes.texts import texts_check

# An item's or an option's text, one per language of the programme.
ItemTexts = Annotated[dict[str, str], AfterValidator(texts_check(500, 1))]
ItemKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
MAX_ITEMS = 40
MAX_OPTIONS = 8
# The longest free-text answer, in characters.
MAX_ANSWER_CHARS = 1000
# Where an item's text names the community it is about, it writes {community}; the reader
# sees the community's label in their language there.
COMMUNITY_PLACEHOLDER = "{community}"
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: ItemKey
    text: ItemTexts


class Item(BaseModel):
    """One question. Thermometer and closeness items are about one community (`towards`,
    its key); a choice has two to eight options."""

    model_config = ConfigDict(extra="forbid")

    key: ItemKey
    kind: ItemKind
    text: ItemTexts
    towards: str | None = Field(default=None, max_length=40)
    options: list[Option] = Field(default_factory=list, max_length=MAX_OPTIONS)

    @model_validator(mode="after")
    def _shape(self) -> Item:
        about_community = self.kind in (ItemKind.thermometer, ItemKind.closeness)
        if about_community and not self.towards:
            raise ValueError(Msg("a thermometer or closeness question names the community it is about"))
        if not about_community:
            self.towards = None
        if self.kind is ItemKind.choice:
            if len(self.options) < 2:
                raise ValueError(Msg("a choice needs at least two options"))
            if len({o.key for o in self.options}) != len(self.options):
                raise ValueError(Msg("each option needs its own key"))
        else:
            self.options = []
        for text in self.text.values():
            if any(m.group(0) != COMMUNITY_PLACEHOLDER for m in _PLACEHOLDER.finditer(text)):
                raise ValueError(Msg("the only placeholder a question may hold is {{community}}"))
        return self


class QuestionnaireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Item] = Field(max_length=MAX_ITEMS)


class QuestionnairePublic(BaseModel):
    phase: Phase
    version: int
    # False while no answer has arrived: an edit changes this version; afterwards an edit
    # makes the next version.
    answered: bool
    items: list[Item]
