"""Versioning: every edit is a new published version, history is public, merged services move."""

from __future__ import annotations

from typing import Any

import pytest

from citizencloud.catalog import selectors, services
from citizencloud.catalog.models import Service, Status
from citizencloud.catalog.schemas import Guide
from citizencloud.identity.models import User, UserKind
from citizencloud.kernel.errors import DomainError

pytestmark = pytest.mark.django_db


def editor() -> User:
    return User.objects.create_user(
        "editor.test", "pw-123456789", kind=UserKind.STAFF, display_name="编辑 测试"
    )


def service(code: str = "gjj-withdraw-rent") -> Service:
    return Service.objects.select_related("published").get(code=code)


def test_an_edit_publishes_a_new_version_and_keeps_the_old(
    django_capture_on_commit_callbacks: Any,
) -> None:
    svc = service()
    before = svc.published
    assert before is not None
    assert selectors.guide(svc.code)["guide"]["fee"] == "不收费"  # now cached
    guide = Guide.model_validate(before.guide).model_copy(update={"fee": "不收费（含邮寄）"})
    with django_capture_on_commit_callbacks(execute=True):
        version = services.edit(service=svc, editor=editor(), note="写明邮寄免费", guide=guide)
    assert version.number == before.number + 1
    assert service().published == version
    assert selectors.guide(svc.code)["guide"]["fee"] == "不收费（含邮寄）"  # cache was dropped
    _, versions = selectors.history(svc.code)
    assert [v.number for v in versions][:2] == [version.number, before.number]
    assert versions[0].change_note == "写明邮寄免费"
    assert versions[0].editor is not None


def test_an_edit_needs_a_change_note() -> None:
    with pytest.raises(DomainError) as info:
        services.edit(service=service(), editor=None, note="  ")
    assert info.value.code == "catalog.change_note_required"


def test_a_rename_updates_the_search_columns() -> None:
    services.edit(service=service(), editor=None, note="改名", name="租房提取公积金（测试）")
    assert service().search_name.startswith("租房提取公积金(测试)")  # NFKC
    assert "zufangtiqugongjijin" in service().search_pinyin


def test_merged_services_redirect_and_predecessors_follow() -> None:
    old, middle, new = (
        service("gjj-account-merge"),
        service("gjj-transfer"),
        service("gjj-withdraw-leave"),
    )
    services.retire(service=old, editor=None, note="并入", successor=middle)
    services.retire(service=middle, editor=None, note="再并入", successor=new)
    assert service("gjj-account-merge").successor == new  # no chains
    with pytest.raises(selectors.ServiceMoved) as moved:
        selectors.get_service("gjj-account-merge")
    assert moved.value.extra == {"successor": "gjj-withdraw-leave"}
    assert not selectors.search("合并").filter(code="gjj-account-merge").exists()


def test_a_retired_service_without_successor_stays_readable() -> None:
    services.retire(service=service("jt-nonlocal-vehicle"), editor=None, note="政策取消")
    assert selectors.get_service("jt-nonlocal-vehicle").status == Status.RETIRED


def test_a_successor_must_be_another_active_service() -> None:
    svc = service()
    with pytest.raises(DomainError):
        services.retire(service=svc, editor=None, note="x", successor=svc)


def test_unknown_codes_come_with_suggestions() -> None:
    with pytest.raises(DomainError) as info:
        selectors.get_service("gjj-withdraw-rnt")
    assert info.value.status == 404
    assert "gjj-withdraw-rent" in info.value.extra["suggestions"]


def test_create_refuses_a_duplicate_code_and_unknown_verbs() -> None:
    svc = service()
    with pytest.raises(DomainError):
        services.verbs_field(["fly"])
    with pytest.raises(DomainError):
        services.create_service(
            code=svc.code,
            theme=svc.theme,
            department=svc.department,
            tier="city",
            audience="citizen",
            verbs=["apply"],
            name="x",
            name_en="x",
            guide=Guide.model_validate(svc.published.guide),  # type: ignore[union-attr]
        )


def test_search_pages_are_cached_until_the_catalog_changes(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = selectors.search_page("公积金")
    assert first.object_list[0].code == "gjj-withdraw-purchase"
    again = selectors.search_page("公积金")
    assert [s.pk for s in again.object_list] == [s.pk for s in first.object_list]
    with django_capture_on_commit_callbacks(execute=True):
        services.retire(service=service("gjj-transfer"), editor=None, note="停止")
    after = selectors.search_page("公积金")
    assert after.paginator.count == first.paginator.count - 1


def test_every_publication_and_retirement_is_audited() -> None:
    from citizencloud.kernel.models import AuditEntry

    who = editor()
    services.edit(service=service(), editor=who, note="审计测试")
    services.retire(service=service("gjj-account-merge"), editor=who, note="停止")
    entries = AuditEntry.objects.filter(actor_name="编辑 测试").order_by("id")
    actions = [(e.action, e.target_type, e.target_label) for e in entries]
    assert ("catalog.service.published", "catalog.service", "gjj-withdraw-rent") in actions
    assert ("catalog.service.retired", "catalog.service", "gjj-account-merge") in actions
