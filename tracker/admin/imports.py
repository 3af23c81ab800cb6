"""Spreadsheet import and export for staff in the admin (django-import-export).

The resources (`resources`): status updates (the status matrix download, edited and uploaded back) and actions.
Rows name recommendations by number and actors by code. Columns are recognised by their key or by
their header in any of the site's languages, so a file exported in Spanish imports in English.

The import never saves a model itself: each changed row is applied through the services in
`tracker.services`, so the history is written exactly as for a manual edit.
The admin runs a dry run first (the preview), in a transaction that is rolled back; a single row
with an error refuses the whole file, and nothing is saved.
"""

import datetime
import re

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from ..spreadsheets import Column, neutralise, unneutralise


def folded(value):
    return " ".join(force_str(value).replace("\ufeff", "").split()).casefold()


def in_every_language(texts):
    """The casefolded forms of lazy texts in each of the site's languages."""
    forms = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            forms.update(folded(text) for text in texts)
    return forms


def choices_by_text(choices_class):
    """Map a choice's value, or its label in any language, to its value."""
    mapping = {}
    for value, label in choices_class.choices:
        mapping[folded(value)] = value
        for form in in_every_language([label]):
            mapping[form] = value
    return mapping


class SpreadsheetResource(resources.ModelResource):
    """What both imports share: headers in any language, cells read back as exported, plain errors."""

    columns: list[Column] = []
    required_columns: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.headers = {column.key: column.header for column in self.columns}

    # Headers.

    def before_import(self, dataset, **kwargs):
        aliases = {}
        for column in self.columns:
            for form in {folded(column.key), *in_every_language([column.header])}:
                aliases.setdefault(form, column.key)
        dataset.headers = [aliases.get(folded(h or ""), force_str(h or "")) for h in dataset.headers]
        missing = [key for key in self.required_columns if key not in dataset.headers]
        if missing:
            raise ValidationError(
                _("The file has no column %(columns)s. Start from a download of this list, which has every column.")
                % {"columns": ", ".join(f"“{self.headers[key]}”" for key in missing)}
            )

    def get_diff_headers(self):
        return [force_str(self.headers.get(field.column_name, field.column_name)) for field in self.get_import_fields()]

    def get_export_headers(self, selected_fields=None):
        return [
            force_str(self.headers.get(field.column_name, field.column_name))
            for field in self.get_export_fields(selected_fields)
        ]

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def get_user_visible_fields(self):
        return list(self.get_import_fields())

    # Cells.

    @staticmethod
    def text(row, key):
        value = row.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unneutralise(force_str(value)).strip()

    @staticmethod
    def whole_number(value):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        text = unneutralise(force_str(value or "")).strip()
        return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else None

    @staticmethod
    def date(row, key):
        """A date cell: a spreadsheet date, or text as YYYY-MM-DD. Returns (date or None, error or None)."""
        value = row.get(key)
        if isinstance(value, datetime.datetime):
            return value.date(), None
        if isinstance(value, datetime.date):
            return value, None
        text = unneutralise(force_str(value or "")).strip()
        if not text:
            return None, None
        try:
            return datetime.date.fromisoformat(text), None
        except ValueError:
            return None, _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2024-03-31.") % {"value": text}

    # Saving: through the services only.

    def save_m2m(self, instance, row, **kwargs):
        """Recommendations are set by the service, with the action."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and not getattr(instance, "_import_changes", None)


# sha256 of `onSelectToggleChange(event)`, django-import-export's inline handler on its export page.
EXPORT_TOGGLE_HANDLER_HASH = "wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8="


class SpreadsheetImportMixin(ImportExportMixin):
    """Import (with a preview) and export of CSV and XLSX in the admin, all rows or none.

    The preview is django-import-export's dry run, in a transaction rolled back afterwards; a file
    with any row in error gets the list of errors and no confirm button. The confirmed import runs
    again in one transaction that is rolled back if any row fails then (the record may have changed
    in between), and says so instead of reporting success.
    """

    import_formats = [base_formats.CSV, base_formats.XLSX]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    import_template_name = "admin/tracker/import.html"
    import_error_display = ("message", "row")

    def export_action(self, request):
        # The export page's "select all" box has one inline handler; allow exactly that handler, by its
        # hash, on this page only. No other inline script runs anywhere.
        allow_handler = csp_update({"script-src": ["'unsafe-hashes'", f"'sha256-{EXPORT_TOGGLE_HANDLER_HASH}'"]})
        return allow_handler(super().export_action)(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            problems = [str(error.error) for _line, errors in result.row_errors() for error in errors]
            problems += [
                _("Row %(row)s: %(errors)s")
                % {
                    "row": row.number,
                    "errors": "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in row.error_dict.items()),
                }
                for row in result.invalid_rows
            ]
            messages.error(
                request,
                _("The file was refused and nothing was saved: %(problems)s")
                % {"problems": " · ".join(problems[:10]) or _("an error occurred.")},
            )
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))
        return super().process_result(result, request)
