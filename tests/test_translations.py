"""The catalogues of Spanish, French and Portuguese are complete: no string of the interface is left
untranslated or fuzzy, and extracting the strings again finds nothing new."""

import os
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings

LANGUAGES = ["es", "fr", "pt"]
LOCALE = settings.BASE_DIR / "locale"


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    """The catalogues as `makemessages` would leave them now, extracted into a copy."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) must be installed in CI")
        pytest.skip("GNU gettext is not installed: apt-get install gettext")
    # makemessages writes into the `locale` folder beside the code it reads, whatever LOCALE_PATHS says:
    # it runs on a copy of the project, so that the committed catalogues are only read.
    project = tmp_path_factory.mktemp("project") / "followup"
    skipped = shutil.ignore_patterns(".*", "tests", "media", "staticfiles", "bench-results", "*.sqlite3*", "*.mo")
    shutil.copytree(settings.BASE_DIR, project, ignore=skipped)
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
    command += [arg for code in LANGUAGES for arg in ("--locale", code)]
    result = subprocess.run(
        command,
        cwd=project,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return project / "locale"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_is_translated(fresh_catalogues, code):
    catalogue = polib.pofile(str(fresh_catalogues / code / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {code}: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {code}: {fuzzy[:20]}"
    assert len(catalogue) > 300


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_committed_catalogue_is_up_to_date(fresh_catalogues, code):
    committed = {e.msgid for e in polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po")) if not e.obsolete}
    fresh = {e.msgid for e in polib.pofile(str(fresh_catalogues / code / "LC_MESSAGES" / "django.po"))}
    assert fresh <= committed, f"run `make messages` and translate: {sorted(fresh - committed)[:20]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_survive_translation(code):
    catalogue = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}|%[sd]")
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            expected = set(pattern.findall(entry.msgid_plural)) | set(pattern.findall(entry.msgid))
            for text in entry.msgstr_plural.values():
                assert set(pattern.findall(text)) <= expected, (entry.msgid, text)
        else:
            assert set(pattern.findall(entry.msgstr)) == set(pattern.findall(entry.msgid)), (entry.msgid, entry.msgstr)
