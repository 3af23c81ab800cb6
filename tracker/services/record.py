"""The translations of the record that ship with the project: loaded, corrected, never over staff's work.

The forum's texts, the committee's short titles and the states' and bodies' names come with
unofficial translations into Spanish, French and Portuguese (`fixtures/translations/`). Loading them
fills what is empty and carries a corrected translation to every text still as it was loaded; a text
that staff entered or changed in the admin (an official translation, a correction of their own) is
kept, whatever the fixtures now say.

Which texts staff changed is read from the change history, so it needs no bookkeeping of its own:
every version the loader saves carries `TRANSLATIONS_LOADED` as its reason, and a text counts as
changed by someone else when any other version (a staff edit through the admin, an import) changed
it, or when it holds a value that no version recorded at all. The English columns are never touched.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from modeltranslation.translator import NotRegistered, translator

from forum.models import text_structure

from .common import save_with_history

# The reason recorded on every version the loader saves: how it later tells its own writes apart.
TRANSLATIONS_LOADED = "record translations loaded"

# What the fixtures may translate: the forum's record and the states and bodies.
TRANSLATABLE_MODELS = (
    "forum.forum",
    "forum.panel",
    "forum.commentsection",
    "forum.comment",
    "forum.recommendation",
    "tracker.actor",
)
CREDIT = "translation_credit"


@dataclass
class TranslationRow:
    """The translation of one row's fields into one language, as the fixtures give it."""

    model: str
    key: list
    fields: dict[str, str]


@dataclass
class TranslationsLoaded:
    """What a load did, text by text (a text is one field of one row in one language)."""

    filled: int = 0
    corrected: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)


def _translated_fields(model) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return ()


def _resolve(row: TranslationRow, language: str, credit: str, errors: list[str]):
    """The row's object and its columns' new values, or None with the reasons added to `errors`."""
    where = f"{row.model} {row.key}"
    if row.model not in TRANSLATABLE_MODELS:
        errors.append(_("%(row)s: this kind of row has no translation to load.") % {"row": where})
        return None
    model = apps.get_model(row.model)
    try:
        obj = model._default_manager.get_by_natural_key(*row.key)
    except (ObjectDoesNotExist, TypeError, ValueError):
        errors.append(_("%(row)s: no such row in the record.") % {"row": where})
        return None
    translated = _translated_fields(model)
    values = dict(row.fields)
    if CREDIT in translated and CREDIT not in values:
        values[CREDIT] = credit
    columns = {}
    for name, value in values.items():
        if name not in translated:
            errors.append(_("%(row)s: “%(field)s” is not a translated field.") % {"row": where, "field": name})
            continue
        if not isinstance(value, str) or not value.strip():
            errors.append(_("%(row)s: the translation of “%(field)s” is empty.") % {"row": where, "field": name})
            continue
        column = f"{name}_{language}"
        limit = model._meta.get_field(column).max_length
        if limit and len(value) > limit:
            errors.append(
                _("%(row)s: the translation of “%(field)s” is longer than %(limit)s characters.")
                % {"row": where, "field": name, "limit": limit}
            )
            continue
        english = getattr(obj, f"{name}_{settings.LANGUAGE_CODE}") or ""
        if name != CREDIT and english and text_structure(value) != text_structure(english):
            errors.append(
                _(
                    "%(row)s: the translation of “%(field)s” is not built like the English "
                    "(paragraphs and list items differ)."
                )
                % {"row": where, "field": name}
            )
            continue
        columns[column] = value
    return obj, columns


def _changed_by_others(model, objects: list, columns_of: dict) -> set[tuple[int, str]]:
    """(pk, column) of each text that a write other than this loader's changed, read from the history."""
    changed = set()
    all_columns = sorted({column for columns in columns_of.values() for column in columns})
    versions = (
        model.history.filter(id__in=[obj.pk for obj in objects])
        .order_by("history_date", "history_id")
        .values("id", "history_change_reason", *all_columns)
    )
    last: dict[int, dict] = {}
    for version in versions:
        before = last.get(version["id"], {})
        by_loader = version["history_change_reason"] == TRANSLATIONS_LOADED
        for column in all_columns:
            if not by_loader and (version[column] or "") != (before.get(column) or ""):
                changed.add((version["id"], column))
        last[version["id"]] = version
    for obj in objects:
        recorded = last.get(obj.pk, {})
        for column in columns_of[obj.pk]:
            now = getattr(obj, column) or ""
            # A value no version recorded (written around the history): its author is unknown, so kept.
            if now and now != (recorded.get(column) or "") and now != columns_of[obj.pk][column]:
                changed.add((obj.pk, column))
    return changed


@transaction.atomic
def record_translations_load(*, language: str, credit: str, rows: list[TranslationRow]) -> TranslationsLoaded:
    """Load one language's translations of the record: fill each empty text, correct each text still as
    this loader last wrote it, keep each text that someone else wrote. Refuses the whole load, changing
    nothing, when any row names no row of the record, a field that is not translated, an empty or
    too long text, or a text not built like the English (paragraphs and list items)."""
    codes = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    if language not in codes:
        raise ValidationError(
            _("“%(language)s” is not one of the languages translations are loaded in (%(codes)s).")
            % {"language": language, "codes": ", ".join(codes)}
        )
    if not credit.strip():
        raise ValidationError(_("The translations name no one as having provided them."))
    errors: list[str] = []
    resolved = [found for row in rows if (found := _resolve(row, language, credit, errors))]
    if errors:
        raise ValidationError(errors)

    outcome = TranslationsLoaded()
    by_model: dict = {}
    for obj, columns in resolved:
        by_model.setdefault(type(obj), []).append((obj, columns))
    for model, entries in by_model.items():
        columns_of = {obj.pk: columns for obj, columns in entries}
        changed = _changed_by_others(model, [obj for obj, _columns in entries], columns_of)
        for obj, columns in entries:
            writes = {}
            for column, value in columns.items():
                now = getattr(obj, column) or ""
                if now == value:
                    outcome.unchanged += 1
                elif (obj.pk, column) in changed:
                    outcome.kept.append(f"{model._meta.label_lower} {obj.natural_key()} {column}")
                else:
                    writes[column] = value
                    if now:
                        outcome.corrected += 1
                    else:
                        outcome.filled += 1
            if writes:
                for column, value in writes.items():
                    setattr(obj, column, value)
                obj._change_reason = TRANSLATIONS_LOADED
                save_with_history(obj, by=None)
    return outcome
