"""`load_record` and the record's translations on a database that has none yet: what staff entered
first is kept, and a bad translation file is refused whole."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from forum.models import Recommendation
from tracker.management.commands import load_record
from tracker.models import Actor


def load(**options) -> str:
    out = io.StringIO()
    call_command("load_record", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def fixture_copy(tmp_path, monkeypatch):
    """The fixtures, copied where a test can change them, and `load_record` reading the copy. These tests
    are about the forum's record and the actors: the responsibilities (387 rows, slow to match by
    natural key) are left out."""
    copy = tmp_path / "fixtures"
    shutil.copytree(load_record.FIXTURE_DIR, copy)
    (copy / "responsibilities.json").write_text("[]")
    monkeypatch.setattr(load_record, "FIXTURE_DIR", copy)

    def edit(code, change):
        path = copy / "translations" / f"{code}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    return edit


def row_of(data, model, key):
    return next(row for row in data["rows"] if row["model"] == model and row["key"] == key)


def test_a_translation_staff_entered_before_the_first_load_is_kept(db, staff, fixture_copy):
    call_command("loaddata", "forum", "actors", verbosity=0)
    recommendation = Recommendation.objects.get(number=1)
    recommendation.text_es = "Promover un vínculo más estrecho (texto de la Secretaría)."
    recommendation._history_user = staff
    recommendation.save()
    out = load()
    assert "Translations (es): 129 filled, 0 corrected, 0 unchanged, 1 kept as staff wrote them." in out
    recommendation.refresh_from_db()
    assert recommendation.text_es == "Promover un vínculo más estrecho (texto de la Secretaría)."
    assert recommendation.text_fr.startswith("Promouvoir un lien plus étroit")


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d["rows"].append({"model": "forum.comment", "key": ["sfmi-2008", 17], "fields": {"text": "x"}}),
            "no such row in the record",
        ),
        (
            lambda d: row_of(d, "forum.comment", ["sfmi-2008", 1])["fields"].update(number="x"),
            "“number” is not a translated field",
        ),
        (
            lambda d: row_of(d, "forum.comment", ["sfmi-2008", 15])["fields"].update(text="Una lista, sin sus puntos."),
            "not built like the English",
        ),
        (
            lambda d: row_of(d, "forum.forum", ["sfmi-2008"])["fields"].update(introduction="Un solo párrafo."),
            "not built like the English",
        ),
        (
            lambda d: row_of(d, "forum.recommendation", ["sfmi-2008", 3])["fields"].update(short_title="x" * 121),
            "longer than 120 characters",
        ),
        (lambda d: row_of(d, "tracker.actor", ["MEX"])["fields"].update(name="  "), "is empty"),
        (
            lambda d: d["rows"].append({"model": "auth.user", "key": ["staff"], "fields": {"username": "x"}}),
            "has no translation to load",
        ),
        (lambda d: d.update(credit=""), "name no one"),
        (lambda d: d.update(language="en"), "its language is 'en'"),
        (lambda d: d.pop("rows"), "cannot be read"),
    ],
)
def test_a_bad_translation_file_is_refused_whole_and_changes_nothing(db, fixture_copy, change, message):
    call_command("loaddata", "forum", "actors", verbosity=0)
    fixture_copy("fr", change)
    with pytest.raises(CommandError, match=message):
        load()
    # Nothing at all was loaded, not even the languages read before the refused one.
    assert not Recommendation.objects.exclude(text_es="").exclude(text_es=None).exists()
    assert not Actor.objects.exclude(name_fr="").exclude(name_fr=None).exists()
