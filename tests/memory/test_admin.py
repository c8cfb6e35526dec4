import pytest

from memory.models import MemoryDeletion

pytestmark = pytest.mark.django_db


def test_staff_see_the_erasure_audit_but_cannot_change_it(client, staff_user, user):
    staff_user.is_superuser = True
    staff_user.save()
    MemoryDeletion.objects.create(user=user, count=3, how=MemoryDeletion.How.PAGE_ALL)
    client.force_login(staff_user)

    listing = client.get("/admin/memory/memorydeletion/")
    add = client.get("/admin/memory/memorydeletion/add/")

    assert listing.status_code == 200
    assert "alice" in listing.content.decode()
    assert add.status_code == 403


def test_users_facts_have_no_admin_screen(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)

    assert client.get("/admin/memory/memoryfact/").status_code == 404
