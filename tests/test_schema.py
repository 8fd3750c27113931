"""The JSON Schemas in schema/: generated from the model, current, and in step with the engine."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from conftest import REPO, run_cli, tree
from scholarpage import model
from scholarpage.content import read_publication_file
from scholarpage.config import Project, load_site
from scholarpage.problems import Problems
from scholarpage.schema import schema_files
from scholarpage.yamlfile import split_front_matter

SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

# Which schema each example file is written against.
EXAMPLE_FILES = {"site.yml": "site.schema.json", "content/coauthors.yml": "coauthors.schema.json",
                 "content/index.md": "page.schema.json"}


def schema_for(relative: str) -> str:
    if relative.startswith("content/publications/"):
        return "publication.schema.json"
    return EXAMPLE_FILES[relative]


def example_files() -> list[str]:
    found = ["site.yml"] + [p.relative_to(REPO).as_posix()
                            for p in sorted((REPO / "content").rglob("*")) if p.is_file()]
    return [name for name in found if name.endswith((".yml", ".yaml", ".md"))]


def data_of(relative: str):
    """The file's YAML as data, as an editor sees it (a Markdown file: its front matter)."""
    text = (REPO / relative).read_text(encoding="utf-8")
    if relative.endswith(".md"):
        text = split_front_matter(text)[0] or ""
    return yaml.safe_load(text)


def validator(name: str):
    schema = json.loads(schema_files()[name])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schemas_are_current():
    generated = schema_files()
    committed = {p.name: p.read_bytes() for p in sorted((REPO / "schema").glob("*.json"))}
    stale = sorted(name for name in generated.keys() | committed.keys()
                   if generated.get(name) != committed.get(name))
    assert not stale, f"schema/ is stale ({', '.join(stale)}): run `python build.py schema`"


def test_schema_command_writes_the_schemas(tmp_path):
    result = run_cli(tmp_path, "schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {len(schema_files())} JSON Schemas to schema/\n"
    assert tree(tmp_path / "schema") == schema_files()


def test_schema_command_where_a_file_is_named_schema_says_so(tmp_path):
    (tmp_path / "schema").write_text("mine\n", encoding="utf-8")
    result = run_cli(tmp_path, "schema")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == ("schema/: cannot write the JSON Schemas: a file of that name is where "
                             "the folder must be\n")
    assert (tmp_path / "schema").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("relative", example_files())
def test_example_file_validates_against_its_schema(relative):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator(schema_for(relative)).iter_errors(data_of(relative))]
    assert errors == []


@pytest.mark.parametrize("relative", [n for n in example_files() if n.endswith((".yml", ".yaml"))])
def test_example_yaml_file_names_its_schema_on_the_first_line(relative):
    first = (REPO / relative).read_text(encoding="utf-8").split("\n", 1)[0]
    match = SCHEMA_COMMENT.match(first)
    assert match, f"{relative}: first line should be '# yaml-language-server: $schema=...'"
    target = ((REPO / relative).parent / match[1]).resolve()
    assert target == (REPO / "schema" / schema_for(relative)).resolve()


# The schema and the engine must agree on what is valid, or editors would mislead users.
PUBLICATIONS = {
    "minimal": ("title: T\nauthors: [Ada]\ntype: conference\n", True),
    "one author as text": ("title: T\nauthors: Ada\ntype: conference\n", True),
    "everything": ("title: T\nauthors: [Ada, Bob]\ntype: journal\nvenue: TPAMI\n"
                   "venue_full: Transactions\nyear: 2024\nmonth: 3\nnote: Oral\nselected: true\n"
                   "order: 2\nbibtex_key: ada2024t\nabstract: Text.\n"
                   "links:\n  pdf: https://example.org/a.pdf\n  slides: slides/a.pdf\n"
                   "  doi: 10.1109/CVPR.2024.01234\n  arxiv: '2303.18232'\n", True),
    "ids as cited": ("title: T\nauthors: [Ada]\ntype: journal\nlinks:\n"
                     "  doi: doi:10.1109/CVPR.2024.01234\n  arxiv: 'arXiv: 2303.18232v2'\n", True),
    "arXiv id as cited that is no arXiv id": ("title: T\nauthors: [Ada]\ntype: journal\n"
                                              "links:\n  arxiv: arXiv:23-03\n", False),
    "several authors in one text": ("title: T\nauthors: Ada and Bob\ntype: conference\n", False),
    "an author written Last, First": ("title: T\nauthors: [Ada, 'Lovelace, Ada']\ntype: conference\n",
                                      False),
    "organizations holding 'and' and a comma": (
        "title: T\nauthors: ['{Barnes and Noble, Inc.}', Sandy Anderson]\ntype: conference\n", True),
    "quoted date": ("title: T\nauthors: [Ada]\ntype: patent\ndate: '2024-03-01'\n", True),
    "a link without an address yet": ("title: T\nauthors: [Ada]\ntype: conference\n"
                                      "links:\n  pdf: https://example.org/a.pdf\n  code:\n", True),
    "fields left empty": ("title: T\nauthors: [Ada]\ntype: conference\nyear:\nvenue:\n", True),
    "a list of entries": ("- title: T\n  authors: [Ada]\n  type: conference\n"
                          "- title: U\n  authors: [Bob]\n  type: preprint\n", True),
    "volume, issue, pages and publisher": ("title: T\nauthors: [Ada]\ntype: journal\nvolume: 19\n"
                                           "number: 4\npages: 400--410\npublisher: Springer\n", True),
    "volume and issue as text": ("title: T\nauthors: [Ada]\ntype: journal\nvolume: XII\n"
                                 "number: Suppl. 1\n", True),
    "one page as a number": ("title: T\nauthors: [Ada]\ntype: journal\npages: 12\n", True),
    "pages in any dash, several": ("title: T\nauthors: [Ada]\ntype: journal\n"
                                   "pages: 1-5, 7–9, e1234, 400 -- 410\n", True),
    "pages with words": ("title: T\nauthors: [Ada]\ntype: journal\npages: pp. 400-410\n", False),
    "a range missing its end": ("title: T\nauthors: [Ada]\ntype: journal\npages: 400--\n", False),
    "unknown field": ("title: T\nauthors: [Ada]\ntype: conference\nvenu: CVPR\n", False),
    "missing authors": ("title: T\ntype: conference\n", False),
    "year in words": ("title: T\nauthors: [Ada]\ntype: conference\nyear: twenty\n", False),
    "month 13": ("title: T\nauthors: [Ada]\ntype: conference\nyear: 2024\nmonth: 13\n", False),
    "type in capitals": ("title: T\nauthors: [Ada]\ntype: Conference\n", False),
    "javascript link": ("title: T\nauthors: [Ada]\ntype: conference\n"
                        "links:\n  pdf: javascript:alert(1)\n", False),
    "protocol-relative link": ("title: T\nauthors: [Ada]\ntype: conference\n"
                               "links:\n  pdf: //example.org/a.pdf\n", False),
    "doi that is no doi": ("title: T\nauthors: [Ada]\ntype: conference\n"
                           "links:\n  doi: not-a-doi\n", False),
    "empty author list": ("title: T\nauthors: []\ntype: conference\n", False),
    "empty title": ("title: ''\nauthors: [Ada]\ntype: conference\n", False),
    "blank author": ("title: T\nauthors: [Ada, ' ']\ntype: conference\n", False),
}


@pytest.mark.parametrize("text, valid", PUBLICATIONS.values(), ids=PUBLICATIONS.keys())
def test_schema_and_engine_agree_on_publications(text, valid):
    engine_errors = [p for p in read_publication_file("x.yml", text).problems if not p.warning]
    schema_errors = list(validator("publication.schema.json").iter_errors(yaml.safe_load(text)))
    assert (not engine_errors, not schema_errors) == (valid, valid), (engine_errors, schema_errors)


SITE = "title: T\nowner:\n  name: Ada\nsections:\n  - heading: Papers\n"
SECTIONS = {
    "with types": ("    types: [conference]\n", True),
    "selected, without types": ("    selected: true\n", True),
    "selected, of some types": ("    selected: true\n    types: journal\n", True),
    "without types": ("", False),
    "not selected, without types": ("    selected: false\n", False),
    "with types left empty": ("    types:\n", False),
    "selected left empty, without types": ("    selected:\n", False),
    # Quoted, so that PyYAML gives the schema text, as an editor reading YAML 1.2 would.
    "selected in words, without types": ("    selected: 'Yes'\n", True),
    "not selected in words, without types": ("    selected: 'OFF'\n", False),
    "selected in other words, without types": ("    selected: 'On'\n", True),
}


@pytest.mark.parametrize("text, valid", SECTIONS.values(), ids=SECTIONS.keys())
def test_schema_and_engine_agree_that_a_section_needs_types_unless_selected(text, valid, make_project):
    problems = Problems()
    load_site(Project(make_project({"site.yml": SITE + text})), problems)
    schema_errors = list(validator("site.schema.json").iter_errors(yaml.safe_load(SITE + text)))
    assert (not problems.errors, not schema_errors) == (valid, valid), (problems.errors, schema_errors)


def test_every_field_of_the_model_is_in_the_schema():
    properties = json.loads(schema_files()["publication.schema.json"])["anyOf"][0]["properties"]
    assert list(properties) == [f.name for f in model.file_fields(model.Publication)]
    assert all(p["description"] for p in properties.values())


def test_every_kind_has_a_reader_and_a_schema_and_a_new_one_is_named():
    from scholarpage import schema

    kinds = {type(f.metadata["kind"]) for record in (model.Site, model.Owner, model.Section,
                                                     model.Publication, model.Page, model.Link,
                                                     model.ProfileLink)
             for f in model.file_fields(record)}
    assert {model.Text, model.Url, model.Integer, model.TextList, model.Records} <= kinds
    for kind in kinds:
        assert schema.kind_schema(kind(*([model.Link] if kind in (model.Record, model.Records) else [])))

    class Colour:
        pass

    with pytest.raises(TypeError, match="no reader for .*Colour"):
        schema.read_value(Colour(), None, None, "colour")
    with pytest.raises(TypeError, match="no schema for .*Colour"):
        schema.kind_schema(Colour())
