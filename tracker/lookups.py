"""`field__any_of=[...]`: membership in a list, sent to PostgreSQL as one array parameter.

`field__in` with thousands of values writes thousands of placeholders, which the driver converts one
by one: reading a download's rows in chunks of 2,000, that was ten times the query itself.
`= ANY(%s)` sends the list as one array. Other databases get `IN (...)`, as before.
"""

from django.db.models import Field
from django.db.models.lookups import In


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        # Whole numbers (ids) are what the column holds already: no need to prepare each one.
        if isinstance(self.rhs, list | tuple) and all(type(value) is int for value in self.rhs):
            return list(dict.fromkeys(self.rhs))
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            return "FALSE", ()
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))
