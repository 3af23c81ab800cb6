"""The quick labels of choices (`ChoiceLabels`) say what Django's own `get_FOO_display` says."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

from tracker.models.labels import ChoiceLabels

MODELS = [m for m in apps.get_app_config("tracker").get_models() if issubclass(m, ChoiceLabels)]


def test_every_model_with_a_choice_of_status_or_state_takes_them():
    with_choices = {m for m in apps.get_app_config("tracker").get_models() if any(f.choices for f in m._meta.fields)}
    # The histories are simple-history's models: their labels are Django's own.
    assert with_choices - set(MODELS) == {m for m in with_choices if m.__name__.startswith("Historical")}
    assert len(MODELS) >= 10


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_label_as_django_gives_it_in_each_language(model, language):
    fields = [f for f in model._meta.fields if f.choices]
    assert fields
    with translation.override(language):
        for field in fields:
            for value in [*(v for v, _label in field.flatchoices), "not-a-choice", ""]:
                instance = model(**{field.attname: value})
                quick = getattr(instance, f"get_{field.name}_display")()
                assert quick == models.Model._get_FIELD_display(instance, field), (field, value)
                assert type(quick) is str
