import pytest
from django.db import connection, connections

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plain():
    print("\nplain:", hasattr(connection, "_test_serialized_contents"), id(connections["default"]))
