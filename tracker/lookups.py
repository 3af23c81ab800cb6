"""How values go into the statements: `Written` constants, and `field__any_of=[...]` lists.

`Written(value)` writes a constant of the code (a state, a recommendation's key) into a statement's
text, so that PostgreSQL can plan the prepared statement once for all its runs (see its docstring).

`field__any_of=[...]`: membership in a list, sent to PostgreSQL as one array parameter.

`field__in` with thousands of values writes thousands of placeholders, which the driver converts one
by one: reading a download's rows in chunks of 2,000, that was ten times the query itself.
`= ANY(%s)` sends the list as one array. Other databases get `IN (...)`, as before.

Ids read from the database can be passed as `Ids(...)`: the query builder then takes them as one
value rather than looking into each (as it does into any list or tuple, in case an item is an
expression), and PostgreSQL gets them as one array literal rather than an array the driver builds
item by item.
"""

import re

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Value
from django.db.models.lookups import In

# What `Written` writes into a statement's text: a whole number, or a short word of the code's own.
_WORD = re.compile(r"[a-z][a-z_]{0,39}")


class Written(Value):
    """A constant of the code written into the statement's text rather than sent as a parameter:
    `filter(state=Written(Action.State.PUBLISHED))`.

    A prepared statement is planned for no value in particular (a generic plan) only when that plan
    looks no dearer than the plans made for the values given. A parameter that always carries the same
    value (an action's state, "published") is estimated as any of the column's values, which makes the
    generic plan look dearer than it is: PostgreSQL then plans the statement afresh at every run. In the
    text, the value is estimated for what it is, and a partial index written for it can be used.

    Only whole numbers and lower-case words (choice values, never visitors' input) are written, and
    tuples of whole numbers, as a list for `__in` (an empty one matches nothing, as `__in=[]` does,
    without asking the database).
    """

    def as_sql(self, compiler, connection):
        value = self.value
        if type(value) is int:
            return str(value), ()
        if type(value) is tuple and _whole_numbers(value):
            if not value:
                raise EmptyResultSet
            return f"({', '.join(map(str, value))})", ()
        if isinstance(value, str) and _WORD.fullmatch(str(value)):
            return f"'{value!s}'", ()
        raise ValueError(f"Only whole numbers and lower-case words are written into SQL, not {value!r}.")


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
