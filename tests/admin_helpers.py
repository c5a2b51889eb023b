"""Submitting a Django admin change form as a browser would: every field as the page shows it, then the changes."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_chosen: list[str] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(name, a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_chosen = name, []
        elif tag == "option" and self._select is not None and "selected" in a:
            self._select_chosen.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            for value in self._select_chosen:
                self._add(self._select, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, "".join(self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def change_form_data(page_html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(page_html)
    return parser.data


def submit_change_form(client, url: str, **changes) -> object:
    """GET the admin change page at ``url``, change the named fields (False unticks a checkbox) and POST it."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = change_form_data(page.content.decode())
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = [value if isinstance(value, str) else ("on" if value is True else str(value))]
    data["_save"] = ["Save"]
    return client.post(url, data)
