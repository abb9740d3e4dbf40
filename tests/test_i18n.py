import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

SOURCES = [
    "manage.py",
    "fermwerk",
    "clients",
    "trajectories",
    "provisions",
    "partners",
    "templates",
]


@pytest.fixture(scope="module")
def fresh_dutch_catalogue(tmp_path_factory):
    """The Dutch catalogue as makemessages would leave it for the code as it is now, made in a
    copy of the project so the repository's own files stay untouched."""
    copy = tmp_path_factory.mktemp("project")
    for name in SOURCES:
        source = Path(settings.BASE_DIR) / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    shutil.copytree(Path(settings.BASE_DIR) / "locale", copy / "locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "fermwerk.settings", "DEBUG": "1"},
    )
    return polib.pofile(str(copy / "locale/nl/LC_MESSAGES/django.po"))


def test_every_message_has_a_dutch_translation(fresh_dutch_catalogue):
    untranslated = [entry.msgid for entry in fresh_dutch_catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in fresh_dutch_catalogue.fuzzy_entries()]
    assert untranslated == [], "Run `make messages` and translate these in locale/nl"
    assert fuzzy == [], "Check these fuzzy translations in locale/nl"


def test_the_committed_catalogue_is_up_to_date(fresh_dutch_catalogue):
    committed = polib.pofile(str(Path(settings.BASE_DIR) / "locale/nl/LC_MESSAGES/django.po"))
    assert {e.msgid for e in fresh_dutch_catalogue} == {e.msgid for e in committed}


def test_dutch_is_the_default_language():
    assert settings.LANGUAGE_CODE == "nl"
    with translation.override("nl"):
        assert translation.gettext("Plan of action") == "Plan van aanpak"
    with translation.override("en"):
        assert translation.gettext("Plan of action") == "Plan of action"
