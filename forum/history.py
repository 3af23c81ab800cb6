"""The change history of the texts in every language, not only the English.

django-simple-history builds a model's historical table when the model is defined; the columns of
each language are added to the model later, by django-modeltranslation, so simple-history leaves them
out. `record_translations` adds them to the historical table once both are ready, so a translation
entered or corrected by staff is kept with who and when, as the English is.
"""

from modeltranslation.translator import translator
from simple_history.models import transform_field

from .models import translation_columns


def record_translations(model) -> None:
    """Keep every language's column of `model`'s translated fields in its history."""
    history = model.history.model
    have = {field.name for field in history._meta.get_fields()}
    fields = translator.get_options_for_model(model).fields
    for name in translation_columns(*fields):
        if name in have:
            continue
        column = model._meta.get_field(name).clone()
        column.set_attributes_from_name(name)
        transform_field(column)
        history.add_to_class(name, column)
        history.tracked_fields.append(column)
