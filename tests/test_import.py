"""BibTeX in and out: `import` of real-world exports, `--update`, the round trip, and `new`."""
from __future__ import annotations

import html
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import MINIMAL_SITE, REPO, build_ok, run_cli, tree, write_files
from scholarpage import bibtex
from scholarpage.config import Project
from scholarpage.content import publication_order, read_publication_file, read_publications
from scholarpage.importer import import_files
from scholarpage.pipeline import build
from scholarpage.scaffold import PublicationFolder
from scholarpage.problems import Problems

BIB = REPO / "tests" / "fixtures" / "bib"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/publication.schema.json\n"
# Pages as shown: a file's `400-410` is written `400--410` and comes back `400–410`, one range.
COMPARED = ("title", "authors", "type", "venue", "venue_full", "volume", "number", "shown_pages",
            "publisher", "year", "month", "date", "note", "links", "abstract", "organizations",
            "selected")


def imported(root: Path, *names: str, update: bool = False):
    return import_files(root, [BIB / f"{name}.bib" for name in names], update=update)


def folder(root: Path) -> dict[str, str]:
    """The publication files of a project, {name: text}."""
    return {name: data.decode("utf-8")
            for name, data in tree(root / "content" / "publications").items()}


def records(root: Path) -> list:
    return [pub for result in read_publications(Project(root.resolve()), Problems())
            for pub in result.records]


def messages(result) -> list[str]:
    return [str(problem) for problem in result.problems.items]


def yaml_of(text: str) -> str:
    return SCHEMA_LINE + textwrap.dedent(text)


# ---------------------------------------------------------------------------------------------
# Exports as the tools write them.


def test_google_scholar_export(make_project):
    root = make_project()
    result = imported(root, "scholar")
    assert messages(result) == [] and result.summary() == "4 new, 0 already present, 0 with problems"
    files = folder(root)
    assert sorted(files) == ["2022-sun-dualcoop.yml", "2023-panda-dynamic-network-quantization.yml",
                             "2023-sun-dime-fm.yml", "2023-teterwak-clamp.yml"]
    # An article in "arXiv preprint arXiv:ID" is a preprint with its arXiv link.
    assert files["2023-teterwak-clamp.yml"] == yaml_of("""\
        title: 'CLAMP: Contrastive LAnguage Model Prompt-tuning'
        authors:
          - Piotr Teterwak
          - Ximeng Sun
          - Bryan A Plummer
          - Kate Saenko
          - Ser-Nam Lim
        type: preprint
        venue: arXiv
        year: 2023
        links:
          arxiv: '2312.01629'
        bibtex_key: teterwak2023clamp
        order: 2
        """)
    # Scholar writes patents as @misc with a patent note, and a day as `month = jun # "~29"`.
    assert files["2023-panda-dynamic-network-quantization.yml"] == yaml_of("""\
        title: Dynamic network quantization for efficient video inference
        authors:
          - Rameswar Panda
          - Ximeng Sun
          - Richard Chen
          - Rogerio Schmidt Feris
          - Ekaterina Saenko
        type: patent
        date: '2023-06-29'
        note: US Patent App. 17/566,782
        bibtex_key: panda2023dynamic
        """)
    assert "venue_full: Proceedings of the IEEE/CVF International Conference on Computer Vision\n" \
        in files["2023-sun-dime-fm.yml"]


def test_dblp_export(make_project):
    root = make_project()
    result = imported(root, "dblp")
    assert messages(result) == [] and result.summary() == "3 new, 0 already present, 0 with problems"
    # The short name is found in "Full Name, CVPR 2024, place, dates"; the url repeating the
    # DOI, biburl, bibsource and timestamp are left out.
    assert folder(root)["2024-tan-koala.yml"] == yaml_of("""\
        title: 'Koala: Key Frame-Conditioned Long Video-LLM'
        authors:
          - Reuben Tan
          - Ximeng Sun
          - Ping Hu
          - Jui-hsien Wang
          - Hanieh Deilamsalehy
          - Bryan A. Plummer
          - Bryan Russell
          - Kate Saenko
        type: conference
        venue: CVPR
        venue_full: IEEE/CVF Conference on Computer Vision and Pattern Recognition
        pages: 13581–13591
        publisher: IEEE
        year: 2024
        links:
          doi: 10.1109/CVPR52733.2024.01289
        bibtex_key: DBLP:conf/cvpr/TanSHWDPRS24
        order: 1
        """)
    # Volume, issue and pages, the range's `--` an en dash; numbers written as numbers.
    assert "venue_full: IEEE Trans. Pattern Anal. Mach. Intell.\nvolume: 46\nnumber: 5\n" \
           "pages: 3450–3462\nyear: 2024\n" in folder(root)["2024-hu-dualcoop-plus-plus.yml"]
    # CoRR's volume, `abs/2303.18232`, is the arXiv id again: a preprint gets none.
    corr = folder(root)["2023-sun-dime-fm.yml"]
    assert "type: preprint\nvenue: CoRR\nyear: 2023\n" in corr
    assert "links:\n  doi: 10.48550/ARXIV.2303.18232\n  arxiv: '2303.18232'\n" in corr


def test_zotero_better_bibtex_export(make_project):
    root = make_project()
    assert imported(root, "zotero").summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    # Double braces go, "(NeurIPS)" is the short name, the abstract's paragraphs are joined from
    # the file's wrapped lines, and Zotero's file, urldate, langid and keywords are not links.
    assert files["2020-sun-adashare.yml"] == yaml_of("""\
        title: 'AdaShare: Learning What To Share For Efficient Deep Multi-Task Learning'
        authors:
          - Ximeng Sun
          - Rameswar Panda
          - Rogerio Feris
          - Kate Saenko
        type: conference
        venue: NeurIPS
        venue_full: Advances in Neural Information Processing Systems
        volume: 33
        pages: 8728–8740
        publisher: Curran Associates, Inc.
        year: 2020
        abstract: |
          Multi-task learning is an open and challenging problem in computer vision. The typical way of conducting multi-task learning with deep neural networks is either through handcrafted schemes that share all initial layers and branch out at an adhoc point, or through separate task-specific networks.

          We propose AdaShare, a novel and differentiable approach for efficient multi-task learning that learns the feature sharing pattern.
        bibtex_key: sunAdaShareLearningWhat2020
        """)
    preprint = files["2023-hu-weakly-supervised-compositional-feature.yml"]
    # Its `number`, 'arXiv:2301.04011', is no issue: a preprint has none.
    assert "type: preprint\npublisher: arXiv\nyear: 2023\nmonth: 1\nlinks:\n  arxiv: '2301.04011'\n" \
           "  doi: 10.48550/arXiv.2301.04011\n" in preprint


def test_another_bibs_wrapped_abstract_is_joined_by_paragraph_not_read_line_by_line(make_project):
    # Wrapped at a width, a line may start with '#1' (a heading) or be indented by tabs and
    # spaces (a code block): only publications.bib's own layout keeps the lines.
    bib = "@article{a, title = {A}, author = {Lovelace, Ada}, year = {2020},\n" \
          "  abstract = {We rank\n#1 on the benchmark,\n\t  and more\n  \n    Second  paragraph.}}\n"
    root = make_project({"refs.bib": bib})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    (pub,) = records(root)
    assert pub.abstract == "We rank #1 on the benchmark, and more\n\nSecond paragraph.\n"


def test_a_year_range_gives_its_first_year_and_a_year_that_is_none_is_left_out(make_project):
    """As a `date`'s: the entry is imported, `in press` undated (listed after the dated ones)."""
    bib = """\
        @article{a, title = {One}, author = {Lovelace, Ada}, journal = {J}, year = {in press}}
        @article{b, title = {Two}, author = {Lovelace, Ada}, journal = {J}, year = {2021--2022}}
        @article{c, title = {Three}, author = {Lovelace, Ada}, journal = {J}, year = {2021/2022}}
        @article{d, title = {Four}, author = {Lovelace, Ada}, journal = {J},
                 year = {forthcoming}, date = {2023-04}}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert [line.removeprefix(f"{root}/") for line in messages(result)] == [
        "refs.bib:1:69: warning: field 'year' left out: 'in press' is not a year like 2024 (entry a)",
        "refs.bib:2:69: warning: field 'year' is a range, '2021--2022': its first year, 2021, was "
        "taken (entry b)",
        "refs.bib:3:71: warning: field 'year' is a range, '2021/2022': its first year, 2021, was "
        "taken (entry c)",
        "refs.bib:5:10: warning: field 'year' left out: 'forthcoming' is not a year like 2024 (entry d)"]
    assert result.summary() == "4 new, 0 already present, 0 with problems"
    assert {name: text.split("type: journal\nvenue: J\n")[1] for name, text in folder(root).items()} == {
        "undated-lovelace-one.yml": "bibtex_key: a\n",
        "2021-lovelace-two.yml": "year: 2021\nbibtex_key: b\norder: 1\n",
        "2021-lovelace-three.yml": "year: 2021\nbibtex_key: c\norder: 2\n",
        "2023-lovelace-four.yml": "year: 2023\nmonth: 4\nbibtex_key: d\n",
    }


def test_zotero_better_biblatex_journaltitle_and_date(make_project):
    bib = """\
        @article{ada2024deep,
          title = {Deep Engines},
          author = {Lovelace, Ada},
          journaltitle = {IEEE Transactions on Pattern Analysis and Machine Intelligence ({TPAMI})},
          date = {2024-03},
        }
        @article{ada2024day,
          title = {Engines by the Day},
          author = {Lovelace, Ada},
          journaltitle = {Journal of {\\"U}ber Engines},
          date = {2024-03-15},
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    # biblatex's journaltitle is the journal; a date of year and month gives both.
    assert files["2024-lovelace-deep-engines.yml"] == yaml_of("""\
        title: Deep Engines
        authors:
          - Ada Lovelace
        type: journal
        venue: TPAMI
        venue_full: IEEE Transactions on Pattern Analysis and Machine Intelligence
        year: 2024
        month: 3
        bibtex_key: ada2024deep
        """)
    assert files["2024-lovelace-engines-by-day.yml"] == yaml_of("""\
        title: Engines by the Day
        authors:
          - Ada Lovelace
        type: journal
        venue_full: Journal of Über Engines
        date: '2024-03-15'
        bibtex_key: ada2024day
        """)


def test_an_acm_article_number_is_its_pages(make_project):
    """The ACM Digital Library gives a journal paper's article number, not pages: it is cited
    as its pages (`pages` given wins)."""
    bib = """\
        @article{10.1145/3560815,
        author = {Lovelace, Ada},
        title = {A Survey of Engines},
        year = {2022},
        issue_date = {November 2022},
        publisher = {Association for Computing Machinery},
        address = {New York, NY, USA},
        volume = {55},
        number = {9},
        issn = {0360-0300},
        doi = {10.1145/3560815},
        journal = {ACM Comput. Surv.},
        articleno = {195},
        numpages = {35},
        keywords = {engines}
        }
        @article{b, title = {Both}, author = {Lovelace, Ada}, journal = {J}, year = {2021},
                 pages = {12--15}, articleno = {7}}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    assert files["2022-lovelace-survey-engines.yml"] == yaml_of("""\
        title: A Survey of Engines
        authors:
          - Ada Lovelace
        type: journal
        venue_full: ACM Comput. Surv.
        volume: 55
        number: 9
        pages: 195
        publisher: Association for Computing Machinery
        year: 2022
        links:
          doi: 10.1145/3560815
        bibtex_key: 10.1145/3560815
        """)
    assert "\npages: 12–15\n" in files["2021-lovelace-both.yml"]


def test_a_zotero_shortjournal_is_the_short_venue(make_project):
    """As al-folio's `abbr`; a short name the journal's text shows, `(TPAMI)`, is kept."""
    bib = r"""
        @article{nm,
          title = {Deep Engines},
          author = {Lovelace, Ada},
          journaltitle = {Nature Methods},
          shortjournal = {Nat. Methods},
          date = {2024}
        }
        @article{pami,
          title = {Deep Looms},
          author = {Lovelace, Ada},
          journal = {IEEE Transactions on Pattern Analysis and Machine Intelligence (TPAMI)},
          shortjournal = {IEEE Trans. Pattern Anal. Mach. Intell.},
          year = {2023}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    assert files["2024-lovelace-deep-engines.yml"] == yaml_of("""\
        title: Deep Engines
        authors:
          - Ada Lovelace
        type: journal
        venue: Nat. Methods
        venue_full: Nature Methods
        year: 2024
        bibtex_key: nm
        """)
    assert "\nvenue: TPAMI\nvenue_full: IEEE Transactions on Pattern Analysis and Machine " \
           "Intelligence\n" in files["2023-lovelace-deep-looms.yml"]


def test_a_biblatex_online_entry_with_an_arxiv_eprint_is_a_preprint(make_project):
    bib = """\
        @online{vaswani2017attention,
          title = {Attention Is All You Need},
          author = {Vaswani, Ashish and Shazeer, Noam},
          date = {2017-06-12},
          eprinttype = {arxiv},
          eprint = {1706.03762},
          eprintclass = {cs},
          url = {http://arxiv.org/abs/1706.03762},
          pubstate = {prepublished}
        }
        @online{ada2025engines,
          title = {Engines Without an Id},
          author = {Lovelace, Ada},
          date = {2025},
          pubstate = {prepublished},
          url = {https://osf.io/abcde}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    assert folder(root) == {
        "2017-vaswani-attention-is-all.yml": yaml_of("""\
            title: Attention Is All You Need
            authors:
              - Ashish Vaswani
              - Noam Shazeer
            type: preprint
            date: '2017-06-12'
            links:
              arxiv: '1706.03762'
            bibtex_key: vaswani2017attention
            """),
        "2025-lovelace-engines-without-id.yml": yaml_of("""\
            title: Engines Without an Id
            authors:
              - Ada Lovelace
            type: preprint
            year: 2025
            links:
              paper: https://osf.io/abcde
            bibtex_key: ada2025engines
            """),
    }


def test_theses_reports_manuscripts_and_booklets_as_biblatex_and_bibtex_write_them(make_project):
    bib = """\
        @thesis{t1,
          title = {Engines of Thought},
          author = {Lovelace, Ada},
          institution = {Boston University},
          date = {2019},
          type = {phdthesis}
        }
        @phdthesis{t2,
          title = {Looms of Thought},
          author = {Lovelace, Ada},
          institution = {University of London},
          year = {2018}
        }
        @report{r1,
          title = {Engine Tables},
          author = {Lovelace, Ada},
          institution = {Royal Society},
          date = {2017-05},
          type = {techreport},
          number = {TR-7}
        }
        @techreport{r2,
          title = {Loom Tables},
          author = {Lovelace, Ada},
          school = {King's College},
          year = {2016}
        }
        @unpublished{u1,
          title = {A Manuscript on Engines},
          author = {Lovelace, Ada},
          note = {Under review},
          year = {2025}
        }
        @booklet{b1,
          title = {Engines for Everyone},
          author = {Lovelace, Ada},
          howpublished = {Printed by the author},
          year = {1840}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "6 new, 0 already present, 0 with problems"
    # A thesis's venue is its school (biblatex: institution), a report's its institution; a
    # report's number is kept.
    assert {name: text.split("\n", 1)[1] for name, text in folder(root).items()} == {
        "2019-lovelace-engines-thought.yml":
            "title: Engines of Thought\nauthors:\n  - Ada Lovelace\ntype: thesis\n"
            "venue_full: Boston University\nyear: 2019\nbibtex_key: t1\n",
        "2018-lovelace-looms-thought.yml":
            "title: Looms of Thought\nauthors:\n  - Ada Lovelace\ntype: thesis\n"
            "venue_full: University of London\nyear: 2018\nbibtex_key: t2\n",
        "2017-lovelace-engine-tables.yml":
            "title: Engine Tables\nauthors:\n  - Ada Lovelace\ntype: report\n"
            "venue_full: Royal Society\nnumber: TR-7\nyear: 2017\nmonth: 5\nbibtex_key: r1\n",
        "2016-lovelace-loom-tables.yml":
            "title: Loom Tables\nauthors:\n  - Ada Lovelace\ntype: report\n"
            "venue_full: King's College\nyear: 2016\nbibtex_key: r2\n",
        "2025-lovelace-manuscript-engines.yml":
            "title: A Manuscript on Engines\nauthors:\n  - Ada Lovelace\ntype: preprint\n"
            "year: 2025\nnote: Under review\nbibtex_key: u1\n",
        "1840-lovelace-engines-everyone.yml":
            "title: Engines for Everyone\nauthors:\n  - Ada Lovelace\ntype: book\n"
            "venue_full: Printed by the author\nyear: 1840\nbibtex_key: b1\n",
    }


def test_latex_italics_in_a_title_or_abstract_become_its_marks_and_elsewhere_plain_text(make_project):
    bib = r"""
        @article{fly,
          title = {A \emph{Drosophila} Model of {\textit{in vivo}} \textbf{Looms} in \texttt{torch.compile}},
          author = {Lovelace, Ada},
          journal = {\emph{Journal} of \textbf{Engines}},
          note = {\textit{Best paper} at \mbox{ICML} with \texttt{code}},
          abstract = {We study \emph{flies}.},
          year = {2020}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "1 new, 0 already present, 0 with problems"
    (text,) = folder(root).values()
    assert text.split("\n", 1)[1] == (
        "title: A *Drosophila* Model of *in vivo* **Looms** in `torch.compile`\nauthors:\n"
        "  - Ada Lovelace\ntype: journal\nvenue_full: Journal of Engines\nyear: 2020\n"
        "note: Best paper at ICML with code\nabstract: |\n  We study *flies*.\nbibtex_key: fly\n")


def test_latex_italics_a_title_could_not_mark_and_a_volumes_italics_are_plain_text(make_project):
    """A mark the page would show as asterisks (in a word, around a space, nested) is left out,
    as before marks were read; a volume's title, lent as the venue, is a venue: plain text."""
    bib = r"""
        @article{a, title = {Non\emph{linear} and \emph{E. coli } in \emph{\textbf{x}} Models},
                 author = {Lovelace, Ada}, journal = {J}, year = 2020}
        @inproceedings{c, title = {Child}, author = {Lovelace, Ada}, crossref = {proc}}
        @proceedings{proc, title = {Proceedings of \emph{Foo} 2020}, year = 2022}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    files = folder(root)
    assert "\ntitle: Nonlinear and E. coli in x Models\n" in files["2020-lovelace-nonlinear-e-coli.yml"]
    assert "\nvenue_full: Proceedings of Foo 2020\n" in files["2022-lovelace-child.yml"]


def test_an_al_folio_papers_bib_keeps_its_badges_issues_highlights_and_marked_authors(make_project):
    """al-folio's `abbr` (the venue's badge) is the short venue, its `issue` the number, its
    `selected = {true}` a highlight; its `*` after a co-first author stays, and the owner's
    name so marked is still bold; an unescaped `&` (Google Scholar's too) is kept."""
    bib = r"""
        @article{epr,
          abbr = {PhysRev},
          bibtex_show = {true},
          title = {Can Description of Reality Be Considered Complete?},
          author = {Lovelace*, Ada and Podolsky*, B.},
          journal = {Phys. Rev.},
          volume = {47},
          issue = {10},
          year = {1935},
          publisher = {Taylor & Francis},
          pdf = {example_pdf.pdf},
          selected = {true}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert [line.removeprefix(f"{root}/") for line in messages(result)] == [
        "refs.bib:12:3: warning: field 'pdf' left out: 'example_pdf.pdf' is not an http(s) address "
        "(entry epr)"]
    assert folder(root)["1935-lovelace-can-description-reality.yml"] == yaml_of("""\
        title: Can Description of Reality Be Considered Complete?
        authors:
          - Ada Lovelace*
          - B. Podolsky*
        type: journal
        venue: PhysRev
        venue_full: Phys. Rev.
        volume: 47
        number: 10
        publisher: Taylor & Francis
        year: 1935
        selected: true
        bibtex_key: epr
        """)
    build_ok(root)
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Ada Lovelace*</strong>, B. Podolsky*" in page


def test_fields_the_site_has_no_place_for_are_named_in_one_warning_but_routine_ones_are_not(make_project):
    """al-folio's thumbnail, badges and awards are the user's own: they are named; a reference
    manager's record (file, keywords...), catalogue numbers and `bibtex_show` (every entry shows
    its BibTeX) are not. Links (html, video, slides...) are links."""
    bib = r"""
        @article{einstein1905,
          abbr = {Ann. Phys.},
          bibtex_show = {true},
          preview = {wave.gif},
          annotation = {The paper of the year},
          altmetric = {248277},
          google_scholar_id = {qyhmnyLat1gC},
          award = {Best paper},
          html = {https://ada.org/epr},
          video = {https://youtu.be/x},
          title = {Engines},
          author = {Lovelace, Ada},
          journal = {Annalen der Physik},
          year = {1905},
          file = {Full Text:/home/ada/engines.pdf:application/pdf},
          keywords = {engines},
          isbn = {1}, issn = {2}, langid = {english}, series = {S}, address = {Bern}
        }
        @article{b, title = {Looms}, author = {Lovelace, Ada}, journal = {J}, year = 1906, preview = {x.png}}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert [line.removeprefix(f"{root}/") for line in messages(result)] == [
        "refs.bib:2:1: warning: fields left out, as the site has no place for them: preview, "
        "annotation, altmetric, google_scholar_id, award (entry einstein1905)",
        "refs.bib:20:1: warning: field left out, as the site has no place for it: preview (entry b)"]
    assert folder(root)["1905-lovelace-engines.yml"] == yaml_of("""\
        title: Engines
        authors:
          - Ada Lovelace
        type: journal
        venue: Ann. Phys.
        venue_full: Annalen der Physik
        year: 1905
        links:
          html: https://ada.org/epr
          video: https://youtu.be/x
        bibtex_key: einstein1905
        """)


def test_a_comma_ending_a_venue_or_publisher_is_left_out(make_project):
    """al-folio's sample papers.bib has `@string{aps = {American Physical Society,}}`: the page
    showed 'American Physical Society,, 1935'."""
    bib = r"""
        @string{aps = {American Physical Society,}}
        @article{epr,
          title = {Can Description of Reality Be Considered Complete?},
          author = {Lovelace, Ada},
          journal = {Phys. Rev. , },
          publisher = aps,
          year = {1935}
        }
        @book{b, title = {Engines}, author = {Lovelace, Ada}, publisher = {Taylor {\&} Francis,}, year = 1840}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    files = folder(root)
    assert "\nvenue_full: Phys. Rev.\npublisher: American Physical Society\nyear: 1935\n" \
           in files["1935-lovelace-can-description-reality.yml"]
    assert "\nvenue_full: Taylor & Francis\nyear: 1840\n" in files["1840-lovelace-engines.yml"]


def test_a_key_of_other_letters_than_ascii_is_spelt_in_ascii_with_a_warning(make_project):
    """arXiv and ORCID exports may give `müller2020`: a file's key is ASCII, so the key cited in
    LaTeX and the page's differ, which the warning says; one that cannot be spelt so is left out."""
    bib = """\
        @article{müller2020, title = {Five}, author = {Müller, Jörg}, journal = {J}, year = 2020}
        @article{Ünal2021:aß, title = {Six}, author = {Ünal, Jörg}, journal = {J}, year = 2021}
        @article{张2022, title = {Seven}, author = {Zhang, Wei}, journal = {J}, year = 2022}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert [line.removeprefix(f"{root}/") for line in messages(result)] == [
        "refs.bib:1:1: warning: key 'müller2020' is written 'muller2020': a key holds only ASCII "
        "letters, digits and _:.+/- (entry müller2020)",
        "refs.bib:2:1: warning: key 'Ünal2021:aß' is written 'Unal2021:ass': a key holds only ASCII "
        "letters, digits and _:.+/- (entry Ünal2021:aß)",
        "refs.bib:3:1: warning: key '张2022' left out (the site makes one from the first author, year "
        "and title): a key holds only ASCII letters, digits and _:.+/- (entry 张2022)"]
    assert {name: text.split("venue: J\n")[1] for name, text in folder(root).items()} == {
        "2020-muller-five.yml": "year: 2020\nbibtex_key: muller2020\n",
        "2021-unal-six.yml": "year: 2021\nbibtex_key: Unal2021:ass\n",
        "2022-zhang-seven.yml": "year: 2022\n",
    }


def test_a_mark_after_a_first_name_goes_after_the_whole_name_and_the_owner_is_still_bold(make_project):
    """`Last, First*` marks the first name, which the page shows first: the mark (LaTeX decoded,
    math too) goes after the whole name, as al-folio's `Last*, First` gives it; `$x^2$` is no mark."""
    bib = r"""
        @article{epr,
          title = {Entangled Engines},
          author = {Lovelace, Ada$^\dagger$ and Podolsky, B.* and Rosen, Nathan\textsuperscript{*}
                    and Bohr, Niels $^{\ddagger}$ and Born, Max$^2$},
          journal = {Phys. Rev.},
          year = {1935}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    assert "\nauthors:\n  - Ada Lovelace†\n  - B. Podolsky*\n  - Nathan Rosen*\n  - Niels Bohr‡\n" \
           "  - Max$^2$ Born\ntype: journal\n" in folder(root)["1935-lovelace-entangled-engines.yml"]
    build_ok(root)
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Ada Lovelace†</strong>, B. Podolsky*, Nathan Rosen*, Niels Bohr‡" in page


def test_a_conference_paper_google_scholar_exports_as_an_article_is_a_conference_paper(make_project):
    """Scholar gives NeurIPS and AAAI papers as @article, their proceedings as the journal; a
    journal called Proceedings (PNAS, the Proceedings of the IEEE) is still a journal."""
    bib = "".join(f"@article{{k{n}, title = {{Paper {n}}}, author = {{Sun, Ximeng}}, "
                  f"journal = {{{journal}}}, year = 2022}}\n" for n, journal in enumerate((
                      "Advances in Neural Information Processing Systems",
                      "Proceedings of the AAAI Conference on Artificial Intelligence",
                      "Proceedings of the National Academy of Sciences", "Proceedings of the IEEE",
                      "Nature Methods")))
    root = make_project({"refs.bib": bib})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    assert [(pub.title, pub.type) for pub in sorted(records(root), key=lambda pub: pub.title)] == [
        ("Paper 0", "conference"), ("Paper 1", "conference"), ("Paper 2", "journal"),
        ("Paper 3", "journal"), ("Paper 4", "journal")]


def test_dblps_number_after_a_shared_name_is_left_out(make_project):
    """DBLP tells apart people of one name by a number after it; an organization keeps its own."""
    bib = r"""
        @inproceedings{DBLP:conf/x/Sun0001,
          author = {Ximeng Sun and Wei Zhang 0001 and {Team 2024}},
          title = {A Test}, booktitle = {X}, year = {2023}}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    (copy,) = records(root)
    assert copy.authors == ("Ximeng Sun", "Wei Zhang", "Team 2024")


def test_a_chapter_is_imported_as_one_and_exported_back_as_a_chapter(make_project):
    """@incollection and @inbook (a chapter in a book, BibTeX's and biblatex's) are chapters,
    not books: the site's publications.bib gives the chapter back as @incollection."""
    bib = """\
        @incollection{ada1843looms,
          title = {Looms},
          author = {Lovelace, Ada},
          booktitle = {Sketches of Engines},
          publisher = {Taylor},
          pages = {3--9},
          year = {1843}
        }
        @inbook{ada1844cards,
          title = {Cards},
          author = {Lovelace, Ada},
          booktitle = {Sketches of Engines},
          year = {1844}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    assert files["1843-lovelace-looms.yml"] == yaml_of("""\
        title: Looms
        authors:
          - Ada Lovelace
        type: chapter
        venue_full: Sketches of Engines
        pages: 3–9
        publisher: Taylor
        year: 1843
        bibtex_key: ada1843looms
        """)
    assert "type: chapter\nvenue_full: Sketches of Engines\n" in files["1844-lovelace-cards.yml"]
    build_ok(root)
    exported = (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert "@incollection{ada1843looms,\n  author = {Lovelace, Ada},\n  title = {{Looms}},\n" \
           "  booktitle = {Sketches of Engines},\n  pages = {3--9},\n  publisher = {Taylor},\n" \
           "  year = {1843}\n}\n" in exported
    assert "@incollection{ada1844cards,\n" in exported


def test_a_masters_thesis_stays_one_through_import_and_export(make_project, tmp_path):
    bib = """\
        @mastersthesis{ada2015looms,
          title = {Looms},
          author = {Lovelace, Ada},
          school = {University of Oxford},
          year = {2015}
        }
        @thesis{ada2016cards,
          title = {Cards},
          author = {Lovelace, Ada},
          institution = {University of London},
          date = {2016},
          type = {mathesis},
          note = {With distinction}
        }
        @phdthesis{ada2019engines,
          title = {Engines},
          author = {Lovelace, Ada},
          school = {University of London},
          year = {2019}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "3 new, 0 already present, 0 with problems"
    files = folder(root)
    assert files["2015-lovelace-looms.yml"] == yaml_of("""\
        title: Looms
        authors:
          - Ada Lovelace
        type: thesis
        venue_full: University of Oxford
        year: 2015
        note: Master's thesis
        bibtex_key: ada2015looms
        """)
    assert "note: Master's thesis; With distinction\n" in files["2016-lovelace-cards.yml"]
    assert "note:" not in files["2019-lovelace-engines.yml"]
    # The note says master's: the site's publications.bib says @mastersthesis, not @phdthesis.
    build_ok(root)
    exported = (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert "@mastersthesis{ada2015looms,\n  author = {Lovelace, Ada},\n  title = {{Looms}},\n" \
           "  school = {University of Oxford},\n  year = {2015}\n}\n" in exported
    assert "@mastersthesis{ada2016cards,\n" in exported
    assert "  note = {Master's thesis; With distinction}\n" in exported
    assert "@phdthesis{ada2019engines,\n" in exported
    # ... and imported again, the same entries.
    copy = write_files(tmp_path / "copy", {"site.yml": MINIMAL_SITE})
    assert import_files(copy, [root / "_site" / "publications.bib"]).summary() == \
        "3 new, 0 already present, 0 with problems"
    assert folder(copy) == files


def test_an_organization_as_author_stays_one_name_through_import_and_export(make_project, tmp_path):
    bib = """\
        @article{atlas2012higgs,
          title = {Observation of a New Particle},
          author = {{The ATLAS Collaboration} and {AT\\&T Labs} and Lovelace, Ada},
          journal = {Physics Letters B},
          year = {2012}
        }
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "1 new, 0 already present, 0 with problems"
    # Kept in its braces, as BibTeX writes one name; named in full in the file name.
    written = folder(root)
    assert written == {"2012-the-atlas-collaboration-observation-new-particle.yml": yaml_of("""\
        title: Observation of a New Particle
        authors:
          - '{The ATLAS Collaboration}'
          - '{AT&T Labs}'
          - Ada Lovelace
        type: journal
        venue_full: Physics Letters B
        year: 2012
        bibtex_key: atlas2012higgs
        """)}
    build_ok(root)
    assert (root / "_site" / "publications.bib").read_text(encoding="utf-8") == textwrap.dedent("""\
        @article{atlas2012higgs,
          author = {{The ATLAS Collaboration} and {AT\\&T Labs} and Lovelace, Ada},
          title = {{Observation} of a {New} {Particle}},
          journal = {Physics Letters B},
          year = {2012}
        }
        """)
    # Shown without braces; to schema.org an organization.
    page = (root / "_site" / "publications" / "2012-observation-of-a-new-particle" / "index.html"
            ).read_text(encoding="utf-8")
    assert '<p class="authors">The ATLAS Collaboration, AT&amp;T Labs, ' \
           '<strong>Ada Lovelace</strong></p>' in page
    assert '{"@type": "Organization", "name": "The ATLAS Collaboration"}' in page
    assert '<meta name="citation_author" content="The ATLAS Collaboration">' in page
    copy = write_files(tmp_path / "copy", {"site.yml": MINIMAL_SITE})
    assert import_files(copy, [root / "_site" / "publications.bib"]).summary() == \
        "1 new, 0 already present, 0 with problems"
    assert folder(copy) == written


def test_arxiv_generated_entry(make_project):
    root = make_project()
    imported(root, "arxiv")
    # The url is the arXiv page again: one link.
    assert folder(root)["2023-sun-dime-fm.yml"].endswith(
        "type: preprint\nyear: 2023\nlinks:\n  arxiv: '2303.18232'\n"
        "bibtex_key: sun2023dimefmdistillingmultimodalefficient\n")


def test_an_arxiv_id_in_a_miscs_howpublished_is_a_link_as_in_an_articles_journal(make_project):
    bib = textwrap.dedent("""\
        @misc{m, title = {Looms}, author = {Lovelace, Ada}, year = 2021,
              howpublished = {arXiv preprint arXiv:2101.00001}}
        @article{a, title = {Cards}, author = {Lovelace, Ada}, year = 2021,
                 journal = {arXiv preprint arXiv:2101.00002}}
        """)
    root = make_project({"refs.bib": bib})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    files = folder(root)
    for name, key, number in (("looms", "m", 1), ("cards", "a", 2)):
        assert files[f"2021-lovelace-{name}.yml"].endswith(
            f"type: preprint\nvenue: arXiv\nyear: 2021\nlinks:\n  arxiv: '2101.0000{number}'\n"
            f"bibtex_key: {key}\norder: {number}\n")


def test_patent_entry(make_project):
    root = make_project()
    imported(root, "patent")
    assert folder(root)["2023-panda-dynamic-network-quantization.yml"].endswith(
        "type: patent\nyear: 2023\nmonth: 6\nnote: US20230209023A1; US Patent App. 17/566,782\n"
        "links:\n  paper: https://patents.google.com/patent/US20230209023A1/en\n"
        "bibtex_key: panda2023patent\n")


def test_a_patent_number_is_kept_in_the_note(make_project):
    bib = textwrap.dedent("""\
        @patent{one, title = {Engine One}, author = {Lovelace, Ada}, year = 1843,
                number = {US~11{,}000{,}000}}
        @patent{two, title = {Engine Two}, author = {Lovelace, Ada}, year = 1843,
                number = {US 11,000,001}, note = {US Patent 11,000,001 B2}}
        @article{three, title = {Engine Three}, author = {Lovelace, Ada}, year = 1843,
                 journal = {Scientific Memoirs}, number = {5}}
        """)
    root = make_project({"refs.bib": bib})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "3 new, 0 already present, 0 with problems"
    files = folder(root)
    # Decoded as text; not repeated when the note gives it already; a journal's issue is no note.
    assert "\nnote: US 11,000,000\n" in files["1843-lovelace-engine-one.yml"]
    assert "\nnote: US Patent 11,000,001 B2\n" in files["1843-lovelace-engine-two.yml"]
    assert "note" not in files["1843-lovelace-engine-three.yml"]


def test_latex_accents_math_braces_macros_comments_and_odd_whitespace(make_project):
    root = make_project()
    result = imported(root, "tricky")
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    assert files["2022-muller-fast-cnns-alpha-divergence.yml"] == yaml_of("""\
        title: 'Fast CNNs for $\\alpha$-Divergence Estimation: Theory & Practice — *Revisited*'
        authors:
          - Jörg Müller
          - José García
          - Andrew Y. Ng
          - et al.
        type: conference
        venue: ECCV
        venue_full: European Conference on Computer Vision
        pages: 1–10
        year: 2022
        month: 10
        bibtex_key: muller2022
        """)
    assert files["2021-weiss-learning-nested-braces.yml"] == yaml_of("""\
        title: Learning Nested Braces in Titles at $O(n \\log n)$ Cost
        authors:
          - Björn Weiß
          - Søren Østergaard
        type: journal
        venue_full: IEEE Transactions on Pattern Analysis and Machine Intelligence
        year: 2021
        month: 3
        note: Extended version of the ECCV paper, pp. 12–20
        links:
          code: https://github.com/example/nested_braces
        bibtex_key: nested
        """)


def test_a_control_word_in_a_name_swallows_the_space_after_it_as_in_latex(make_project):
    bib = textwrap.dedent(r"""
        @article{a, title = {T1 S\o ren}, author = {Br\o{}nsted, S\o ren and S\o ren Kierkegaard},
                 year = 2020}
        @article{b, title = {T2}, author = {S\o ren Kierkegaard and van der \AA se, Fran\c cois}}
        """)
    root = make_project({"refs.bib": bib})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == []
    assert [(pub.title, pub.authors) for pub in records(root)] == [
        ("T1 Søren", ("Søren Brønsted", "Søren Kierkegaard")),
        ("T2", ("Søren Kierkegaard", "François van der Åse"))]


# (as written, as imported): accents in each form LaTeX takes them, braced or not, with an
# argument or a command's `{}` or space after them, in names written `Last, First` and `First Last`.
ACCENTED_NAMES = (
    (r"\'Eric Roux", "Éric Roux"),
    (r"Roux, \'{E}ric", "Éric Roux"),
    (r"{\'E}ric Roux", "Éric Roux"),
    (r"\AA{}str\"om, Karl", "Karl Åström"),
    (r"\AA ngstr\"om, A.", "A. Ångström"),
    (r"{\AA}se Berg", "Åse Berg"),
    (r"\aa{}berg, Per", "Per åberg"),
    (r"\r{A}berg, Per", "Per Åberg"),
    (r"\v Sime Vel", "Šime Vel"),
    (r"Vel, \v{S}ime", "Šime Vel"),
    (r"\"{O}zt\"urk, Ali", "Ali Öztürk"),
    (r"Gau\ss{}, Carl", "Carl Gauß"),
    (r"Carl Gau\ss", "Carl Gauß"),
    (r"S\o ren \O{}rsted", "Søren Ørsted"),
    (r"\L{}ukasz \.Zuk", "Łukasz Żuk"),
    (r"Fran\c cois de la Bo\'etie", "François de la Boétie"),
    (r"Bod\'{\i}k, Rastislav", "Rastislav Bodík"),
    (r"\"Unl\"u, \c Ca\u glar", "Çağlar Ünlü"),
    (r"Sz\H{o}l\H o, Abel", "Abel Szőlő"),
    (r"\AE{}lfric Grammaticus", "Ælfric Grammaticus"),
    (r"Pe\~na, Juan", "Juan Peña"),
    (r"Juan Mu\~{n}oz", "Juan Muñoz"),
    (r"\~Nu\~nez, Ana", "Ana Ñuñez"),
    (r"{Simon and Schuster}", "{Simon and Schuster}"),
)


def test_an_author_list_is_split_at_each_and_outside_braces():
    from scholarpage.bibfile import split_names

    assert split_names("Roux, \\'Eric AND\n  {Simon and Schuster} and~Co and \\{x and \\}y} and \\AA se") == [
        "Roux, \\'Eric", "{Simon and Schuster} and~Co", "\\{x", "\\}y}", "\\AA se"]


def test_accents_are_decoded_in_every_name_of_an_author_list():
    from scholarpage.bibfile import CrossReferences, read_bib
    from scholarpage.importer import ImportResult, entries_of

    others = (("Smith, John", "John Smith"), ("Jane Doe", "Jane Doe"))
    lists = [[*others[:place], name, *others[place:]] for name in ACCENTED_NAMES for place in range(3)]
    bib = "".join("@article{e%d, title = {T%d}, author = {%s}, year = 2014}\n"
                  % (index, index, " and ".join(written for written, _ in names))
                  for index, names in enumerate(lists))
    blocks = read_bib(bib, "refs.bib")
    result = ImportResult()
    found = entries_of(blocks, CrossReferences([block for _, block in blocks]), result)
    assert messages(result) == []
    assert [item.data["authors"] for item in found] == [[shown for _, shown in names] for names in lists]


def test_every_written_file_builds(make_project):
    root = make_project()
    imported(root, "scholar", "dblp", "zotero", "arxiv", "patent", "tricky")
    result = build(root)
    assert result.ok and result.problems.errors == []
    assert len(result.content.publications) == len(folder(root))


def test_an_unknown_entry_type_is_kept_with_a_warning(make_project):
    root = make_project({"refs.bib": "@online{blog2024,\n  title = {Why Homepages Matter},\n"
                                     "  author = {Lovelace, Ada},\n  year = {2024}\n}\n"})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 0
    assert result.stderr == "refs.bib:1:1: warning: unknown entry type '@online': imported with " \
                            "type 'online' (entry blog2024)\n"
    assert result.stdout == "wrote content/publications/2024-lovelace-why-homepages-matter.yml\n" \
                            "1 new, 0 already present, 0 with problems\n"
    assert "type: online\n" in folder(root)["2024-lovelace-why-homepages-matter.yml"]


def test_a_link_left_out_as_unsafe_is_named(make_project):
    bib = """\
        @inproceedings{trap,
          title = {Click Me},
          author = {Lovelace, Ada},
          year = {2024},
          url = {javascript:alert(1)},
          pdf = {data:text/html;base64,PHNjcmlwdD4=},
          code = {java\tscript:alert(2)},
          video = {https://example.org/talk.mp4}
        }
        """
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 0
    assert result.stderr == (
        "refs.bib:5:3: warning: field 'url' left out: 'javascript:alert(1)' uses 'javascript:'; "
        "only http(s), mailto or relative links are allowed (entry trap)\n"
        "refs.bib:6:3: warning: field 'pdf' left out: 'data:text/html;base64,PHNjcmlwdD4=' uses "
        "'data:'; only http(s), mailto or relative links are allowed (entry trap)\n"
        "refs.bib:7:3: warning: field 'code' left out: 'java\\tscript:alert(2)' uses 'javascript:'; "
        "only http(s), mailto or relative links are allowed (entry trap)\n")
    assert folder(root)["2024-lovelace-click-me.yml"].endswith(
        "year: 2024\nlinks:\n  video: https://example.org/talk.mp4\nbibtex_key: trap\n")


# DBLP's "with crossref" export: the paper names its proceedings, which come after it.
CROSSREF_BIB = """\
    @inproceedings{DBLP:conf/cvpr/TanSHWDPRS24,
      author       = {Reuben Tan and Ximeng Sun and Kate Saenko},
      title        = {Koala: Key Frame-Conditioned Long Video-LLM},
      pages        = {13581--13591},
      doi          = {10.1109/CVPR52733.2024.01289},
      crossref     = {DBLP:conf/cvpr/2024},
      biburl       = {https://dblp.org/rec/conf/cvpr/TanSHWDPRS24.bib}
    }

    @inproceedings{DBLP:conf/cvpr/SunS24,
      author       = {Ximeng Sun and Kate Saenko},
      title        = {A Second Paper},
      crossref     = {dblp:conf/CVPR/2024}
    }

    @proceedings{DBLP:conf/cvpr/2024,
      editor       = {Ada Lovelace},
      title        = {{IEEE/CVF} Conference on Computer Vision and Pattern Recognition,
                      {CVPR} 2024, Seattle, WA, USA, June 16-22, 2024},
      publisher    = {{IEEE}},
      year         = {2024},
      month        = jun,
      url          = {https://ieeexplore.ieee.org/xpl/conhome/10654794/proceeding},
      doi          = {10.1109/CVPR52733.2024},
      isbn         = {979-8-3503-5300-6},
      biburl       = {https://dblp.org/rec/conf/cvpr/2024.bib}
    }
    """


def test_a_crossref_gives_the_fields_an_entry_lacks(make_project):
    root = make_project({"refs.bib": CROSSREF_BIB})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 0 and result.stderr == ""
    # The proceedings are no publication of their own; their url and DOI are not the papers'.
    assert result.stdout == ("wrote content/publications/2024-tan-koala.yml\n"
                             "wrote content/publications/2024-sun-second-paper.yml\n"
                             "2 new, 0 already present, 0 with problems\n")
    assert folder(root)["2024-tan-koala.yml"] == yaml_of("""\
        title: 'Koala: Key Frame-Conditioned Long Video-LLM'
        authors:
          - Reuben Tan
          - Ximeng Sun
          - Kate Saenko
        type: conference
        venue: CVPR
        venue_full: IEEE/CVF Conference on Computer Vision and Pattern Recognition
        pages: 13581–13591
        publisher: IEEE
        year: 2024
        month: 6
        links:
          doi: 10.1109/CVPR52733.2024.01289
        bibtex_key: DBLP:conf/cvpr/TanSHWDPRS24
        order: 1
        """)
    assert folder(root)["2024-sun-second-paper.yml"].endswith(
        "venue: CVPR\nvenue_full: IEEE/CVF Conference on Computer Vision and Pattern Recognition\n"
        "publisher: IEEE\nyear: 2024\nmonth: 6\nbibtex_key: DBLP:conf/cvpr/SunS24\norder: 2\n")


def test_a_crossref_gives_its_volume_issue_and_publisher_but_not_its_pages(make_project):
    # An issue of a journal lends what it is, not the pages it spans: those are the paper's.
    bib = """\
        @article{child, title = {T}, author = {Lovelace, Ada}, pages = {5--9}, crossref = {issue}}
        @article{other, title = {U}, author = {Lovelace, Ada}, crossref = {issue}}
        @periodical{issue, title = {Scientific Memoirs}, volume = {3}, number = {29},
                    pages = {1--200}, publisher = {Taylor}, year = 1843}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    assert folder(root)["1843-lovelace-t.yml"].endswith(
        "type: journal\nvenue_full: Scientific Memoirs\nvolume: 3\nnumber: 29\npages: 5–9\n"
        "publisher: Taylor\nyear: 1843\nbibtex_key: child\norder: 1\n")
    assert folder(root)["1843-lovelace-u.yml"].endswith(
        "type: journal\nvenue_full: Scientific Memoirs\nvolume: 3\nnumber: 29\n"
        "publisher: Taylor\nyear: 1843\nbibtex_key: other\norder: 2\n")


def test_a_crossref_is_found_in_another_file_and_its_own_fields_win(make_project):
    child = "@article{child, title = {T}, author = {Lovelace, Ada}, year = 1843, crossref = {vol}}\n"
    parent = "@periodical{vol, title = {Scientific Memoirs}, year = 1842, month = sep}\n"
    root = make_project({"a.bib": child, "b.bib": parent})
    result = import_files(root, [root / "a.bib", root / "b.bib"])
    assert messages(result) == [] and result.summary() == "1 new, 0 already present, 0 with problems"
    assert folder(root)["1843-lovelace-t.yml"].endswith(
        "type: journal\nvenue_full: Scientific Memoirs\nyear: 1843\nmonth: 9\nbibtex_key: child\n")


def test_a_crossref_target_that_is_a_work_of_its_own_is_imported_too(make_project):
    # A book is a publication of its own, a chapter of it too; proceedings are only a volume.
    bib = """\
        @book{mybook, author = {Lovelace, Ada}, title = {Notes on Engines}, publisher = {Taylor},
              year = 1843}
        @incollection{chap, title = {The First Chapter}, crossref = {mybook}}
        @collection{volume, editor = {Babbage, Charles}, title = {Memoirs}, year = 1842}
        @incollection{essay, author = {Lovelace, Ada}, title = {An Essay}, crossref = {volume}}
        """
    root = make_project({"refs.bib": bib})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "3 new, 0 already present, 0 with problems"
    files = folder(root)
    assert sorted(files) == ["1842-lovelace-essay.yml", "1843-lovelace-first-chapter.yml",
                             "1843-lovelace-notes-engines.yml"]
    assert files["1843-lovelace-notes-engines.yml"].endswith(
        "type: book\nvenue: Taylor\nyear: 1843\nbibtex_key: mybook\norder: 1\n")
    # The book's publisher is its venue, and the publisher of its chapter.
    assert files["1843-lovelace-first-chapter.yml"].endswith(
        "type: chapter\nvenue_full: Notes on Engines\npublisher: Taylor\nyear: 1843\nbibtex_key: chap\n"
        "order: 2\n")


def test_a_crossref_to_no_entry_is_named_and_the_entry_imported_if_it_can_be(make_project):
    bib = """\
        @inproceedings{kept,
          title = {Kept Anyway}, author = {Lovelace, Ada}, year = 2020,
          crossref = {DBLP:conf/nowhere/2020}
        }
        @inproceedings{lost, title = {Nobody Wrote This}, crossref = {DBLP:conf/nowhere/2020}}
        @inproceedings{round, title = {R}, author = {Lovelace, Ada}, crossref = {about}}
        @inproceedings{about, title = {A}, author = {Lovelace, Ada}, crossref = {round}}
        """
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:3:3: warning: crossref 'DBLP:conf/nowhere/2020' names no entry of the files "
        "imported: nothing was taken from it (entry kept)\n"
        "refs.bib:5:1: entry has no author (entry lost)\n"
        "refs.bib:5:51: warning: crossref 'DBLP:conf/nowhere/2020' names no entry of the files "
        "imported: nothing was taken from it (entry lost)\n"
        "refs.bib:6:62: crossref 'about' leads back to this entry: it was not imported (entry round)\n"
        "refs.bib:7:62: crossref 'round' leads back to this entry: it was not imported (entry about)\n")
    assert result.stdout == ("wrote content/publications/2020-lovelace-kept-anyway.yml\n"
                             "1 new, 0 already present, 3 with problems\n")


# ---------------------------------------------------------------------------------------------
# Entries already present.


def test_a_second_import_finds_everything_present(make_project):
    root = make_project()
    assert imported(root, "scholar", "zotero").summary() == "6 new, 0 already present, 0 with problems"
    before = folder(root)
    assert imported(root, "scholar", "zotero").summary() == "0 new, 6 already present, 0 with problems"
    assert folder(root) == before


CJK_BIB = """\
@article{cjk1, title={深度学习的研究}, author={王, 小明 and Sun, Ximeng}, journal={计算机学报}, year={2020}}
@article{cjk2, title={神经网络综述}, author={李, 华}, journal={计算机学报}, year={2020}}
@article{gr1, title={Ωμέγα}, author={Παπαδόπουλος, Γιώργος}, journal={J}, year={2020}}
"""


def test_titles_in_any_script_are_told_apart_and_found_again(make_project):
    root = make_project({"cjk.bib": CJK_BIB, "again.bib": textwrap.dedent("""\
        @article{a, title={ΩΜΈΓΑ}, author={Π, Γ}, journal={J}, year={2020}}
        @article{b, title={深度学习的研究.}, author={王, 小明}, journal={J}, year={2020}}
        """)})
    first = import_files(root, [root / "cjk.bib"])
    assert (first.summary(), messages(first)) == ("3 new, 0 already present, 0 with problems", [])
    assert sorted(pub.title for pub in records(root)) == ["Ωμέγα", "深度学习的研究", "神经网络综述"]
    again = import_files(root, [root / "cjk.bib", root / "again.bib"])
    assert again.summary() == "0 new, 5 already present, 0 with problems"


def test_titles_match_whatever_their_case_accents_and_punctuation(make_project):
    root = make_project({"content/publications/a.yml": "title: Café Society—Revisited\n"
                         "authors: [Ada Lovelace]\ntype: journal\nyear: 2020\n"})
    for title in ("CAFE society: revisited", "Cafe\u0301 Society – Revisited"):
        result = run_cli(root, "new", "publication", "--title", title, "--year", "2020", "--type", "journal")
        assert (result.returncode, result.stderr) == (1, (
            "content/publications/a.yml:1:1: already holds 'Café Society—Revisited': "
            "no new file was written\n"))
    # Of another type, it is another work: the conference paper of that journal article.
    result = run_cli(root, "new", "publication", "--title", "Café Society—Revisited", "--year", "2020")
    assert (result.returncode, result.stdout) == (0, "content/publications/2020-lovelace-cafe-society-revisited.yml\n")


def test_entries_match_the_example_site_by_title_year_and_ids(example_project):
    before = folder(example_project)
    result = imported(example_project, "dblp", "arxiv", "scholar")
    # By title and year: an undated entry here matches any year, a patent only a patent.
    assert result.summary() == "0 new, 8 already present, 0 with problems"
    assert folder(example_project) == before


def test_which_entry_is_the_same_work_and_that_the_first_in_the_folder_is_taken(make_project):
    """An id decides before the title, the first both give alone; else title and year (or no
    year) and type, or a preprint of a paper. Of two entries that match, the first in the folder is
    taken (a file filled in is read again, after the others); an id just filled in and a file
    just written count at once."""
    def entry(name: str, title: str, *fields: str, year: int = 2020) -> str:
        return ", ".join([f"@article{{{name}, title={{{title}}}", "author={Lovelace, Ada}",
                          f"year={year}", *fields]) + "}\n"

    def file(title: str, *lines: str, type: str = "journal") -> str:
        return "\n".join([f"title: {title}", "authors: [Ada Lovelace]", f"type: {type}", *lines, ""])

    arxiv = "eprint={2001.00001}, archiveprefix={arXiv}"
    root = make_project({
        "content/publications/a.yml": file("Looms", "year: 2020", "links:", "  doi: 10.1000/looms",
                                           "  arxiv: 2001.00001"),
        "content/publications/b.yml": file("Engines", "year: 2020"),
        "content/publications/c.yml": file("Engines", "year: 2020", type="patent"),
        "content/publications/d.yml": file("Poetry"),
        "content/publications/e.yml": file("Mills", "year: 2020", "links:", "  doi: 10.1000/mills"),
        "refs.bib": "".join([
            entry("diff_doi", "Looms", "doi={10.1000/other}", arxiv),  # DOIs differ: a work of its own
            entry("same_arxiv", "Other Title", arxiv, "note={Two}", year=2021),
            entry("same_title", "ENGINES!", "journal={J}"),
            entry("patent", "Engines", "type={patent}", "note={US 1}"),
            entry("undated_first", "Poetry", "journal={J}", "doi={10.1000/mills}", year=2019),
            entry("doi_first", "Mills", "journal={J}", "doi={10.1000/mills}"),
            entry("other_year", "Engines", "journal={J}", year=2021),
            entry("doi_added", "Engines", "journal={J}", "doi={10.1000/engines}"),
            entry("doi_differs", "Engines", "journal={J}", "doi={10.1000/engines-v2}"),
            entry("written_again", "Engines", "journal={J}", "doi={10.1000/engines-v2}"),
        ])})
    result = import_files(root, [root / "refs.bib"], update=True)
    assert (result.summary(), messages(result)) == (
        "3 new, 7 already present (5 updated), 0 with problems", [])
    assert result.written == [
        "wrote content/publications/2020-lovelace-looms.yml",  # diff_doi
        # same_arxiv, a preprint (an @article of no journal) of a.yml: only its links would be
        # added, not its note or key, and a.yml has them
        "updated content/publications/b.yml:1: added venue, bibtex_key; its key (and its id on the page) "
        "is now 'same_title'",  # same_title
        "updated content/publications/c.yml:1: added note, bibtex_key; its key (and its id on the page) "
        "is now 'patent'",  # patent
        "updated content/publications/d.yml:1: added venue, year, links, bibtex_key; its key (and its "
        "id on the page) is now 'undated_first'",  # before e.yml
        "updated content/publications/e.yml:1: added venue, bibtex_key; its key (and its id on the page) "
        "is now 'doi_first'",  # before d.yml, filled in
        "wrote content/publications/2021-lovelace-engines.yml",  # other_year
        "updated content/publications/b.yml:1: added links",  # doi_added
        "wrote content/publications/2020-lovelace-engines.yml",  # doi_differs from the one added
    ]  # written_again: found in the file just written, which it adds nothing to


@pytest.mark.parametrize("present, in_bib", [
    ("doi: http://dx.doi.org/10.1109/ABC.2020.1", "doi = {10.1109/ABC.2020.1}"),
    ("doi: https://dx.doi.org/10.1109/ABC.2020.1", "doi = {https://doi.org/10.1109/abc.2020.1}"),
    ("doi: DOI:10.1109/ABC.2020.1", "doi = {http://dx.doi.org/10.1109/ABC.2020.1}"),
    ("doi: 10.1109/ABC.2020.1", "doi = {doi:10.1109/abc.2020.1}"),
    ("arxiv: https://arxiv.org/pdf/2303.18232v2.pdf", "eprint = {2303.18232}, archiveprefix = {arXiv}"),
    ("arxiv: 2303.18232", "arxiv = {http://arxiv.org/abs/2303.18232v1}"),
    ("arxiv: http://arxiv.org/abs/hep-th/9901001", "eprint = {arXiv:hep-th/9901001}"),
])
def test_an_entry_is_found_present_by_its_id_in_another_form(make_project, present, in_bib):
    """The titles differ: the id alone tells it is there."""
    root = make_project({
        "content/publications/a.yml": f"title: Looms\nauthors: [Ada Lovelace]\ntype: journal\n"
                                      f"year: 2020\nlinks:\n  {present}\n",
        "refs.bib": f"@article{{k, title={{Looms, revised}}, author={{Lovelace, Ada}}, year={{2020}}, "
                    f"journal={{J}}, {in_bib}}}\n"})
    result = import_files(root, [root / "refs.bib"])
    assert (result.summary(), messages(result), result.written) == (
        "0 new, 1 already present, 0 with problems", [], [])
    assert sorted(folder(root)) == ["a.yml"]


@pytest.mark.parametrize("link", ["https://doi.org/10.1109/ABC.2020.1", "http://dx.doi.org/10.1109/ABC.2020.1",
                                  "https://dx.doi.org/10.1109/ABC.2020.1", "http://doi.org/10.1109/ABC.2020.1",
                                  "DOI:10.1109/ABC.2020.1", "doi: 10.1109/ABC.2020.1", "10.1109/ABC.2020.1"])
def test_a_doi_link_is_exported_as_its_doi_whatever_its_form(make_project, link):
    root = make_project({"content/publications/a.yml": "title: Looms\nauthors: [Ada Lovelace]\n"
                                                      f"type: journal\nyear: 2020\nlinks:\n  doi: '{link}'\n"})
    assert build(root).ok
    bib = (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert re.findall(r"doi = \{.*\}", bib) == ["doi = {10.1109/ABC.2020.1}"]


@pytest.mark.parametrize("link, eprint", [
    ("https://arxiv.org/pdf/2303.18232v2.pdf", "2303.18232v2"), ("http://arxiv.org/abs/2303.18232", "2303.18232"),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"), ("arXiv:2303.18232", "2303.18232")])
def test_an_arxiv_link_is_exported_as_its_eprint_whatever_its_form(make_project, link, eprint):
    root = make_project({"content/publications/a.yml": "title: Looms\nauthors: [Ada Lovelace]\n"
                                                      f"type: journal\nyear: 2020\nlinks:\n  arxiv: '{link}'\n"})
    assert build(root).ok
    bib = (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert re.findall(r"(eprint|archiveprefix) = \{(.*)\}", bib) == [("eprint", eprint), ("archiveprefix", "arXiv")]


def test_an_imported_entry_whose_title_was_edited_is_found_again_by_its_key(make_project):
    """The user's report: a patent (no DOI, no arXiv id) imported, its title edited, the .bib
    imported again. Its BibTeX key says it is there: no second file, and --update fills it."""
    root = make_project()
    imported(root, "patent")
    path = root / "content" / "publications" / "2023-panda-dynamic-network-quantization.yml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("title: Dynamic Network Quantization for Efficient Video Inference\n",
                          "title: Dynamic network quantization for video\n").replace("month: 6\n", "")
    path.write_text(edited, encoding="utf-8")
    result = imported(root, "patent", update=True)
    assert (result.summary(), messages(result)) == (
        "0 new, 1 already present (1 updated), 0 with problems", [])
    assert result.written == [
        "updated content/publications/2023-panda-dynamic-network-quantization.yml:2: added month"]
    assert list(folder(root)) == ["2023-panda-dynamic-network-quantization.yml"]
    # Where a new file has it: after the year.
    assert folder(root)["2023-panda-dynamic-network-quantization.yml"] == \
        edited.replace("year: 2023\n", "year: 2023\nmonth: 6\n")


def test_a_key_names_the_entry_present_unless_its_ids_or_year_differ(make_project):
    """A key given in the file and in the .bib names one work: the title and type present may
    be the user's edits, and either may lack an id or a year the other gives. Two different
    DOIs, arXiv ids or years are two works, and so is a file this import just wrote from
    another entry (same_work did not find it): imported without the key, which is said why."""
    def entry(key: str, title: str, *fields: str) -> str:
        return ", ".join([f"@article{{{key}, title={{{title}}}", "author={Lovelace, Ada}",
                          "journal={J}", *fields]) + "}\n"

    def file(title: str, key: str, *lines: str) -> str:
        return "\n".join([f"title: {title}", "authors: [Ada Lovelace]", "type: conference",
                          *lines, f"bibtex_key: {key}", ""])

    root = make_project({
        "content/publications/a.yml": file("Edited", "k_same"),
        "content/publications/b.yml": file("Looms", "k_year", "year: 2019"),
        "content/publications/c.yml": file("Looms", "k_doi", "links:", "  doi: 10.1000/a"),
        "content/publications/d.yml": file("Looms", "k_arxiv", "links:", "  arxiv: 2001.00001"),
        "one.bib": "".join([
            entry("k_same", "Engines", "year={2020}", "doi={10.1000/engines}"),  # a.yml, filled in
            entry("k_year", "Spindles", "year={2020}"),
            entry("k_doi", "Shuttles", "doi={10.1000/b}"),
            entry("k_arxiv", "Bobbins", "eprint={2001.00002}", "archiveprefix={arXiv}"),
            entry("k_new", "Mills", "year={2020}"),
        ]),
        "two.bib": entry("k_new", "Other Mills", "year={2020}"),  # a work of its own
    })
    result = run_cli(root, "import", "--update", "one.bib", "two.bib")
    assert result.stderr.splitlines() == [
        "one.bib:2:1: warning: key 'k_year' is already used by content/publications/b.yml, "
        "another work (year 2019, not 2020): imported without it (entry k_year)",
        "one.bib:3:1: warning: key 'k_doi' is already used by content/publications/c.yml, "
        "another work (DOI 10.1000/a, not 10.1000/b): imported without it (entry k_doi)",
        "one.bib:4:1: warning: key 'k_arxiv' is already used by content/publications/d.yml, "
        "another work (arXiv id 2001.00001, not 2001.00002): imported without it (entry k_arxiv)",
        "two.bib:1:1: warning: key 'k_new' is already used by "
        "content/publications/2020-lovelace-mills.yml, another work (written just now from "
        "another entry of the files imported): imported without it (entry k_new)",
    ]
    assert (result.returncode, result.stdout.splitlines()) == (0, [
        "updated content/publications/a.yml:1: added venue, year, links",
        "wrote content/publications/2020-lovelace-spindles.yml",
        "wrote content/publications/undated-lovelace-shuttles.yml",
        "wrote content/publications/undated-lovelace-bobbins.yml",
        "wrote content/publications/2020-lovelace-mills.yml",
        "wrote content/publications/2020-lovelace-other-mills.yml",
        "5 new, 1 already present (1 updated), 0 with problems",
    ])
    assert "bibtex_key" not in folder(root)["2020-lovelace-other-mills.yml"]


def test_an_entry_is_compared_only_with_those_sharing_an_id_or_its_title(make_project, monkeypatch):
    """Not with every entry present (one comparison per pair made a large import slow)."""
    from scholarpage import scaffold

    ids = ("doi = {10.1000/work.%d}", "eprint = {2001.%05d}, archiveprefix = {arXiv}", "note = {%d}")
    bib = "".join(f"@article{{w{n}, title = {{Work {n}}}, author = {{Lovelace, Ada}}, year = 2020, "
                  f"{ids[n % 3] % n}}}\n" for n in range(60))
    root = make_project({"refs.bib": bib})
    compared = []
    same_work = scaffold.same_work

    def counted(present: dict, wanted: dict) -> bool:
        compared.append((present["title"], wanted["title"]))
        return same_work(present, wanted)

    monkeypatch.setattr(scaffold, "same_work", counted)
    first = import_files(root, [root / "refs.bib"])
    assert (first.summary(), compared) == ("60 new, 0 already present, 0 with problems", [])
    again = import_files(root, [root / "refs.bib"])
    assert again.summary() == "0 new, 60 already present, 0 with problems"
    assert compared == [(f"work {n}", f"work {n}") for n in range(60)]  # each with itself alone


def test_update_fills_in_missing_fields_and_keeps_edits_and_comments(make_project):
    koala = """\
        # yaml-language-server: $schema=../../schema/publication.schema.json
        # My favourite paper.
        title: "Koala: Key frame-conditioned long video-LLM"   # as the paper prints it
        authors:
          - Reuben Tan
          - Ximeng Sun
        type: conference
        venue: CVPR
        year: 2024
        links:
          pdf: https://example.org/koala.pdf  # my own copy
          code: https://github.com/rxtan2/Koala-video-llm
        # notes for later
        """
    dualcoop = """\
        ---
        title: "DualCoOp++: Fast and Effective Adaptation to Multi-Label Recognition with Limited Annotations"
        authors: [Ping Hu, Ximeng Sun, Stan Sclaroff, Kate Saenko]  # flow style
        type: journal
        venue: TPAMI
        year: 2024
        ---
        My own summary.
        """
    root = make_project({"content/publications/koala.yml": koala,
                         "content/publications/dualcoop.md": dualcoop})
    result = imported(root, "dblp", update=True)
    assert messages(result) == []
    assert result.summary() == "1 new, 2 already present (2 updated), 0 with problems"
    assert result.written == [
        "updated content/publications/koala.yml:3: added venue_full, pages, publisher, bibtex_key, "
        "link 'doi'; its key (and its id on the page) is now 'DBLP:conf/cvpr/TanSHWDPRS24'",
        "wrote content/publications/2023-sun-dime-fm.yml",
        "updated content/publications/dualcoop.md:2: added venue_full, volume, number, pages, links, "
        "bibtex_key; its key (and its id on the page) is now 'DBLP:journals/pami/HuSSS24'",
    ]
    files = folder(root)
    # Each field where a new file has it: before the first field present that comes after it.
    assert files["koala.yml"] == textwrap.dedent(koala).replace("year: 2024\n", """\
venue_full: IEEE/CVF Conference on Computer Vision and Pattern Recognition
pages: 13581–13591
publisher: IEEE
year: 2024
""").replace("# notes for later\n", """\
  doi: 10.1109/CVPR52733.2024.01289
bibtex_key: DBLP:conf/cvpr/TanSHWDPRS24
# notes for later
""")
    assert files["dualcoop.md"] == textwrap.dedent(dualcoop).replace("year: 2024\n", """\
venue_full: IEEE Trans. Pattern Anal. Mach. Intell.
volume: 46
number: 5
pages: 3450–3462
year: 2024
links:
  doi: 10.1109/TPAMI.2023.3342354
bibtex_key: DBLP:journals/pami/HuSSS24
""")
    # Nothing is missing any more: a second run changes nothing.
    again = imported(root, "dblp", update=True)
    assert again.summary() == "0 new, 3 already present (0 updated), 0 with problems"
    assert folder(root) == files
    assert build(root).ok


def test_a_file_that_cannot_be_written_is_reported_and_leaves_nothing_behind(make_project, monkeypatch):
    """A full disk: the entry is reported at its place, nothing half written is left (neither
    a new file nor a temporary one), and a file filled in stays as it was."""
    import errno
    import os
    from scholarpage import files, scaffold

    def full(*args, **options):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[-1]))

    class FullFile:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, text):
            self.file.write(text[:10])  # some of it, then the disk is full
            full(self.file.name)

    bib = "@article{new, title = {New}, author = {Lovelace, Ada}, year = 2020, journal = {J}}\n"
    present = "title: New\nauthors: [Ada Lovelace]\ntype: journal\nyear: 2020\n"
    root = make_project({"refs.bib": bib})
    bib_path = (root / "refs.bib").as_posix()
    monkeypatch.setattr(scaffold, "open", lambda *args, **options: FullFile(open(*args, **options)),
                        raising=False)
    result = import_files(root, [root / "refs.bib"])
    assert (result.summary(), messages(result)) == ("0 new, 0 already present, 1 with problems", [
        f"{bib_path}:1:1: not imported: cannot write content/publications/2020-lovelace-new.yml: "
        "No space left on device (entry new)"])
    assert folder(root) == {}
    monkeypatch.undo()
    write_files(root, {"content/publications/new.yml": present})
    monkeypatch.setattr(files.os, "replace", full)
    result = import_files(root, [root / "refs.bib"], update=True)
    assert (result.summary(), messages(result)) == ("0 new, 0 already present (0 updated), 1 with problems", [
        f"{bib_path}:1:1: not imported: cannot write content/publications/new.yml: "
        "No space left on device (entry new)"])
    assert folder(root) == {"new.yml": present}


def test_update_in_a_file_holding_a_list_of_entries(make_project):
    papers = """\
        - title: A Good Entry
          authors: [Ada Lovelace]
          type: conference
          year: 2020

        - title: Another Good Entry  # the second
          authors: [Ada Lovelace]
          type: conference
          year: 2021
        """
    root = make_project({"content/publications/papers.yml": papers})
    imported(root, "broken", update=True)
    assert folder(root)["papers.yml"] == textwrap.dedent("""\
        - title: A Good Entry
          authors: [Ada Lovelace]
          type: conference
          venue: ICML
          year: 2020
          bibtex_key: good1

        - title: Another Good Entry  # the second
          authors: [Ada Lovelace]
          type: conference
          year: 2021
          bibtex_key: good2
        """)


def test_update_never_names_a_venue_the_file_names_already(make_project):
    """A thesis's school, a chapter's book: the .bib's venue is the file's `venue` again (in
    another case or spacing), not a long name to add beside it, which would show 'X (X)'."""
    theses = """\
        - title: Flies in Zurich
          authors: [Ada Lovelace]
          type: thesis
          venue: ETH  Zürich
          year: 2018
        - title: Flies in Boston
          authors: [Ada Lovelace]
          type: thesis
          venue_full: Boston University
          year: 2019
        """
    bib = """\
        @phdthesis{zurich, title = {Flies in Zurich}, author = {Lovelace, Ada}, school = {ETH Zürich},
                   year = 2018}
        @phdthesis{boston, title = {Flies in Boston}, author = {Lovelace, Ada},
                   school = {boston university}, year = 2019}
        """
    root = make_project({"content/publications/theses.yml": theses, "refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"], update=True)
    assert result.summary() == "0 new, 2 already present (2 updated), 0 with problems"
    assert folder(root)["theses.yml"] == textwrap.dedent(theses).replace(
        "year: 2018\n", "year: 2018\n  bibtex_key: zurich\n").replace(
        "year: 2019\n", "year: 2019\n  bibtex_key: boston\n")


def test_update_keeps_the_line_endings_of_the_file(make_project):
    koala = ("title: 'Koala: Key frame-conditioned long video-LLM'  # mine\r\n"
             "authors: [Reuben Tan]\r\ntype: conference\r\nyear: 2024\r\n")
    dualcoop = ("---\rtitle: 'DualCoOp++: Fast and Effective Adaptation to Multi-Label Recognition "
                "with Limited Annotations'\rauthors: [Ping Hu]\rtype: journal\ryear: 2024\r---\r"
                "My summary.\r")
    root = make_project({"content/publications/koala.yml": koala.encode(),
                         "content/publications/dualcoop.md": dualcoop.encode()})
    result = imported(root, "dblp", update=True)
    assert messages(result) == [] and result.updated == 2
    after = tree(root / "content" / "publications")
    assert after["koala.yml"] == koala.replace("year: 2024\r\n", (
        "venue: CVPR\r\nvenue_full: IEEE/CVF Conference on Computer Vision and Pattern "
        "Recognition\r\npages: 13581–13591\r\npublisher: IEEE\r\nyear: 2024\r\nlinks:\r\n"
        "  doi: 10.1109/CVPR52733.2024.01289\r\nbibtex_key: DBLP:conf/cvpr/TanSHWDPRS24\r\n")).encode()
    assert after["dualcoop.md"] == dualcoop.replace("year: 2024\r", (
        "venue_full: IEEE Trans. Pattern Anal. Mach. Intell.\rvolume: 46\rnumber: 5\r"
        "pages: 3450–3462\ryear: 2024\rlinks:\r"
        "  doi: 10.1109/TPAMI.2023.3342354\rbibtex_key: DBLP:journals/pami/HuSSS24\r")).encode()


def test_update_adds_each_field_where_a_new_file_has_it_above_the_comments_about_the_next(make_project):
    """Not after `bibtex_key` and `order`: before the first field present that comes after it in
    a new file, and above the comment lines right over that field; a block's `#` line is text."""
    ada = ("title: Engines\r\nauthors:\r\n  - Ada Lovelace\r\ntype: journal\r\n"
           "# the year it came out\r\nyear: 2020\r\nabstract: |\r\n  # A heading\r\n  text\r\n"
           "# my key\r\nbibtex_key: ada2020\r\norder: 2\r\n")
    bib = ("@article{ada2020, title = {Engines}, author = {Lovelace, Ada}, journal = {Journal of "
           "Engines}, volume = {3}, year = 2020, doi = {10.1000/x}, selected = {true}, abstract = {x}}\n")
    root = make_project({"content/publications/ada.yml": ada.encode(), "refs.bib": bib})
    result = import_files(root, [root / "refs.bib"], update=True)
    assert messages(result) == [] and result.written == [
        "updated content/publications/ada.yml:1: added venue_full, volume, links, selected"]
    assert tree(root / "content" / "publications")["ada.yml"] == (
        "title: Engines\r\nauthors:\r\n  - Ada Lovelace\r\ntype: journal\r\n"
        "venue_full: Journal of Engines\r\nvolume: 3\r\n"
        "# the year it came out\r\nyear: 2020\r\n"
        "links:\r\n  doi: 10.1000/x\r\n"
        "abstract: |\r\n  # A heading\r\n  text\r\n"
        "selected: true\r\n"
        "# my key\r\nbibtex_key: ada2020\r\norder: 2\r\n").encode()


def test_update_keeps_the_byte_order_mark_of_the_file(make_project):
    # Notepad saves UTF-8 with a byte-order mark; the build reads such files, so --update must.
    dualcoop = ("\ufeff---\ntitle: 'DualCoOp++: Fast and Effective Adaptation to Multi-Label "
                "Recognition with Limited Annotations'\nauthors: [Ping Hu]\ntype: journal\n"
                "year: 2024\n---\nMy summary.\n")
    koala = ("\ufefftitle: 'Koala: Key frame-conditioned long video-LLM'\nauthors: [Reuben Tan]\n"
             "type: conference\n")
    root = make_project({"content/publications/dualcoop.md": dualcoop.encode(),
                         "content/publications/koala.yml": koala.encode()})
    result = imported(root, "dblp", "dblp", update=True)  # the second time, all are present
    assert messages(result) == []
    assert result.summary() == "1 new, 5 already present (2 updated), 0 with problems"
    after = tree(root / "content" / "publications")
    assert after["dualcoop.md"] == dualcoop.replace("year: 2024\n", (
        "venue_full: IEEE Trans. Pattern Anal. Mach. Intell.\nvolume: 46\nnumber: 5\n"
        "pages: 3450–3462\nyear: 2024\nlinks:\n"
        "  doi: 10.1109/TPAMI.2023.3342354\nbibtex_key: DBLP:journals/pami/HuSSS24\n")).encode()
    assert after["koala.yml"].startswith("\ufefftitle: 'Koala".encode())


def test_update_reports_front_matter_gone_since_the_file_was_read(make_project, monkeypatch):
    dualcoop = ("---\ntitle: 'DualCoOp++: Fast and Effective Adaptation to Multi-Label "
                "Recognition with Limited Annotations'\nauthors: [Ping Hu]\ntype: journal\n---\n")
    root = make_project({"content/publications/dualcoop.md": dualcoop})
    original = PublicationFolder.__init__

    def then_edited(self, *args):  # the user saves the file without its front matter meanwhile
        original(self, *args)
        (root / "content" / "publications" / "dualcoop.md").write_text("Just text")

    monkeypatch.setattr(PublicationFolder, "__init__", then_edited)
    result = imported(root, "dblp", update=True)
    assert "content/publications/dualcoop.md:2:1: front matter not found: fields from the .bib " \
           "were not added" in messages(result)
    assert folder(root)["dualcoop.md"] == "Just text"


def test_without_update_present_entries_are_left_alone(make_project):
    root = make_project({"content/publications/a.yml": "title: A Good Entry\nauthors: [A. L.]\n"
                                                       "type: conference\n"})
    before = folder(root)["a.yml"]
    assert imported(root, "broken").summary() == "1 new, 1 already present, 3 with problems"
    assert folder(root)["a.yml"] == before


def test_an_entry_already_present_and_left_as_it_is_is_not_warned_of_again(make_project):
    """Its warnings were told when it was imported; nothing of it is imported now."""
    bib = """\
        @online{blog, title = {Engines Online}, author = {Lovelace, Ada}, year = 2022, month = {Smarch}}
        @online{again, title = {Engines Online}, author = {Lovelace, Ada}, year = 2022, month = {Smarch}}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    first = import_files(root, [root / "refs.bib"])
    assert first.summary() == "1 new, 1 already present, 0 with problems"
    assert [line.removeprefix(f"{root}/") for line in messages(first)] == [
        "refs.bib:1:1: warning: unknown entry type '@online': imported with type 'online' (entry blog)",
        "refs.bib:1:80: warning: field 'month' left out: 'Smarch' is not a month like 9, sep, "
        "September or 15 September (entry blog)"]
    for update in (False, True):
        again = import_files(root, [root / "refs.bib"], update=update)
        assert again.summary() == "0 new, 2 already present{}, 0 with problems".format(
            " (0 updated)" if update else "")
        assert messages(again) == []


def test_update_skips_flow_style_entries_and_warns_about_broken_files(make_project):
    root = make_project({
        "content/publications/good.yml": "{title: A Good Entry, authors: [Ada Lovelace], type: conference}\n",
        "content/publications/broken.yml": "title: [unclosed\n",
        "refs.bib": (BIB / "broken.bib").read_text(encoding="utf-8"),
    })
    before = tree(root / "content")
    result = run_cli(root, "import", "--update", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "content/publications/broken.yml: warning: has errors, so it was not checked for entries "
        "already present\n"
        "refs.bib:8:1: unbalanced braces: a '{' is never closed (entry broken)\n"
        "refs.bib:14:1: entry has no title (entry notitle)\n"
        "refs.bib:19:1: duplicate key 'good1' (first used on line 1) (entry good1)\n"
        "content/publications/good.yml:1:1: warning: is written in '{ }' style: fields from the .bib "
        "were not added\n")
    assert result.stdout == ("wrote content/publications/2021-lovelace-another-good-entry.yml\n"
                             "refs.bib:1: already present as content/publications/good.yml:1 (entry good1)\n"
                             "1 new, 1 already present (0 updated), 3 with problems\n")
    after = tree(root / "content")
    assert {name: after[name] for name in before} == before


def test_update_warns_of_links_it_cannot_add_to_links_in_braces_or_left_empty(make_project):
    entries = ("- title: First Paper\n  authors: [Ada Lovelace]\n  type: conference\n  year: 2020\n"
               "  links: {pdf: \"https://x.org/a.pdf\"}\n"
               "- title: Second Paper\n  authors: [Ada Lovelace]\n  type: conference\n  year: 2021\n"
               "  links:\n    pdf: https://x.org/b.pdf\n"
               "- title: Third Paper\n  authors: [Ada Lovelace]\n  type: conference\n  year: 2022\n"
               "  links:\n")
    bib = "".join(f"@inproceedings{{p{n}, title={{{title} Paper}}, author={{Lovelace, Ada}}, "
                  f"booktitle={{ICML}}, year={{{year}}}, doi={{10.1000/{n}}}}}\n"
                  for n, (title, year) in enumerate((("First", 2020), ("Second", 2021), ("Third", 2022))))
    root = make_project({"content/publications/list.yml": entries, "refs.bib": bib})
    result = run_cli(root, "import", "--update", "refs.bib")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "content/publications/list.yml:5:3: warning: 'links' is written in '{ }' style or empty: "
        "links from the .bib were not added (doi)\n"
        "content/publications/list.yml:21:3: warning: 'links' is written in '{ }' style or empty: "
        "links from the .bib were not added (doi)\n")
    text = (root / "content/publications/list.yml").read_text(encoding="utf-8")
    assert "    doi: 10.1000/1\n" in text and text.count("doi") == 1


# ---------------------------------------------------------------------------------------------
# Export and round trip.

ESCAPED = {  # text -> as written in BibTeX
    "Plain words, no change": "Plain words, no change",
    "pages 1--2, ``quoted'' and ---": "pages 1-{}-2, `{}`quoted'{}' and -{}-{}-",
    "100% & #1 x_y ~ {b} \\": "100\\% \\& \\#1 x\\_y \\textasciitilde{} \\{b\\} \\textbackslash{}",
    "cost $O(n_1)$ -- 50%": "cost $O(n_1)$ -{}- 50\\%",
}


def test_bibtex_text_is_escaped_as_latex_reads_it():
    for text, escaped in ESCAPED.items():
        assert bibtex.escape(text) == escaped
    assert bibtex.protect_capitals("DIME-FM: a $\\mathcal{O}$ Test of l'Été") == (
        "{DIME-FM}: a $\\mathcal{O}$ {Test} of {l'Été}")



def test_the_example_site_round_trips_through_its_publications_bib(example_project, make_project):
    assert build(example_project).ok
    originals = records(example_project)
    keys = bibtex.assign_keys(originals)
    root = make_project()
    result = import_files(root, [example_project / "_site" / "publications.bib"])
    assert messages(result) == [] and result.summary() == "17 new, 0 already present, 0 with problems"
    copies = {pub.bibtex_key: pub for pub in records(root)}
    assert sorted(copies) == sorted(keys.values())
    for original in originals:
        copy = copies[keys[id(original)]]
        assert [getattr(copy, name) for name in COMPARED] == \
            [getattr(original, name) for name in COMPARED], original.source
    # In the page's order too: entries of one year keep their order (given as `order: N`).
    assert [pub.bibtex_key for pub in sorted(copies.values(), key=publication_order)] == \
        [keys[id(pub)] for pub in sorted(originals, key=publication_order)]


def test_entries_of_one_date_are_listed_in_the_order_of_the_file(make_project):
    def entry(key: str, title: str, date: str) -> str:
        return f"@article{{{key}, title = {{{title}}}, author = {{Lovelace, Ada}}, {date}}}\n"

    root = make_project({"refs.bib": "".join([
        entry("z", "Zebra", "year = 2020"), entry("solo", "Solo", "year = 2019"),
        entry("a", "Apple", "year = 2020"), entry("m", "Mango", "year = 2020"),
        entry("j", "June", "year = 2020, month = jun"), entry("u1", "Undated One", "note = {x}"),
        entry("u2", "Undated Two", "note = {y}"),
    ])})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "7 new, 0 already present, 0 with problems"
    orders = {name: re.findall(r"^order: (\d+)$", text, re.MULTILINE)
              for name, text in folder(root).items()}
    assert orders == {  # none for an entry alone of its date: 2019, June 2020
        "2020-lovelace-zebra.yml": ["1"], "2020-lovelace-apple.yml": ["2"],
        "2020-lovelace-mango.yml": ["3"], "2019-lovelace-solo.yml": [],
        "2020-lovelace-june.yml": [], "undated-lovelace-undated-one.yml": ["1"],
        "undated-lovelace-undated-two.yml": ["2"]}
    build_ok(root)
    page = (root / "_site" / "index.html").read_text(encoding="utf-8")
    titles = ["June", "Zebra", "Apple", "Mango", "Solo", "Undated One", "Undated Two"]
    assert sorted(titles, key=page.index) == titles
    # --update gives an entry present no `order`: that would move it on the page.
    for name in ("2020-lovelace-zebra.yml", "2020-lovelace-apple.yml"):
        path = root / "content" / "publications" / name
        path.write_text(path.read_text(encoding="utf-8").replace("order:", "# order:"), encoding="utf-8")
    again = import_files(root, [root / "refs.bib"], update=True)
    assert (again.summary(), again.written) == ("0 new, 7 already present (0 updated), 0 with problems", [])


def test_links_to_files_of_the_site_are_exported_in_full_and_come_back_relative(make_project, tmp_path):
    """Whoever copies an entry from the page needs the address of its PDF; imported into a
    project at the same address, it is the file's link again."""
    site = MINIMAL_SITE + "url: https://ada.example.org/site\n"
    entry = """\
        title: Looms
        authors: [Ada Lovelace]
        type: journal
        year: 1843
        selected: true
        links:
          pdf: papers/müller thesis.pdf
          slides: /site/talks/looms.pdf
          poster: files/a%23b.pdf
          code: https://ada.example.org/site/
        """
    source = write_files(tmp_path / "source", {"site.yml": site, "content/publications/looms.yml": entry,
                                                "static/papers/müller thesis.pdf": b"%PDF-1.4\n",
                                                "static/talks/looms.pdf": b"%PDF-1.4\n",
                                                "static/files/a#b.pdf": b"%PDF-1.4\n"})
    shutil.copytree(REPO / "themes", source / "themes")
    build_ok(source)
    exported = (source / "_site" / "publications.bib").read_text(encoding="utf-8")
    fields = ("  selected = {true},\n  pdf = {https://ada.example.org/site/papers/m%C3%BCller%20thesis.pdf},\n"
              "  slides = {https://ada.example.org/site/talks/looms.pdf},\n"
              "  poster = {https://ada.example.org/site/files/a%23b.pdf},\n"
              "  code = {https://ada.example.org/site/}\n")
    assert fields in exported
    assert html.escape(fields, quote=False) in (source / "_site" / "index.html").read_text(encoding="utf-8")
    root = make_project({"site.yml": site})
    assert import_files(root, [source / "_site" / "publications.bib"]).summary() == \
        "1 new, 0 already present, 0 with problems"
    (copy,) = records(root)
    assert copy.selected and [(link.label, link.url) for link in copy.links] == [
        ("pdf", "papers/müller thesis.pdf"), ("slides", "talks/looms.pdf"),
        ("poster", "files/a%23b.pdf"), ("code", "https://ada.example.org/site/")]


def test_text_the_exporter_escapes_comes_back_as_written(make_project, tmp_path):
    entries = """\
        - title: "Tildes ~ and \\\\ backslash, {braces}, 100% & #1 x_y -- ''quoted'' $\\\\alpha_1$ Über"
          authors: [Martin Luther King Jr., Ludwig van Beethoven, danah boyd, et al.]
          type: workshop
          venue: CVPRW
          venue_full: "CVPR Workshop on Engines & Looms"
          date: 2024-06-17
          note: "Oral, 2% acceptance"
          links:
            paper: https://example.org/a_b%20c
            arxiv: 2401.00001v2
            doi: 10.1000/x_y
            slides: https://example.org/~ada/slides.pdf
          abstract: |
            First paragraph with `code`, *stars* and [a link](https://example.org/?a=1&b=2).

            Second paragraph.
        - title: A Preprint With a Note
          authors: [Ada Lovelace]
          type: preprint
          selected: true
          year: 2025
          month: 2
          note: Under review
        - {title: Invited Talk, authors: [Ada Lovelace], type: talk, venue_full: Royal Society of London, year: 1843}
        - {title: "A *Drosophila* Chapter on **Looms** and `torch.compile`", authors: [Ada Lovelace],
           type: chapter, venue_full: Sketches of Engines}
        - title: Cited Whole
          authors: [Ada Lovelace]
          type: journal
          venue_full: "Memoirs of Engines & Looms"
          volume: 19
          number: "4_b"
          pages: 400-410
          publisher: "Taylor & Francis {Ltd} -- 100%"
          year: 1843
        - {title: An Article Number, authors: [Ada Lovelace], type: conference, venue: SE,
           pages: e1234, year: 1844, volume: "007", publisher: ACM}
        - {title: Ranges, authors: [Ada Lovelace], type: journal, pages: "1--5, 7–9", year: 1845}
        """
    originals = read_publication_file("list.yml", textwrap.dedent(entries)).records
    assert len(originals) == 7
    keys = bibtex.assign_keys(originals)
    source = write_files(tmp_path / "source", {"site.yml": MINIMAL_SITE,
                                                "content/publications/list.yml": textwrap.dedent(entries)})
    shutil.copytree(REPO / "themes", source / "themes")
    build_ok(source)  # the publications.bib a site offers
    root = make_project()
    result = import_files(root, [source / "_site" / "publications.bib"])
    assert result.summary() == "7 new, 0 already present, 0 with problems"
    copies = {pub.bibtex_key: pub for pub in records(root)}
    for original in originals:
        copy = copies[keys[id(original)]]
        assert [getattr(copy, name) for name in COMPARED] == \
            [getattr(original, name) for name in COMPARED], original.title


def test_an_abstract_keeps_its_markdown_lines_through_publications_bib(make_project, tmp_path):
    entries = """\
        - title: Tables and Code
          authors: [Ada Lovelace]
          type: conference
          year: 2024
          abstract: |
            Results -- see ''below'', "quoted" and `` `code` ``:

            | a | b |
            |---|:-:|
            | 1 | 2 |

            ```python
            x = 1 < 2  # 50% of x_y {b} \\ ~
            ```

            - first item
              continued
            - second

                an indented code block

            Last line, a hard break:  
            and $\\alpha$.
        - title: One Line
          authors: [Ada Lovelace]
          type: journal
          year: 2023
          abstract: |
            Plain.
        - title: Code First
          authors: [Ada Lovelace]
          type: journal
          year: 2022
          abstract: |2
                an indented code block first

            Then prose.
        - title: One Line of Code
          authors: [Ada Lovelace]
          type: journal
          year: 2021
          abstract: |2
                x = 1
        """
    source = write_files(tmp_path / "source", {"site.yml": MINIMAL_SITE,
                                                "content/publications/list.yml": entries})
    shutil.copytree(REPO / "themes", source / "themes")
    build_ok(source)
    bib = (source / "_site" / "publications.bib").read_text(encoding="utf-8")
    # Written over lines from the line after '{', escaped as any BibTeX text.
    assert "  abstract = {\nResults -{}- see '{}'below'{}', \"quoted\" and `{}` `code` `{}`:\n\n" \
           "| a | b |\n|-{}-{}-|:-:|\n" in bib
    assert "\n`{}`{}`python\nx = 1 < 2  \\# 50\\% of x\\_y \\{b\\} \\textbackslash{} " \
           "\\textasciitilde{}\n`{}`{}`\n" in bib
    assert "  abstract = {Plain.}\n" in bib  # one line stays on the field's line
    # Blank lines around go, the first line's indentation (a code block) stays.
    assert "  abstract = {\n    an indented code block first\n\nThen prose.}" in bib
    assert "  abstract = {\n    x = 1}" in bib
    root = make_project()
    assert import_files(root, [source / "_site" / "publications.bib"]).summary() == \
        "4 new, 0 already present, 0 with problems"
    originals = records(source)
    assert [pub.abstract for pub in originals][2:] == [
        "    an indented code block first\n\nThen prose.\n", "    x = 1\n"]
    copies = {pub.title: pub for pub in records(root)}
    assert [[getattr(copies[pub.title], name) for name in COMPARED] for pub in originals] == \
        [[getattr(pub, name) for name in COMPARED] for pub in originals]


def test_the_exported_entry_carries_what_citation_managers_need(make_project):
    (pub,) = read_publication_file("a.yml", textwrap.dedent("""\
        title: Notes on the Analytical Engine
        authors: [Ada Lovelace, Charles Babbage, et al.]
        type: journal
        venue: SM
        venue_full: Scientific Memoirs
        year: 1843
        month: 9
        links: {doi: 10.1000/engine, arxiv: 1843.00001, paper: https://example.org/notes}
        """)).records
    assert bibtex.entry(pub, "lovelace1843notes") == textwrap.dedent("""\
        @article{lovelace1843notes,
          author = {Lovelace, Ada and Babbage, Charles and others},
          title = {{Notes} on the {Analytical} {Engine}},
          journal = {Scientific Memoirs (SM)},
          year = {1843},
          month = sep,
          doi = {10.1000/engine},
          eprint = {1843.00001},
          archiveprefix = {arXiv},
          url = {https://example.org/notes}
        }
        """)


def test_volume_issue_pages_and_publisher_are_exported_as_bibtex_fields():
    (article, book) = read_publication_file("a.yml", textwrap.dedent("""\
        - title: Engines
          authors: [Ada Lovelace]
          type: journal
          venue_full: Nature Methods
          volume: 19
          number: 4
          pages: 400–410
          publisher: Springer & Sons
          year: 2022
        - {title: Notes, authors: [Ada Lovelace], type: book, venue_full: Taylor, publisher: Taylor,
           pages: 1-300, year: 1843}
        """)).records
    assert bibtex.entry(article, "a") == textwrap.dedent("""\
        @article{a,
          author = {Lovelace, Ada},
          title = {{Engines}},
          journal = {Nature Methods},
          volume = {19},
          number = {4},
          pages = {400--410},
          publisher = {Springer \\& Sons},
          year = {2022}
        }
        """)
    # A book's venue is its publisher: written once.
    assert bibtex.entry(book, "b") == textwrap.dedent("""\
        @book{b,
          author = {Lovelace, Ada},
          title = {{Notes}},
          publisher = {Taylor},
          pages = {1--300},
          year = {1843}
        }
        """)


def test_pages_are_imported_as_one_form_and_pages_that_are_none_left_out(make_project):
    bib = "".join(f"@article{{k{n}, title = {{T{n}}}, author = {{Lovelace, Ada}}, year = 2020,\n"
                  f"  pages = {{{pages}}}}}\n"
                  for n, pages in enumerate(["400--410", "400-410", "400 -- 410", "400{\\textendash}410",
                                             "e1234", "12", "pp. 400--410"]))
    root = make_project({"refs.bib": bib})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [
        f"{(root / 'refs.bib').as_posix()}:14:3: warning: field 'pages' left out: 'pp. 400–410' is "
        "not pages like 400--410, e1234 or 12 (entry k6)"]
    assert result.summary() == "7 new, 0 already present, 0 with problems"
    assert [(pub.title, pub.pages) for pub in records(root)] == [
        ("T0", "400–410"), ("T1", "400–410"), ("T2", "400–410"), ("T3", "400–410"),
        ("T4", "e1234"), ("T5", "12"), ("T6", "")]
    assert "\npages: 12\n" in folder(root)["2020-lovelace-t5.yml"]  # a number, not '12'


def test_a_books_publisher_is_imported_as_its_venue_alone(make_project):
    bib = "@book{b, title = {Notes}, author = {Lovelace, Ada}, publisher = {Taylor}, year = 1843,\n" \
          "  volume = {2}, edition = {2nd}, series = {Engines}, address = {London}}\n"
    root = make_project({"refs.bib": bib})
    assert messages(import_files(root, [root / "refs.bib"])) == []
    assert folder(root)["1843-lovelace-notes.yml"].endswith(
        "type: book\nvenue: Taylor\nvolume: 2\nyear: 1843\nbibtex_key: b\n")


# ---------------------------------------------------------------------------------------------
# Broken input and file names.


def test_a_broken_bib_names_file_line_and_entry_and_the_rest_imports(make_project):
    root = make_project({"refs.bib": (BIB / "broken.bib").read_text(encoding="utf-8")})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:8:1: unbalanced braces: a '{' is never closed (entry broken)\n"
        "refs.bib:14:1: entry has no title (entry notitle)\n"
        "refs.bib:19:1: duplicate key 'good1' (first used on line 1) (entry good1)\n"
    )
    assert result.stdout == ("wrote content/publications/2020-lovelace-good-entry.yml\n"
                             "wrote content/publications/2021-lovelace-another-good-entry.yml\n"
                             "2 new, 0 already present, 3 with problems\n")


def test_a_link_field_that_is_no_address_is_left_out_with_a_warning(make_project):
    """al-folio's `pdf = {paper.pdf}` names a file of its own site: told, not dropped unseen.
    A space in an address's path is kept (the build encodes it); one in its host is no address."""
    bib = ("@article{sp, title = {Spaces}, author = {Lovelace, Ada}, year = 2020,\n"
           "  url = {https://example.org/a b.pdf},\n  pdf = {paper.pdf},\n"
           "  slides = {https://exa mple.org/x.pdf}}\n")
    root = make_project({"refs.bib": bib})
    result = import_files(root, [root / "refs.bib"])
    assert [line.removeprefix(f"{root}/") for line in messages(result)] == [
        "refs.bib:3:3: warning: field 'pdf' left out: 'paper.pdf' is not an http(s) address (entry sp)",
        "refs.bib:4:3: warning: field 'slides' left out: 'https://exa mple.org/x.pdf' has a space "
        "in its host name 'exa mple.org' (entry sp)"]
    (copy,) = records(root)
    assert [(link.label, link.url) for link in copy.links] == [("paper", "https://example.org/a b.pdf")]


def test_a_key_holding_a_brace_is_named_in_plain_words_and_the_rest_imports(make_project):
    bib = ('@article{m{\\"u}ller2020, title = {Song}, author = {M{\\"u}ller, S}, year = 2020}\n'
           "@article{fine, title = {Fine}, author = {Lovelace, Ada}, year = 2020}\n")
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:1:1: the entry's key holds a '{', which a key may not: write it in plain "
        "letters and digits (m{\\\"u}ller2020 as muller2020) (entry m{\\\"u}ller2020)\n")
    assert result.stdout.endswith("1 new, 0 already present, 1 with problems\n")


def test_a_bib_with_a_byte_order_mark_is_read_and_placed_as_written(make_project):
    bib = "\ufeff@misc{nameless, title = {T}}\n@book{b, title = {B}, author = {Lovelace, Ada}}\n"
    root = make_project({"refs.bib": bib.encode()})
    result = run_cli(root, "import", "refs.bib")
    assert result.stderr == "refs.bib:1:1: entry has no author (entry nameless)\n"
    assert result.stdout == ("wrote content/publications/undated-lovelace-b.yml\n"
                             "1 new, 0 already present, 1 with problems\n")


def test_other_broken_entries_are_named_too(make_project):
    bib = textwrap.dedent("""\
        @article{twice, title = {A}, title = {B}, author = {X, Y}}

        @article{quote,
          title = "Unclosed,
          author = {X, Y}
        }

        @article{badname, title = {T}, author = {Smith, John, Jr, Extra}}

        @article{nokey title = {T}}

        @string{venue = "X"}
        @string{venue = "Y"}

        @article{taken, title = {Key Clash}, author = {Lovelace, Ada}, year = 2020}
        """)
    old = "title: Older\nauthors: [Ada Lovelace]\ntype: conference\nyear: 2019\nbibtex_key: taken\n"
    root = make_project({"refs.bib": bib, "content/publications/old.yml": old})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:1:1: field 'title' is given twice (entry twice)\n"
        "refs.bib:3:1: a quoted value is never closed: a '\"' is missing (entry quote)\n"
        "refs.bib:8:1: cannot read this entry: Cannot split the following name "
        "`Smith, John, Jr, Extra` into parts: Too many commas (entry badname)\n"
        "refs.bib:10:1: cannot read this entry: Expected comma after entry key, but found = "
        "(entry nokey)\n"
        "refs.bib:13:1: duplicate key 'venue' (first used on line 12) (@string venue)\n"
        "refs.bib:15:1: warning: key 'taken' is already used by content/publications/old.yml, "
        "another work (year 2019, not 2020): imported without it (entry taken)\n")
    assert result.stdout.endswith("1 new, 0 already present, 5 with problems\n")
    assert "bibtex_key" not in folder(root)["2020-lovelace-key-clash.yml"]


def test_problems_are_printed_in_the_order_of_the_file(make_project):
    bib = textwrap.dedent("""\
        @article{late, title = {T}, author = {A, B},
          year = {3000}}
        @article{broken, title = {T, author = {X, Y}
        @article{notitle, author = {X, Y}}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:2:3: 'year' must be between 1000 and 2999, got 3000 (entry late)\n"
        "refs.bib:3:1: unbalanced braces: a '{' is never closed (entry broken)\n"
        "refs.bib:4:1: entry has no title (entry notitle)\n")


def test_a_missing_file_and_a_field_the_model_refuses_are_reported(make_project):
    root = make_project({"refs.bib": "@article{k,\n  title = {T},\n  author = {A, B},\n"
                                     "  year = {3000}\n}\n"})
    result = run_cli(root, "import", "missing.bib", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == ("missing.bib: cannot read: No such file or directory\n"
                             "refs.bib:4:3: 'year' must be between 1000 and 2999, got 3000 (entry k)\n")
    assert result.stdout == "0 new, 0 already present, 2 with problems\n"


def test_a_file_without_entries_is_an_error(make_project):
    root = make_project({"empty.bib": "", "comments.bib": "% nothing here\n@comment{x}\n",
                         "pub.yml": "title: T\nauthors: [Ada Lovelace]\ntype: conference\n"})
    result = run_cli(root, "import", "empty.bib", "comments.bib", "pub.yml")
    assert result.returncode == 1
    assert result.stderr == ("empty.bib: no BibTeX entries found\n"
                             "comments.bib: no BibTeX entries found\n"
                             "pub.yml: no BibTeX entries found\n")
    assert result.stdout == "0 new, 0 already present, 3 with problems\n"
    assert folder(root) == {}


def test_a_missing_comma_between_fields_is_reported_where_it_is_missing(make_project):
    bib = textwrap.dedent("""\
        @inproceedings{nocomma2, title={Missing comma after author}, author = {Sun, Ximeng and Hu, Ping}
          booktitle = {ICCV}, year = {2014},}
        @inproceedings{nocomma3, title={Missing comma after booktitle}, author={Sun, Ximeng}, booktitle = {ICCV}
          year = {2014}, doi = {10.1109/ICCV.2014.1}}
        @inproceedings{nocomma, title = "Missing comma after title" author = {Sun, Ximeng},
          booktitle = {ICCV} year = 2014}
        @inproceedings{fine, title = {A = B}, author = {Sun, Ximeng}, booktitle = "ICCV = X", year = 2014}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:2:3: a ',' is missing before field 'booktitle': the entry was not imported "
        "(entry nocomma2)\n"
        "refs.bib:4:3: a ',' is missing before field 'year': the entry was not imported "
        "(entry nocomma3)\n"
        "refs.bib:5:61: a ',' is missing before field 'author': the entry was not imported "
        "(entry nocomma)\n"
        "refs.bib:6:22: a ',' is missing before field 'year': the entry was not imported "
        "(entry nocomma)\n")
    assert result.stdout == ("wrote content/publications/2014-sun-b.yml\n"
                             "1 new, 0 already present, 3 with problems\n")


def test_an_undefined_string_macro_is_named_where_it_is_used(make_project):
    bib = textwrap.dedent("""\
        @string{iccv = "International Conference on Computer Vision (ICCV)"}
        @inproceedings{m, title = {T}, author = {Lovelace, Ada}, booktitle = ICCVX, year = 2020,
          month = jan, note = Iccv # " and " # ECCVX # {, twice}}
        @inproceedings{n, title = {U}, author = {Lovelace, Ada}, booktitle = iccv, year = 2021}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 0
    assert result.stderr == (
        "refs.bib:2:70: warning: @string macro 'ICCVX' is not defined: its name was taken as the "
        "text (entry m)\n"
        "refs.bib:3:40: warning: @string macro 'ECCVX' is not defined: its name was taken as the "
        "text (entry m)\n")
    assert "venue: ICCVX\n" in folder(root)["2020-lovelace-t.yml"]
    assert "note: International Conference on Computer Vision (ICCV) and ECCVX, twice\n" \
        in folder(root)["2020-lovelace-t.yml"]
    assert "venue: ICCV\n" in folder(root)["2021-lovelace-u.yml"]


def test_a_bad_value_is_reported_at_its_field(make_project):
    bib = textwrap.dedent("""\
        @article{afterbroken,
          title = {T},
          author = {Lovelace, Ada},
          journal = {J},
          month = {Smarch},
          year = 2020,
                doi = {10.1/abc}
        }
        @inproceedings{child, title = {C}, author = {Lovelace, Ada}, crossref = {parent}}
        @proceedings{parent, title = {P}, year = {3000}}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 1
    assert result.stderr == (
        "refs.bib:5:3: warning: field 'month' left out: 'Smarch' is not a month like 9, sep, "
        "September or 15 September (entry afterbroken)\n"
        "refs.bib:7:9: 'doi' must be a DOI like 10.1109/CVPR.2024.01234, got '10.1/abc' "
        "(entry afterbroken)\n"
        "refs.bib:9:1: 'year' must be between 1000 and 2999, got 3000 (entry child)\n")


def test_a_month_is_read_from_its_name_or_number_and_a_day_with_it_makes_a_date():
    from scholarpage.bibfile import CrossReferences, read_bib
    from scholarpage.importer import ImportResult, entries_of

    months = {  # as written: what the entry gets, with `year = 2014`
        "{15 September}": {"date": "2014-09-15"}, "{september 15}": {"date": "2014-09-15"},
        "{15~Sep}": {"date": "2014-09-15"}, 'sep # "~15"': {"date": "2014-09-15"},
        "{Sept.}": {"year": 2014, "month": 9}, "{September}": {"year": 2014, "month": 9},
        "sep": {"year": 2014, "month": 9}, "{09}": {"year": 2014, "month": 9},
        "{Sep. 2014}": {"year": 2014, "month": 9}, "{31 September}": {"year": 2014, "month": 9},
        "{Mar--Apr}": {"year": 2014, "month": 3},
    }
    bib = "".join(f"@article{{e{index}, title = {{T{index}}}, author = {{Lovelace, Ada}}, "
                  f"year = 2014, month = {month}}}\n" for index, month in enumerate(months))
    bib += "@article{d, title = {T}, author = {Lovelace, Ada}, month = {15 September}}\n"
    blocks = read_bib(bib, "refs.bib")
    result = ImportResult()
    found = entries_of(blocks, CrossReferences([block for _, block in blocks]), result)
    assert messages(result) == []
    assert [{name: item.data[name] for name in ("year", "month", "date") if name in item.data}
            for item in found] == [*months.values(), {"month": 9}]  # a day needs a year


def test_a_month_that_cannot_be_read_is_left_out_with_a_warning_at_it(make_project):
    bib = textwrap.dedent("""\
        @article{a, title = {Looms}, author = {Lovelace, Ada}, year = 2014, month = {Smarch}}
        @article{b, title = {Cards}, author = {Lovelace, Ada}, year = 2014,
                 month = 13}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.returncode == 0
    assert result.stderr == (
        "refs.bib:1:69: warning: field 'month' left out: 'Smarch' is not a month like 9, sep, "
        "September or 15 September (entry a)\n"
        "refs.bib:3:10: warning: field 'month' left out: '13' is not a month like 9, sep, "
        "September or 15 September (entry b)\n")
    assert result.stdout.endswith("2 new, 0 already present, 0 with problems\n")
    files = folder(root)
    assert "\nyear: 2014\nbibtex_key: a\n" in files["2014-lovelace-looms.yml"]
    assert "\nyear: 2014\nbibtex_key: b\n" in files["2014-lovelace-cards.yml"]


def test_file_names_are_safe_unique_and_never_overwrite(make_project):
    mine = "title: Something Else\nauthors: [Ada Lovelace]\ntype: conference\nyear: 2020\n"
    bib = textwrap.dedent("""\
        @misc{../../escape, title = {../../../etc/passwd}, author = {../.., ..}, type = {preprint}}
        @inproceedings{one, title = {Learning to Learn Fast}, author = {Lovelace, Ada}, year = 2020}
        @inproceedings{two, title = {Learning to Learn Fast, Again}, author = {Lovelace, Ada}, year = 2020}
        """)
    root = make_project({"content/publications/2020-lovelace-learning-learn-fast.yml": mine,
                         "refs.bib": bib})
    outside = tree(root)
    result = import_files(root, [root / "refs.bib"])
    assert result.written == ["wrote content/publications/undated-anon-etc-passwd.yml",
                              "wrote content/publications/2020-lovelace-learning-learn-fast-2.yml",
                              "wrote content/publications/2020-lovelace-learning-learn-fast-3.yml"]
    after = tree(root)
    assert set(after) - set(outside) == {
        "content/publications/undated-anon-etc-passwd.yml",
        "content/publications/2020-lovelace-learning-learn-fast-2.yml",
        "content/publications/2020-lovelace-learning-learn-fast-3.yml"}
    assert after["content/publications/2020-lovelace-learning-learn-fast.yml"] == mine.encode()


def test_file_names_spell_latin_letters_in_ascii_and_keep_other_scripts(make_project):
    bib = CJK_BIB + textwrap.dedent("""\
        @article{no, title={T1 Søren Søren}, author={Kierkegaard, Søren}, journal={J}, year={2020}}
        @article{em, title={Architecture---Revisited}, author={O'Brien, Z. and Łukasiewicz, J.}, year={2020}}
        @article{gr2, title={Ἀλφα}, author={Οδος, Γ}, journal={J}, year={2020}}
        """)
    root = make_project({"refs.bib": bib})
    assert import_files(root, [root / "refs.bib"]).written == [
        "wrote content/publications/2020-王-深度学习的研究.yml",
        "wrote content/publications/2020-李-神经网络综述.yml",
        "wrote content/publications/2020-παπαδόπουλος-ωμέγα.yml",
        "wrote content/publications/2020-kierkegaard-t1-soren-soren.yml",
        "wrote content/publications/2020-o-brien-architecture-revisited.yml",
        "wrote content/publications/2020-οδος-ἀλφα.yml",
    ]


def test_import_needs_a_project(tmp_path):
    result = run_cli(tmp_path, "import", str(BIB / "arxiv.bib"))
    assert result.returncode == 1
    assert result.stderr == ("site.yml: not found: run this in the folder that holds site.yml "
                             "(or give --root FOLDER)\n")
    assert not (tmp_path / "content").exists()


# ---------------------------------------------------------------------------------------------
# `new`.

NEW_ARGS = ("new", "publication", "--title", "Notes on the Analytical Engine", "--type",
            "conference", "--venue", "CVPR", "--year", "2025")


def test_new_writes_a_valid_entry_and_prints_its_path(make_project):
    root = make_project({"content/index.md": "Hello.\n"})
    result = run_cli(root, *NEW_ARGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/publications/2025-lovelace-notes-analytical-engine.yml\n"
    assert folder(root) == {"2025-lovelace-notes-analytical-engine.yml": yaml_of("""\
        title: Notes on the Analytical Engine
        authors:
          - Ada Lovelace
        type: conference
        venue: CVPR
        year: 2025
        """)}
    assert "1 publication," in build_ok(root).stdout


def test_new_takes_month_ids_links_and_a_highlight(make_project):
    root = make_project({"content/index.md": "Hello.\n"})
    result = run_cli(root, *NEW_ARGS, "--month", "6", "--doi", "10.1000/engine", "--arxiv",
                     "2303.18232", "--link", "pdf=https://example.org/engine.pdf", "--link",
                     "code = https://github.com/ada/engine", "--selected")
    assert result.returncode == 0, result.stderr
    assert folder(root)["2025-lovelace-notes-analytical-engine.yml"].endswith(
        "year: 2025\nmonth: 6\nlinks:\n  doi: 10.1000/engine\n  arxiv: '2303.18232'\n"
        "  pdf: https://example.org/engine.pdf\n  code: https://github.com/ada/engine\nselected: true\n")
    build_ok(root)
    bad = run_cli(root, "new", "publication", "--title", "T", "--link", "pdf")
    assert bad.returncode == 2 and bad.stderr.endswith(
        "error: argument --link: 'pdf' is not LABEL=URL, as in pdf=https://example.org/paper.pdf\n")
    late = run_cli(root, "new", "publication", "--title", "T", "--month", "13")
    assert (late.returncode, late.stderr) == (1, "new publication: 'month' must be between 1 and 12, got 13\n")
    # The user's report: a link the build then refused was written. A file of the site is one.
    (root / "static" / "papers").mkdir(parents=True)
    (root / "static" / "papers" / "x.pdf").write_bytes(b"%PDF")
    schemeless = run_cli(root, "new", "publication", "--title", "U", "--link", "code=github.com/ada/x",
                         "--link", "pdf=papers/x.pdf", "--link", "slides=www.ada.org/s.pdf")
    assert (schemeless.returncode, schemeless.stderr) == (1, (
        "new publication: link 'github.com/ada/x' looks like a web address without its scheme: "
        "write 'https://github.com/ada/x'\n"
        "new publication: link 'www.ada.org/s.pdf' looks like a web address without its scheme: "
        "write 'https://www.ada.org/s.pdf'\n"))
    files = run_cli(root, "new", "publication", "--title", "U", "--link", "pdf=papers/x.pdf")
    assert files.returncode == 0, files.stderr
    # One in site.yml is the build's to tell, not a reason to refuse the new entry.
    write_files(root, {"site.yml": MINIMAL_SITE + "  links:\n    - label: GitHub\n      url: github.com/ada\n"})
    other = run_cli(root, "new", "publication", "--title", "V", "--link", "pdf=papers/x.pdf")
    assert other.returncode == 0, other.stderr


def test_new_asks_for_each_field(make_project):
    root = make_project()
    answers = "Sketch of the Engine\nAda Lovelace, Luigi Menabrea\njournal\nScientific Memoirs\n1843\n"
    result = run_cli(root, "new", "publication", "--interactive", input=answers)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Title: Authors, separated by commas [Ada Lovelace]: Type [conference]: "
        "Venue (short name, e.g. CVPR): Year: content/publications/1843-lovelace-sketch-engine.yml\n")
    assert folder(root)["1843-lovelace-sketch-engine.yml"] == yaml_of("""\
        title: Sketch of the Engine
        authors:
          - Ada Lovelace
          - Luigi Menabrea
        type: journal
        venue: Scientific Memoirs
        year: 1843
        """)


def test_new_refuses_a_publication_already_present(make_project):
    root = make_project()
    assert run_cli(root, *NEW_ARGS).returncode == 0
    before = tree(root)
    result = run_cli(root, *NEW_ARGS)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == ("content/publications/2025-lovelace-notes-analytical-engine.yml:2:1: "
                             "already holds 'Notes on the Analytical Engine': no new file was written\n")
    assert tree(root) == before


def test_new_takes_a_title_in_another_script_as_a_new_work(make_project):
    root = make_project({"content/publications/a.yml": "title: Ωμέγα\nauthors: [Ada Lovelace]\n"
                         "type: journal\nyear: 2020\n"})
    args = ("new", "publication", "--title", "Ἀλφα βήτα", "--venue", "J", "--year", "2020",
            "--type", "journal")
    result = run_cli(root, *args)
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(pub.title for pub in records(root)) == ["Ωμέγα", "Ἀλφα βήτα"]
    result = run_cli(root, *args[:3], "ἀλφα ΒΉΤΑ", *args[4:])
    assert result.returncode == 1 and result.stderr.endswith(
        "already holds 'Ἀλφα βήτα': no new file was written\n")


def test_new_reports_bad_values_and_writes_nothing(make_project):
    root = make_project()
    result = run_cli(root, "new", "publication", "--title", "T", "--year", "soon", "--type", "Talk")
    assert result.returncode == 1
    assert result.stderr == ("new publication: 'type' must be a lower-case word like 'conference', "
                             "got 'Talk'\nnew publication: 'year' must be a whole number, got 'soon'\n")
    assert not (root / "content" / "publications").exists()


def test_masters_is_decided_by_the_thesis_type_on_import_and_by_the_note_on_export(make_project):
    bib = """\
        @thesis{msc, title = {Looms}, author = {Lovelace, Ada}, institution = {Oxford},
          date = {2015}, type = {MSc thesis}}
        @phdthesis{phd, title = {Engines}, author = {Lovelace, Ada}, school = {London},
          year = {2019}, note = {Supervised by Master Babbage}}
        """
    root = make_project({"refs.bib": textwrap.dedent(bib)})
    result = import_files(root, [root / "refs.bib"])
    assert messages(result) == [] and result.summary() == "2 new, 0 already present, 0 with problems"
    files = folder(root)
    assert "note: Master's thesis\n" in files["2015-lovelace-looms.yml"]
    assert "note: Supervised by Master Babbage\n" in files["2019-lovelace-engines.yml"]
    build_ok(root)
    exported = (root / "_site" / "publications.bib").read_text(encoding="utf-8")
    assert "@mastersthesis{msc,\n" in exported and "@phdthesis{phd,\n" in exported


def test_an_entry_is_placed_where_it_is_on_a_line_it_shares(make_project):
    bib = textwrap.dedent("""\
        % mail me @ home  @article{a, title = {T}, author = {Lovelace, Ada}, year = {3000}}
        @article{b, title = {U}, author = {Lovelace, Ada}, year = 2020} @article{c, title = {V}, author = {Lovelace, Ada}, year = {3001}}
        @article{d, title = {W}, author = {Lovelace, Ada}}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.stderr == (
        "refs.bib:1:70: 'year' must be between 1000 and 2999, got 3000 (entry a)\n"
        "refs.bib:2:116: 'year' must be between 1000 and 2999, got 3001 (entry c)\n")
    assert result.stdout.endswith("2 new, 0 already present, 2 with problems\n")


def test_an_unquoted_url_is_imported_with_a_warning_not_taken_for_a_field_or_a_macro(make_project):
    bib = textwrap.dedent("""\
        @article{a, title = {T}, author = {Lovelace, Ada}, year = 2020,
          url = http://x.org/?a=b}
        @article{b, title = {U}, author = {Lovelace, Ada}, year = 2021, journal = JAIR
          doi = {10.1109/CVPR.2024.01234}, note = {A} = {B}}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.stderr == (
        "refs.bib:2:9: warning: 'http://x.org/?a=b' is not in braces or quotes, as BibTeX wants: "
        "it was taken as written (entry a)\n"
        "refs.bib:4:3: a ',' is missing before field 'doi': the entry was not imported (entry b)\n"
        "refs.bib:4:47: a '=' outside braces or quotes: the entry was not imported (entry b)\n")
    assert "links:\n  paper: http://x.org/?a=b\n" in folder(root)["2020-lovelace-t.yml"]
    assert result.stdout.endswith("1 new, 0 already present, 1 with problems\n")


def test_a_value_is_placed_at_the_field_it_came_from():
    from scholarpage.bibfile import CrossReferences, read_bib
    from scholarpage.importer import ImportResult, entries_of

    bib = textwrap.dedent("""\
        @article{a, title = {T}, author = {Lovelace, Ada},
          journaltitle = {Journal of Engines}, date = {2020-05},
          doi = {10.1109/CVPR.2024.01234}}
        @thesis{b, title = {U}, author = {Lovelace, Ada}, year = 2021,
          institution = {University of London}, note = {With distinction}}
        """)
    blocks = read_bib(bib, "refs.bib")
    found = entries_of(blocks, CrossReferences([block for _, block in blocks]), ImportResult())
    assert [str(item.place_of(keys).problem("here"))
            for item in found for keys in (("venue_full",), ("year",), ("month",), ("links", "doi"),
                                           ("note",), ("bibtex_key",))] == [
        "refs.bib:2:3: here (entry a)", "refs.bib:2:40: here (entry a)",
        "refs.bib:2:40: here (entry a)", "refs.bib:3:3: here (entry a)",
        "refs.bib:1:1: here (entry a)", "refs.bib:1:1: here (entry a)",
        "refs.bib:5:3: here (entry b)", "refs.bib:4:51: here (entry b)",
        "refs.bib:4:1: here (entry b)", "refs.bib:4:1: here (entry b)",
        "refs.bib:5:41: here (entry b)", "refs.bib:4:1: here (entry b)"]


def test_a_date_range_gives_its_start_and_an_unreadable_date_a_warning(make_project):
    bib = textwrap.dedent("""\
        @article{a, title = {Looms}, author = {Lovelace, Ada}, journal = {J}, date = {2019/2020}}
        @article{b, title = {Cards}, author = {Lovelace, Ada}, journal = {J}, date = {2019-03/2020-01}}
        @article{c, title = {Engines}, author = {Lovelace, Ada}, journal = {J}, date = {2019-03-05/2019-03-08}}
        @article{d, title = {Tables}, author = {Lovelace, Ada}, journal = {J}, date = {Spring 2019}}
        """)
    root = make_project({"refs.bib": bib})
    result = run_cli(root, "import", "refs.bib")
    assert result.stderr == ("refs.bib:4:72: warning: field 'date' left out: 'Spring 2019' is not "
                             "a date like 2024-03-15, 2024-03 or 2019/2020 (entry d)\n")
    assert result.stdout.endswith("4 new, 0 already present, 0 with problems\n")
    files = folder(root)
    assert "\nyear: 2019\nbibtex_key: a\n" in files["2019-lovelace-looms.yml"]
    assert "\nyear: 2019\nmonth: 3\n" in files["2019-lovelace-cards.yml"]
    assert "\ndate: '2019-03-05'\n" in files["2019-lovelace-engines.yml"]
    assert "year" not in files["undated-lovelace-tables.yml"]


SCHOLAR_VERSIONS = """\
@article{sun2023prompt,
  title={Prompt tuning for everything},
  author={Sun, Ximeng and Saenko, Kate},
  journal={arXiv preprint arXiv:2303.11111},
  year={2023}
}

@inproceedings{sun2023prompt2,
  title={Prompt tuning for everything},
  author={Sun, Ximeng and Saenko, Kate},
  booktitle={Proceedings of the IEEE/CVF International Conference on Computer Vision},
  pages={100--110},
  year={2023}
}

@inproceedings{smith2020learning,
  title={Learning to rank},
  author={Smith, Ann},
  booktitle={International Conference on Machine Learning},
  year={2020}
}

@article{smith2020learning2,
  title={Learning to rank},
  author={Smith, Ann},
  journal={Journal of Machine Learning Research},
  volume={21},
  pages={1--40},
  year={2020}
}
"""


def test_a_preprint_and_its_published_paper_are_both_imported_and_never_mixed(make_project):
    """The user's report: Google Scholar exports the arXiv version and the conference paper of
    one title (and a conference paper and its journal version): each is a work of its own, as
    the build's own check says (title, year and type); the published one is said to follow its
    preprint, and --update takes no venue, pages or volume from one into the other."""
    root = make_project({"refs.bib": SCHOLAR_VERSIONS})
    result = import_files(root, [root / "refs.bib"])
    assert (result.summary(), [m.replace(f"{root}/", "") for m in messages(result)]) == (
        "4 new, 0 already present, 0 with problems", [
        "refs.bib:8:1: warning: the published version of "
        "content/publications/2023-sun-prompt-tuning-everything.yml:2, a preprint: written beside "
        "it, to content/publications/2023-sun-prompt-tuning-everything-2.yml (remove the preprint "
        "if it should no longer be listed) (entry sun2023prompt2)"])
    files = folder(root)
    assert "type: preprint\nvenue: arXiv\nyear: 2023\n" in files["2023-sun-prompt-tuning-everything.yml"]
    conference = files["2023-sun-prompt-tuning-everything-2.yml"]
    assert "type: conference\nvenue_full: Proceedings of the IEEE/CVF International Conference on " \
           "Computer Vision\npages: 100–110\n" in conference
    assert "type: conference\nvenue_full: International Conference on Machine Learning\n" \
           in files["2020-smith-learning-rank.yml"]
    assert "type: journal\nvenue_full: Journal of Machine Learning Research\nvolume: 21\npages: 1–40\n" \
           in files["2020-smith-learning-rank-2.yml"]
    built = build(root)
    assert "listed twice" not in str([p.message for p in built.problems.items])  # two types
    # Again, with --update: all present; the preprint gives the paper its arXiv link, nothing else.
    again = import_files(root, [root / "refs.bib"], update=True)
    assert (again.summary(), messages(again)) == ("0 new, 4 already present (1 updated), 0 with problems", [])
    assert again.written == ["updated content/publications/2023-sun-prompt-tuning-everything-2.yml:2: "
                             "added links"]
    # Each entry left as it is is named, with the file it was found in (the user's report).
    assert [line.replace(f"{root}/", "") for line in again.left] == [
        "refs.bib:8: already present as content/publications/2023-sun-prompt-tuning-everything-2.yml:2 "
        "(entry sun2023prompt2)",
        "refs.bib:16: already present as content/publications/2020-smith-learning-rank.yml:2 "
        "(entry smith2020learning)",
        "refs.bib:23: already present as content/publications/2020-smith-learning-rank-2.yml:2 "
        "(entry smith2020learning2)"]
    after = folder(root)
    assert after["2023-sun-prompt-tuning-everything-2.yml"] == conference.replace(
        "bibtex_key:", "links:\n  arxiv: '2303.11111'\nbibtex_key:")
    assert {name: text for name, text in after.items() if not name.startswith("2023-sun-prompt-tuning-everything-2")} \
        == {name: text for name, text in files.items() if not name.startswith("2023-sun-prompt-tuning-everything-2")}


def test_a_paper_whose_preprint_imported_before_has_its_key_is_imported_beside_it(make_project):
    """The reviewer's report: Google Scholar gives a preprint and its published paper one key
    (first author, year, title's first word); the preprint imported in an earlier run took the
    paper as present by that key, and --update put the venue and pages into the preprint."""
    preprint, paper = SCHOLAR_VERSIONS.split("@inproceedings")[:2]
    root = make_project({"refs.bib": preprint})
    assert import_files(root, [root / "refs.bib"]).summary() == "1 new, 0 already present, 0 with problems"
    write_files(root, {"refs.bib": "@inproceedings" + paper.replace("sun2023prompt2", "sun2023prompt")})
    result = import_files(root, [root / "refs.bib"], update=True)
    assert (result.summary(), [m.replace(f"{root}/", "") for m in messages(result)]) == (
        "1 new, 0 already present (0 updated), 0 with problems", [
            "refs.bib:1:1: warning: key 'sun2023prompt' is already used by "
            "content/publications/2023-sun-prompt-tuning-everything.yml, another work (its preprint): "
            "imported without it (entry sun2023prompt)",
            "refs.bib:1:1: warning: the published version of "
            "content/publications/2023-sun-prompt-tuning-everything.yml:2, a preprint: written beside "
            "it, to content/publications/2023-sun-prompt-tuning-everything-2.yml (remove the preprint "
            "if it should no longer be listed) (entry sun2023prompt)"])
    assert "type: preprint\nvenue: arXiv\nyear: 2023\n" in folder(root)["2023-sun-prompt-tuning-everything.yml"]


def test_a_preprint_of_a_paper_present_is_not_imported_again(make_project):
    root = make_project({"content/publications/a.yml": "title: Prompt Tuning for Everything\n"
                         "authors: [Ximeng Sun]\ntype: conference\nvenue: ICCV\nyear: 2023\n",
                         "refs.bib": SCHOLAR_VERSIONS.split("@inproceedings")[0]})
    result = import_files(root, [root / "refs.bib"], update=True)
    assert (result.summary(), messages(result), result.written) == (
        "0 new, 1 already present (1 updated), 0 with problems", [],
        ["updated content/publications/a.yml:1: added links"])
    assert folder(root)["a.yml"].endswith("venue: ICCV\nyear: 2023\nlinks:\n  arxiv: '2303.11111'\n")
