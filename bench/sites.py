"""Benchmark sites: the same publications as a scholarpage project and as a Hugo site.

Size 17 is the example shipped in the repository; other sizes are generated from a fixed seed,
so every run of the benchmark builds exactly the same sites.
"""
from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SIZE = 17

WORDS = (
    "efficient learning vision language models multi-task adaptive network quantization "
    "distillation foundation video frame inpainting domain generalization label budget "
    "allocation contrastive pretraining robust transfer zero-shot segmentation detection "
    "representation sparse attention transformer policy reinforcement graph temporal "
    "compositional feature aggregation prompt tuning benchmark dataset scalable inference "
    "latency memory hardware accelerator calibration uncertainty retrieval captioning"
).split()
FIRST = "Ada Alan Grace Kate Xide Pengchuan Rogerio Rameswar Kihyuk Clayton Xiao Hardik".split()
LAST = "Lovelace Turing Hopper Saenko Xia Zhang Feris Panda Sohn Mellina Bian Shah Sun".split()
VENUES = ("CVPR", "ICCV", "ECCV", "NeurIPS", "ICML", "ICLR", "AAAI", "TPAMI", "IJCV", "arXiv")
TYPES = ("conference",) * 5 + ("journal",) * 2 + ("patent", "preprint", "preprint")


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _abstract(rng: random.Random, number: int) -> str:
    """About 150 words in two paragraphs, with the Markdown people write in abstracts."""
    sentences = [_sentence(rng, 8, 16) for _ in range(12)]
    sentences[2] = f"We propose *{rng.choice(WORDS)} {rng.choice(WORDS)}*, a new method."
    sentences[4] = f"Code is at [github](https://github.com/example/project-{number})."
    sentences[7] = sentences[7][:-1] + " with `O(n log n)` cost."
    return " ".join(sentences[:6]) + "\n\n" + " ".join(sentences[6:]) + "\n"


def publication(rng: random.Random, number: int) -> dict:
    """One realistic publication record as a YAML mapping."""
    authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(3, 8))]
    record = {
        "title": _sentence(rng, 5, 12)[:-1].title() + f" {number}",
        "authors": list(dict.fromkeys(authors)),
        "type": rng.choice(TYPES),
        "venue": rng.choice(VENUES),
        "year": rng.randint(2005, 2024),
        "month": rng.randint(1, 12),
        "links": {"pdf": f"https://arxiv.org/pdf/{2000 + number}.{number:05d}.pdf",
                  "code": f"https://github.com/example/project-{number}"},
        "abstract": _abstract(rng, number),
    }
    if record["type"] == "patent":
        record["note"] = f"US Patent {10_000_000 + number}"
    return record


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as `|` blocks, the way people write abstracts."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _copy_example(dest: Path) -> list[dict]:
    for name in ("content", "static", "themes"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy2(REPO / "site.yml", dest / "site.yml")
    records = []
    for path in sorted((dest / "content" / "publications").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records.extend(data if isinstance(data, list) else [data])
    return records


def make_ours(dest: Path, size: int, pages: bool = False) -> list[dict]:
    """A scholarpage project at `dest`: the example, or the example's settings with `size`
    generated publications. Returns the publication records.

    Without `pages`, it writes no page per publication, as Hugo's site renders none.
    """
    records = _copy_example(dest)
    if not pages:
        with open(dest / "site.yml", "a", encoding="utf-8") as file:
            file.write("publication_pages: false\n")
    if size == EXAMPLE_SIZE:
        return records
    folder = dest / "content" / "publications"
    shutil.rmtree(folder)
    folder.mkdir()
    rng = random.Random(size)
    records = [publication(rng, number) for number in range(size)]
    for number, record in enumerate(records):
        (folder / f"pub-{number:05d}.yml").write_text(_dump(record), encoding="utf-8")
    return records


HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "Benchmark"
disableKinds = ["taxonomy", "term", "section", "rss", "sitemap", "robotstxt", "404"]

[[cascade]]
  [cascade.build]
    render = "never"
    list = "always"
  [cascade.target]
    kind = "page"
"""

HUGO_HOME = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ site.Title }}</title></head>
<body>
<h1>Publications</h1>
{{ range (where site.RegularPages "Section" "publications").GroupByParam "pubtype" }}
<section id="{{ .Key }}">
  <h2>{{ .Key }}</h2>
  <ul>
  {{ range .Pages.ByDate.Reverse }}
    <li>
      <span class="authors">{{ delimit .Params.authors ", " }}</span>.
      <span class="title">{{ .Title }}</span>.
      {{ with .Params.venue }}<em>{{ . }}</em>{{ end }}{{ with .Params.note }}, {{ . }}{{ end }}
      {{ if not .Date.IsZero }}{{ .Date.Year }}{{ end }}
      {{ range $label, $url := .Params.links }}<a href="{{ $url }}">{{ $label }}</a> {{ end }}
      {{ with .Content }}<details><summary>Abstract</summary>{{ . }}</details>{{ end }}
    </li>
  {{ end }}
  </ul>
</section>
{{ end }}
</body>
</html>
"""


def _hugo_page(record: dict) -> str:
    front = {"title": record["title"], "authors": record["authors"],
             "pubtype": record["type"], "venue": record.get("venue", ""),
             "note": record.get("note", ""), "links": record.get("links", {})}
    if record.get("year"):
        front["date"] = f"{record['year']:04d}-{record.get('month') or 1:02d}-01"
    return f"---\n{_dump(front)}---\n\n{record.get('abstract', '').strip()}\n"


def make_hugo(dest: Path, records: list[dict]) -> None:
    """A Hugo site with the same publications, one content file each; only the home page is
    rendered: every publication grouped by type, abstracts through Markdown."""
    (dest / "layouts").mkdir(parents=True)
    (dest / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (dest / "layouts" / "home.html").write_text(HUGO_HOME, encoding="utf-8")
    folder = dest / "content" / "publications"
    folder.mkdir(parents=True)
    for number, record in enumerate(records):
        (folder / f"pub-{number:05d}.md").write_text(_hugo_page(record), encoding="utf-8")


def make_sites(dest: Path, size: int, pages: bool = False) -> tuple[Path, Path, list[dict]]:
    """(our project, Hugo site, their records) with the same `size` publications, under `dest`;
    ours with a page per publication if `pages`."""
    ours, hugo = dest / "ours", dest / "hugo"
    ours.mkdir(parents=True)
    records = make_ours(ours, size, pages)
    make_hugo(hugo, records)
    return ours, hugo, records


def _revised(records: list[dict], revision: int) -> dict:
    return dict(records[0], title=f"{records[0]['title']} (revision {revision})")


def edit_ours(ours: Path, records: list[dict], revision: int) -> None:
    """Change the first publication's title, as an author editing one file (saved in place)."""
    first = sorted((ours / "content" / "publications").glob("*.yml"))[0]
    first.write_text(_dump(_revised(records, revision)), encoding="utf-8")


def edit_hugo(hugo: Path, records: list[dict], revision: int) -> None:
    """The same change in the Hugo site."""
    (hugo / "content" / "publications" / "pub-00000.md").write_text(
        _hugo_page(_revised(records, revision)), encoding="utf-8")


def edit_first(ours: Path, hugo: Path, records: list[dict], revision: int) -> None:
    """Change the first publication's title in both sites."""
    edit_ours(ours, records, revision)
    edit_hugo(hugo, records, revision)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--with-pages"]):
        sys.exit("usage: python bench/sites.py SIZE DEST [--with-pages]  "
                 "(writes DEST/ours and DEST/hugo)")
    print(*make_sites(Path(sys.argv[2]), int(sys.argv[1]), len(sys.argv) == 4)[:2])
