"""Browser helpers for the type-ahead pickers (Tom Select over select[data-lookup-url], static/js/forms.js)."""


def pick(page, select, text: str, option: str | None = None) -> None:
    """Type `text` into the picker that replaced the select `select` (a CSS selector or locator) and choose the suggested
    option that contains `option` (default: `text`), as a user does."""
    native = page.locator(select) if isinstance(select, str) else select
    control = native.locator("xpath=following-sibling::div[contains(@class, 'ts-wrapper')][1]")
    control.locator(".ts-control").click()
    control.locator("input").fill(text)
    page.locator(".ts-dropdown .option", has_text=option or text).first.click()
