"""QA (low): every 导入 Excel preview kept its upload under MEDIA_ROOT/imports/ forever (only a successful commit removed
it), and an upload over MAX_ROWS was read and converted to its last row before being refused. The beat now deletes
uploads older than 24 hours (imports.previews_purge), and reading stops at the first row over the limit."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from salesops.core import imports
from salesops.core.errors import DomainError
from salesops.core.tasks import purge_import_previews
from tests.core.test_imports import customer_row, filled

pytestmark = pytest.mark.django_db
PREVIEW = "/api/v1/imports/customers/preview/"
COMMIT = "/api/v1/imports/customers/commit/"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def kept_files() -> list[str]:
    root = os.path.join(settings.MEDIA_ROOT, imports.PREVIEW_DIR)
    return sorted(name for _dir, _subdirs, names in os.walk(root) for name in names)


def age(token: str, hours: float) -> None:
    """Make the kept upload of `token` look `hours` old."""
    root = os.path.join(settings.MEDIA_ROOT, imports.PREVIEW_DIR)
    (path,) = [os.path.join(d, n) for d, _s, names in os.walk(root) for n in names if token in n]
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


class TestPurge:
    def test_previews_older_than_a_day_are_deleted_and_their_token_expires(self, cast, client_as, api_as):
        api = api_as(cast.alice)
        # given a preview that failed (a row error) a day and an hour ago, one that passed 25 hours ago, one of an hour ago
        bad = filled(client_as(cast.alice), "customers", {"客户": [customer_row("", kind="??")]})
        failed = api.post(PREVIEW, {"file": bad}, format="multipart").json()
        assert not failed["ok"]
        old, recent = (
            api.post(
                PREVIEW, {"file": filled(client_as(cast.alice), "customers", {"客户": [customer_row(n)]})}, format="multipart"
            ).json()
            for n in ("甲公司", "乙公司")
        )
        age(failed["token"], 25)
        age(old["token"], 25)
        age(recent["token"], 1)
        assert len(kept_files()) == 3
        # when the beat's task runs (twice: the second finds nothing)
        assert purge_import_previews.apply().get() == 2
        assert purge_import_previews.apply().get() == 0
        # then only the recent upload is kept; the old token is expired, the recent one still commits
        assert kept_files() == [f"{cast.alice.pk}-{recent['token']}.xlsx"]
        r = api.post(COMMIT, {"token": old["token"]}, format="json")
        assert r.status_code == 400 and r.json()["detail"] == "导入预览已失效，请重新上传文件。"
        r = api.post(COMMIT, {"token": recent["token"]}, format="json")
        assert r.status_code == 201 and r.json()["committed"] and kept_files() == []

    def test_nothing_uploaded_yet_is_nothing_to_purge(self):
        assert not default_storage.exists(imports.PREVIEW_DIR)
        assert imports.previews_purge() == 0

    def test_the_cutoff_is_24_hours(self, cast, client_as, api_as):
        upload = filled(client_as(cast.alice), "customers", {"客户": [customer_row("丙公司")]})
        token = api_as(cast.alice).post(PREVIEW, {"file": upload}, format="multipart").json()["token"]
        age(token, 23)
        assert imports.previews_purge() == 0
        assert imports.previews_purge(now=timezone.now() + timedelta(hours=2)) == 1

    def test_the_task_is_in_the_beat_schedule(self):
        entry = settings.CELERY_BEAT_SCHEDULE["core-purge-import-previews"]
        assert entry["task"] == purge_import_previews.name == "salesops.core.tasks.purge_import_previews"


class TestRowLimit:
    def test_an_upload_over_the_limit_is_refused_without_reading_it_to_the_end(self, cast, client_as, api_as, monkeypatch):
        # given a limit of 3 rows and an upload of 40 customers
        monkeypatch.setattr(imports, "MAX_ROWS", 3)
        upload = filled(client_as(cast.alice), "customers", {"客户": [customer_row(f"公司{n}") for n in range(40)]})
        importer = imports.importer_named("customers")
        converted = []
        real_convert = imports.convert
        monkeypatch.setattr(imports, "convert", lambda f, value: converted.append(f.key) or real_convert(f, value))
        # when it is read, then it is refused with the limit, after converting at most the rows up to the first one over it
        with pytest.raises(DomainError, match="一次最多导入 3 行，请分批导入。"):
            imports.read_book(importer, upload.read())
        assert 0 < converted.count("name") <= 4
        # and through the API: 400 with the same message, nothing kept
        upload.seek(0)
        r = api_as(cast.alice).post(PREVIEW, {"file": upload}, format="multipart")
        assert r.status_code == 400 and r.json()["detail"] == "一次最多导入 3 行，请分批导入。"
        assert kept_files() == []

    def test_an_upload_at_the_limit_is_read(self, cast, client_as, monkeypatch):
        monkeypatch.setattr(imports, "MAX_ROWS", 3)
        upload = filled(client_as(cast.alice), "customers", {"客户": [customer_row(f"公司{n}") for n in range(3)]})
        rows, errors = imports.read_book(imports.importer_named("customers"), upload.read())
        assert len(rows) == 3 and errors == []
