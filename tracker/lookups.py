"""`field__any_of=[...]`: membership in a list, sent to PostgreSQL as one array parameter.

`field__in` with thousands of values writes thousands of placeholders, which the driver converts one
by one: reading a download's rows in chunks of 2,000, that was ten times the query itself.
`= ANY(%s)` sends the list as one array. Other databases get `IN (...)`, as before.

Ids read from the database can be passed as `Ids(...)`: the query builder then takes them as one
value rather than looking into each (as it does into any list or tuple, in case an item is an
expression), and PostgreSQL gets them as one array literal rather than an array the driver builds
item by item.
"""

from django.db.models import Field
from django.db.models.lookups import In


class Ids:
    """Whole numbers (row ids) for `__any_of`, given as one value."""

    __slots__ = ("values",)

    def __init__(self, values):
        self.values = list(values)

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return f"Ids({self.values!r})"


def _whole_numbers(values) -> bool:
    return all(type(value) is int for value in values)


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        # Whole numbers (ids) are what the column holds already: no need to prepare each one.
        if isinstance(self.rhs, Ids) or (isinstance(self.rhs, list | tuple) and _whole_numbers(self.rhs)):
            return list(dict.fromkeys(self.rhs))
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            return "FALSE", ()
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if _whole_numbers(self.rhs):
            # An array literal, '{1,2,3}': one text the driver sends as it is.
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, "{" + ",".join(map(str, self.rhs)) + "}")
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))
