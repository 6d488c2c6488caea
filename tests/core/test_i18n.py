"""Chinese is the default language; English is complete and switchable."""

from django.conf import settings
from django.utils import translation


def test_default_is_chinese_and_english_translates():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("en"):
        assert translation.gettext("客户") == "Customer"
    with translation.override("zh-hans"):
        assert translation.gettext("客户") == "客户"


def test_switching_to_english_changes_the_pages(cast, client_as):
    client = client_as(cast.alice)
    assert "工作台" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "工作台" not in page
