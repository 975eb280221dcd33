"""The interface in four languages: complete catalogs, and each page in the language its reader chose."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.accounts.models import Role
from app.programmes.models import UI_LANGUAGES
from app.web.i18n import LANGUAGE_COOKIE, from_accept_language
from tests.factories import api_login, make_invitation, make_world, schedule

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "frontend" / "translations"
TRANSLATED = [code for code in UI_LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif%]")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
ARMENIAN = re.compile(r"[\u0531-\u0587]")

Key = tuple[str | tuple[str, ...] | list[str], str | None]  # babel's message id (plurals: a tuple), context


def extracted() -> set[Key]:
    """Message ids in the templates, as `pybabel extract -F babel.cfg` finds them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    checked: set[Key] = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(ROOT, method_map, options_map):
        key = (message, context)
        checked.add(key)
    return checked


def keys_of(catalog: Catalog) -> set[Key]:
    return {(m.id, m.context) for m in catalog if m.id}


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def po_path(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


def texts(value: str | tuple[str, ...] | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# --- the catalogs -------------------------------------------------------------------------


def test_the_template_is_up_to_date_with_the_pages():
    checked = extracted()
    assert checked, "no messages found: is babel.cfg right?"
    pot = keys_of(read(TRANSLATIONS / "messages.pot"))
    assert sorted(map(str, checked - pot)) == [], (
        "run pybabel extract (README, Languages): messages missing from messages.pot"
    )
    assert sorted(map(str, pot - checked)) == [], "messages.pot holds messages no page uses any more"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_in_every_language(code):
    checked = extracted()
    catalog = read(po_path(code), locale=code)
    assert not catalog.fuzzy, f"{code}: the catalog header is marked fuzzy"
    by_key = {(m.id, m.context): m for m in catalog if m.id}
    missing = sorted(str(k) for k in checked if k not in by_key)
    assert missing == [], f"{code}: run pybabel update, then translate {missing}"
    untranslated = sorted(str(k) for k in checked if not all(s.strip() for s in texts(by_key[k].string or "")))
    assert untranslated == [], f"{code}: empty translations for {untranslated}"
    fuzzy = sorted(str(k) for k in checked if by_key[k].fuzzy)
    assert fuzzy == [], f"{code}: fuzzy translations for {fuzzy}"
    unused = sorted(str(k) for k in set(by_key) - checked)
    assert unused == [], f"{code}: the catalog holds messages no page uses any more: {unused}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_are_kept_in_every_translation(code):
    checked = extracted()
    for message in read(po_path(code), locale=code):
        if not message.id or (message.id, message.context) not in checked:
            continue
        wanted = sorted(PLACEHOLDER.findall(" ".join(texts(message.id))))
        for translation in texts(message.string or ""):
            assert sorted(PLACEHOLDER.findall(translation)) == wanted, (code, message.id, translation)


def test_accept_language_is_read_by_quality_and_by_primary_tag():
    assert from_accept_language("fr-FR,ru;q=0.8,en;q=0.5") == "ru"
    assert from_accept_language("en;q=0.2, hy-AM") == "hy"
    assert from_accept_language("az-Latn-AZ") == "az"
    assert from_accept_language("ru;q=0, de") is None
    assert from_accept_language("") is None


# --- pages --------------------------------------------------------------------------------


async def test_a_page_follows_the_visitors_language_choice(client):
    client.cookies.set(LANGUAGE_COOKIE, "hy")
    page = await client.get("/login")
    assert page.status_code == 200
    assert '<html lang="hy">' in page.text
    assert "Մուտք գործել" in page.text and ARMENIAN.search(page.text)
    assert "Log in" not in page.text


async def test_azerbaijani_pages_carry_its_letters_in_utf8(client):
    client.cookies.set(LANGUAGE_COOKIE, "az")
    page = await client.get("/login")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="az">' in page.text
    # The bytes themselves, so that a wrong encoding anywhere on the way shows.
    assert "İstifadəçi adı".encode() in page.content
    assert "Azərbaycanca".encode() in page.content


async def test_without_a_choice_the_browsers_languages_decide(client):
    russian = await client.get("/login", headers={"Accept-Language": "fr-FR, ru;q=0.8, en;q=0.5"})
    assert '<html lang="ru">' in russian.text and "Войти" in russian.text
    english = await client.get("/login", headers={"Accept-Language": "fr-FR, de"})
    assert '<html lang="en">' in english.text and "Log in" in english.text
    client.cookies.set(LANGUAGE_COOKIE, "az")
    chosen = await client.get("/login", headers={"Accept-Language": "ru"})
    assert '<html lang="az">' in chosen.text


async def test_pages_rendered_at_once_in_different_languages_do_not_mix(new_client):
    browsers = {code: new_client() for code in UI_LANGUAGES}
    for code, browser in browsers.items():
        browser.cookies.set(LANGUAGE_COOKIE, code)
    pages = await asyncio.gather(*(browsers[code].get("/login") for code in UI_LANGUAGES for _ in range(3)))
    words = {"en": "Password", "ru": "Пароль", "az": "Parol", "hy": "Գաղտնաբառ"}
    for index, page in enumerate(pages):
        code = UI_LANGUAGES[index // 3]
        assert f'<html lang="{code}">' in page.text and words[code] in page.text


async def test_the_footer_offers_each_language_in_its_own_name(client):
    page = await client.get("/login?next=/programmes")
    for code, name in {"en": "English", "ru": "Русский", "az": "Azərbaycanca", "hy": "Հայերեն"}.items():
        assert f'href="/language/{code}?next=/login%3Fnext%3D/programmes"' in page.text
        assert f">{name}</a>" in page.text


async def test_the_footer_never_carries_an_invitation_token(client):
    token = "A" * 43
    page = await client.get(f"/join/{token}")
    assert page.status_code == 404 and "/language/hy?next=" in page.text
    assert token not in page.text


async def test_the_language_switcher_sets_the_cookie_and_goes_back(client):
    response = await client.get("/language/ru", params={"next": "/login?next=/programmes"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/programmes"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("rt_lang=ru;")
    assert "Max-Age=31536000" in cookie and "Path=/" in cookie and "SameSite=lax" in cookie
    assert "HttpOnly" not in cookie
    page = await client.get("/login")
    assert '<html lang="ru">' in page.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", ""])
async def test_the_language_switcher_never_sends_people_off_site(client, target):
    response = await client.get("/language/hy", params={"next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_an_unknown_language_is_a_not_found_page(client):
    response = await client.get("/language/fr?next=/login", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "set-cookie" not in response.headers or "rt_lang" not in response.headers["set-cookie"]


async def test_a_participant_who_chose_armenian_reads_the_next_steps_in_armenian(app, make_account, new_client):
    world = await make_world(app, make_account)
    await schedule(app, world.session)
    _invitation, token = await make_invitation(app, facilitator=world.facilitator.user, session=world.session)
    person = new_client()
    start = await person.get(f"/join/{token}")
    assert start.headers["location"] == "/join/language"
    language_page = await person.get("/join/language")
    assert '<html lang="en">' in language_page.text
    csrf_field = CSRF_FIELD.search(language_page.text)
    assert csrf_field
    csrf = csrf_field.group(1)
    chosen = await person.post("/join/language", data={"csrf_token": csrf, "language": "hy"})
    assert chosen.headers["location"] == "/join/rules"
    # Nothing about the choice is kept in the browser (a language could hint at a community).
    assert "set-cookie" not in chosen.headers or "rt_lang" not in chosen.headers["set-cookie"]

    rules = await person.get("/join/rules")
    assert '<html lang="hy">' in rules.text
    assert "Շփման կանոններ" in rules.text and "Համաձայն եմ — շարունակել" in rules.text
    agreed = await person.post(
        "/join/rules", data={"csrf_token": csrf, "rules_version": "1", "accept_rules": "1", "accept_transcript": "1"}
    )
    assert agreed.headers["location"] == "/join/name"
    name_page = await person.get("/join/name")
    assert '<html lang="hy">' in name_page.text and "Ձեր անունը սենյակում" in name_page.text
    seated = await person.post("/join/name", data={"csrf_token": csrf, "display_name": "Ani"})
    assert seated.status_code == 303, seated.text
    survey = await person.get(seated.headers["location"])  # the pre-session survey, optional
    assert '<html lang="hy">' in survey.text
    skipped = await person.post(seated.headers["location"] + "/skip", data={"csrf_token": csrf})
    waiting_url = skipped.headers["location"]
    waiting = await person.get(waiting_url)
    assert '<html lang="hy">' in waiting.text and "Դուք սպասասրահում եք" in waiting.text

    # An explicit choice in the footer still wins.
    person.cookies.set(LANGUAGE_COOKIE, "ru")
    again = await person.get(waiting_url)
    assert '<html lang="ru">' in again.text and "Вы в зале ожидания" in again.text


async def test_staff_pages_show_community_labels_in_the_readers_language(app, client, make_account):
    world = await make_world(app, make_account)
    await api_login(client, world.facilitator)
    client.cookies.set(LANGUAGE_COOKIE, "hy")
    overview = await client.get(f"/sessions/{world.session.id}")
    assert "Համայնք Ա" in overview.text and "Համայնք Բ" in overview.text
    invitations = await client.get(f"/sessions/{world.session.id}/invitations")
    assert "Համայնք Ա" in invitations.text
    client.cookies.set(LANGUAGE_COOKIE, "en")
    overview = await client.get(f"/sessions/{world.session.id}")
    assert "Community A" in overview.text


async def test_an_admin_sees_the_home_page_in_russian(app, client, make_account):
    admin = await make_account(Role.admin)
    await api_login(client, admin)
    client.cookies.set(LANGUAGE_COOKIE, "ru")
    home = await client.get("/")
    assert home.status_code == 200
    assert "Добро пожаловать, Test Admin" in home.text and "Выйти" in home.text


@pytest.mark.parametrize(
    ("code", "status", "role", "month"),
    [
        ("en", "draft", "facilitator", re.compile(r"\b\d{1,2}\s[A-Z][a-z]{2}\s20\d\d\b")),  # "Tue, 3 Dec 2026"
        ("ru", "черновик", "фасилитатор", re.compile(r"20\d\d\sг\.")),
        ("az", "qaralama", "fasilitator", re.compile(r"\b\d{1,2}\s[a-zçğıöşü]{3,4}\s20\d\d\b")),
        ("hy", "սևագիր", "ֆասիլիտատոր", re.compile(r"20\d\d\sթ\.")),
    ],
)
async def test_stored_values_and_dates_read_in_the_pages_language(app, client, make_account, code, status, role, month):
    """Statuses and roles are words of the page's language, and dates are written with CLDR's
    data on the server (browsers often lack Azerbaijani and Armenian: "2026 M12 1")."""
    world = await make_world(app, make_account)
    await api_login(client, world.facilitator)
    client.cookies.set(LANGUAGE_COOKIE, code)
    page = (await client.get(f"/programmes/{world.programme.id}")).text
    assert f">{status}</span>" in page
    assert role in page
    assert month.search(page), page[:4000]
    assert " M12 " not in page
