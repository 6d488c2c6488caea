"""salesops.core.transient: a transaction whose commit does not wait for the WAL flush (PostgreSQL), and only that one."""

import pytest
from django.db import connection, transaction

from salesops.core.models import Department
from salesops.core.transient import transient


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_its_own_commit_is_asynchronous_and_the_next_one_is_not(on_postgres):
    with transient():
        inside = _synchronous_commit()
        Department.objects.create(code="tmp", name="临时")
    assert (inside, _synchronous_commit()) == ("off", "on")
    assert Department.objects.filter(code="tmp").exists()  # written all the same


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_inside_an_outer_transaction_it_leaves_the_outer_commit_alone(on_postgres):
    with transaction.atomic():
        with transient():
            assert _synchronous_commit() == "on"
        assert _synchronous_commit() == "on"


@pytest.mark.django_db
def test_a_failure_inside_rolls_its_writes_back():
    with pytest.raises(ValueError), transient():
        Department.objects.create(code="tmp", name="临时")
        raise ValueError
    assert not Department.objects.filter(code="tmp").exists()
