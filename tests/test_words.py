"""The theme's own words follow site.yml's `language`, and site.yml's `words` replace any."""
from __future__ import annotations

import dataclasses
import re

from conftest import build_ok, run_cli
from scholarpage import model, words

PAPER = "title: A <Paper>\nauthors: [Ada Lovelace]\ntype: conference\nabstract: Engines.\n"


def site(*lines: str) -> str:
    return "\n".join(["title: Test Site", "url: https://example.org/", "owner:",
                      "  name: Ada Lovelace", "  email: ada@example.org", *lines]) + "\n"


def built(make_project, *lines: str) -> dict[str, str]:
    root = make_project({"site.yml": site(*lines), "content/publications/a.yml": PAPER})
    assert build_ok(root).stderr == "content/index.md: warning: not found: the page has no bio\n"
    return {name: (root / "_site" / name).read_text(encoding="utf-8") for name in
            ("index.html", "404.html", "feed.xml", "publications/a-paper/index.html")}


def test_a_german_site_speaks_german_in_the_theme_and_its_script(make_project):
    pages = built(make_project, "language: de")
    home, page = pages["index.html"], pages["publications/a-paper/index.html"]
    for text in (home, page, pages["404.html"]):
        assert '<a class="skip-link" href="#main">Zum Inhalt springen</a>\n' in text
        assert '<nav class="navbar-inner" aria-label="Profile">\n' in text
        assert 'publications.bib">Alle Publikationen als BibTeX</a>.</p>' in text
        assert 'title="Ada Lovelace: Publikationen" href=' in text
    assert '<h2 id="publications-heading">Publikationen</h2>\n' in home
    assert "    <summary>Zusammenfassung</summary>\n" in home
    assert '<h2 id="contact-heading">Kontakt</h2>\n' in home
    assert "  E-Mail: <a class=\"email\"" in home
    # The copy button's words, and those the script shows once it has copied, or failed to.
    button = ('data-copied="Kopiert" data-copy-failed="Markieren und kopieren">Kopieren'
              '<span class="visually-hidden"> BibTeX von „A &lt;Paper&gt;“</span></button>')
    assert button in home and button in page
    assert '#lovelacepaper">← Alle Publikationen</a></p>' in page
    assert '<h2 id="abstract-heading">Zusammenfassung</h2>\n' in page
    assert "<title>Seite nicht gefunden | Test Site</title>" in pages["404.html"]
    assert ("<h1>Seite nicht gefunden</h1>\n<p>Unter dieser Adresse gibt es keine Seite. Weiter zur "
            '<a href="/">Homepage von Ada Lovelace</a>.</p>\n') in pages["404.html"]
    assert "  <title>Ada Lovelace: Publikationen</title>\n" in pages["feed.xml"]
    assert not re.search(r"Skip to|>Publications<|>Abstract<|>Contact<|Email:|Page not found"
                         r"|All publications|>Copy<", "".join(pages.values()))


def test_the_primary_subtag_chooses_and_english_is_the_fallback(make_project):
    assert '<h2 id="publications-heading">Publicações</h2>' in built(
        make_project, "language: pt-BR")["index.html"]
    home = built(make_project, "language: sv")["index.html"]
    assert '<html lang="sv">' in home and '<h2 id="publications-heading">Publications</h2>' in home
    assert ('data-copied="Copied" data-copy-failed="Select and copy">Copy<span '
            'class="visually-hidden"> BibTeX of “A &lt;Paper&gt;”</span></button>') in home


def test_site_yml_replaces_any_word_and_keeps_the_others(make_project):
    pages = built(make_project, "language: de", "words:", "  publications: Schriften & Patente",
                  "  home_of: '<Startseite> von {name}'", "  copied: ''")
    assert '<h2 id="publications-heading">Schriften &amp; Patente</h2>' in pages["index.html"]
    assert '<a href="/">&lt;Startseite&gt; von Ada Lovelace</a>.</p>' in pages["404.html"]
    assert 'data-copied="Kopiert"' in pages["index.html"]  # left empty: the built-in word
    assert "<summary>Zusammenfassung</summary>" in pages["index.html"]


def test_a_word_site_yml_does_not_know_or_without_its_placeholder_is_an_error(make_project):
    root = make_project({"site.yml": site("words:", "  publication: Schriften",
                                          "  home_of: Startseite")})
    result = run_cli(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "site.yml:7:3: unknown field 'publication' (did you mean 'publications'?)",
        "site.yml:8:12: 'home_of' must be text holding {name}, got 'Startseite'"]


def test_every_built_in_language_has_every_word_with_its_placeholders():
    placeholders = {f.name: re.findall(r"\{(\w+)\\\}", f.metadata["kind"].pattern)
                    for f in dataclasses.fields(model.Words)}
    assert placeholders["no_page_here"] == ["home"]
    assert sorted(words.BUILT_IN) == ["de", "en", "es", "fr", "it", "ja", "pt", "zh"]
    for language, built_in in words.BUILT_IN.items():
        for name, needed in placeholders.items():
            text = getattr(built_in, name)
            assert text.strip() and text == text.strip(), (language, name)
            assert re.findall(r"\{(\w+)\}", text) == needed, (language, name)
