"""The open licence of the follow-up data, stated wherever the data goes: the README, the footer, the
OpenAPI schema, the feeds, the XLSX "About" sheet and the data package.

The follow-up record (statuses, assessments, actions, rounds) is published under CC BY 4.0. The
forum's own texts (its recommendations and comments) are the Organization of American States', and
are reproduced verbatim under its terms, not relicensed.
"""

from django.utils.translation import gettext_lazy as _

DATA_LICENCE_NAME = "CC-BY-4.0"  # its SPDX identifier
DATA_LICENCE_TITLE = "Creative Commons Attribution 4.0 International"
DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
DATA_LICENCE_NOTICE = _(
    "The follow-up data (statuses, assessments, actions and reporting rounds) is published under the "
    "Creative Commons Attribution 4.0 International licence (CC BY 4.0). The texts of the forum's "
    "recommendations and comments are those of the Organization of American States, reproduced verbatim."
)
