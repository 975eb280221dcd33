"""Request and response models for programmes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.accounts.schemas import StrictModel
from app.messages import Msg
from app.programmes.models import MIN_GROUP_FLOOR, UI_LANGUAGES, MemberRole
from app.security.text import label_problem

COMMUNITY_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,38}$"
# The largest smallest group a programme may set (a larger one would hide every chart).
MAX_MIN_GROUP = 100


def shown_text(value: str, what: str) -> str:
    """A name or label people will read: no control or invisible characters (see
    security.text.label_problem); a 422 that says which."""
    problem = label_problem(value)
    if problem:
        raise PydanticCustomError("control_characters", "{what} {problem}", {"what": what, "problem": problem})
    return value


def clean_labels(value: dict[str, str]) -> dict[str, str]:
    """A community's labels: each in an interface language, 1 to 80 characters, all visible."""
    cleaned: dict[str, str] = {}
    for language, label in value.items():
        if language not in UI_LANGUAGES:
            raise ValueError(
                Msg(
                    "'{language}' is not one of the languages {languages}",
                    language=language,
                    languages=", ".join(UI_LANGUAGES),
                )
            )
        label = label.strip()
        if not label or len(label) > 80:
            raise ValueError(Msg("the {language} label must have 1 to 80 characters", language=language))
        cleaned[language] = shown_text(label, f"The {language} label")
    return cleaned


class CommunityIn(StrictModel):
    key: str = Field(min_length=1, max_length=40, pattern=COMMUNITY_KEY_PATTERN)
    labels: dict[str, str] = Field(min_length=1)

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        return clean_labels(value)


class CommunityLabels(StrictModel):
    """New labels for a community (its key stays): the languages given are replaced."""

    labels: dict[str, str] = Field(min_length=1)

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        return clean_labels(value)


class ProgrammeCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    languages: list[str] = Field(default_factory=lambda: list(UI_LANGUAGES), min_length=1)
    communities: list[CommunityIn] = Field(min_length=2, max_length=8)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return shown_text(value, "The name")

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in UI_LANGUAGES]
        if unknown:
            raise ValueError(
                Msg(
                    "unknown language '{language}'; use {languages}",
                    language=unknown[0],
                    languages=", ".join(UI_LANGUAGES),
                )
            )
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _communities_fit(self) -> ProgrammeCreate:
        keys = [c.key for c in self.communities]
        if len(set(keys)) != len(keys):
            raise ValueError(Msg("each community needs its own key"))
        for community in self.communities:
            missing = [code for code in self.languages if code not in community.labels]
            if missing:
                raise ValueError(
                    Msg(
                        "community '{key}' needs a label in {languages}",
                        key=community.key,
                        languages=", ".join(missing),
                    )
                )
        return self


class ProgrammeUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    retention_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days after release when raw statements are deleted."
    )
    keep_raw_statements: bool | None = Field(default=None, description="True: no retention period (keep them).")
    withdrawal_hours: int | None = Field(
        default=None, ge=0, le=24 * 90, description="Hours after a session during which participants may withdraw."
    )
    survey_min_group: int | None = Field(
        default=None,
        ge=MIN_GROUP_FLOOR,
        le=MAX_MIN_GROUP,
        description=f"The fewest people an aggregate of survey answers may describe (at least {MIN_GROUP_FLOOR}).",
    )
    survey_days: int | None = Field(
        default=None, ge=1, le=365, description="Days after a session ends during which its post-survey is open."
    )
    facilitators_see_answers: bool | None = Field(
        default=None,
        description="True: facilitators may read their own sessions' survey answers one respondent at a time "
        "(never with names).",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else shown_text(value, "The name")


class MemberAdd(StrictModel):
    username: str = Field(min_length=1, max_length=64)
    role: MemberRole


class RoomNameIn(StrictModel):
    room_name: str | None = Field(
        max_length=200,
        description="The name your seat shows in this programme's rooms; empty or null: your first name.",
    )


class RoomNamePublic(BaseModel):
    room_name: str | None = Field(description="The name you chose; null: the default.")
    shown_as: str = Field(description="What your seat shows in a room you enter from now on.")


class CommunityPublic(BaseModel):
    id: int
    key: str
    labels: dict[str, str]


class MemberPublic(BaseModel):
    user_id: int
    username: str
    full_name: str
    role: MemberRole


class ProgrammePublic(BaseModel):
    id: int
    name: str
    description: str
    languages: list[str]
    retention_days: int | None = None
    withdrawal_hours: int = 72
    survey_min_group: int = 5
    survey_days: int = 14
    facilitators_see_answers: bool = False
    communities: list[CommunityPublic]
    my_role: MemberRole
    created_at: datetime


class ProgrammeDetail(ProgrammePublic):
    members: list[MemberPublic]
