"""The Frictionless data package (https://datapackage.org/) that describes the public tables: for each
CSV its fields (name, title, type, description), its primary key, its foreign keys, and the licence.

It is served at /export/datapackage.json, beside the CSVs it names (so each resource's path is
relative to it), and written into /export/all.zip with them. The field names are the CSVs' stable
keys; titles and descriptions are in the language of the request.
"""

import json

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import licence

PACKAGE_NAME = "sfmi-followup"


def _field(column) -> dict:
    field = {"name": column.key, "title": str(column.header), "type": column.type}
    if column.description:
        field["description"] = str(column.description)
    return field


def _resource(table) -> dict:
    schema = {
        "fields": [_field(column) for column in table.columns],
        "primaryKey": list(table.primary_key),
        # An empty cell is a missing value (an actor's code on the committee's overall status, a date
        # not yet known).
        "missingValues": [""],
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": other, "fields": its_column}}
            for column, other, its_column in table.foreign_keys
        ]
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "title": str(table.title),
        "description": str(table.description),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def descriptor(tables) -> dict:
    """The package's descriptor, as a dict ready for JSON."""
    return {
        "name": PACKAGE_NAME,
        "title": _("Follow-up of the recommendations of the Special Forum on Migration Issues (OAS, 17 April 2008)"),
        "description": _(
            "The statuses of the forum's thirteen recommendations for each member state and body "
            "responsible, the actions taken, and every change of status. Published information only; "
            "texts in the language of the download where a column says so."
        ),
        "language": get_language(),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "licenses": [
            {"name": licence.DATA_LICENCE_NAME, "path": licence.DATA_LICENCE_URL, "title": licence.DATA_LICENCE_TITLE}
        ],
        "sources": [
            {
                "title": _("Report of the Special Forum on Migration Issues, OAS Permanent Council, 17 April 2008"),
            }
        ],
        "resources": [_resource(table) for table in tables],
    }


def descriptor_json(tables) -> str:
    return json.dumps(descriptor(tables), ensure_ascii=False, indent=1)
