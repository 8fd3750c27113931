"""What search engines and Google Scholar read: page slugs, absolute URLs, citation_* tags, JSON-LD.

Plain functions of the records, used by render.py; the templates only place their results.
"""
from __future__ import annotations

import functools
import re
from urllib.parse import quote, unquote, urljoin

from . import model
from .markup import title_text

# A work's ids as written bare (schema.LINK_EXPANSIONS checks a `doi:` or `arxiv:` link by them):
# a DOI, and an arXiv id, new (2303.18232) or old (hep-th/9901001, math.GT/0309136), its version
# (v2) its own group.
DOI = r"10\.\d{4,9}/\S+"
ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?"
# Where a DOI or an arXiv id is written: in an address of doi.org or arxiv.org (any scheme,
# 'dx.', 'www.', none), or after 'doi:' or 'arXiv:' as citations write them.
_DOI_HEAD = re.compile(r"(?i:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi:\s*)")
_ARXIV = re.compile(rf"(?i:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*)?"
                    rf"(?P<id>{ARXIV_ID})(?i:\.pdf)?/?")
_ARXIV_VERSION = re.compile(r"v\d+$")
_PATENT_NUMBER = re.compile(r"(\d[\d/,.-]*\d)")
SLUG_LENGTH = 60
# What a URI may hold as it is (RFC 3986's reserved and unreserved characters, and '%').
_URI_CHARACTERS = "%:/?#[]@!$&'()*+,;=~-._"


# Latin letters that have no Unicode decomposition to an ASCII letter, in lower case: their
# usual ASCII spelling.
_LATIN = str.maketrans({"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
                        "ħ": "h", "ı": "i", "ŋ": "ng", "ŧ": "t", "ĸ": "k"})


def fold(text: str) -> str:
    """`text` as it is compared and spelt in names: compatibility forms (ﬁ, full width)
    made plain, in lower case, Latin letters in ASCII ('Łódź' -> 'lodz', 'Søren' -> 'soren');
    letters of other scripts kept with their marks ('深度学习', 'ωμέγας', 'हिन्दी'), in NFC.
    (lower(), not casefold(): a Greek word keeps its final 'ς' in a slug.)"""
    if text.isascii():  # most titles and names: nothing to normalise or spell otherwise
        return text.lower()
    import unicodedata

    kept: list[str] = []
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).lower())
    for char in decomposed.translate(_LATIN):
        if unicodedata.category(char).startswith("M") and (not kept or kept[-1].isascii()):
            continue  # an accent on a Latin letter
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def words(text: str) -> list[str]:
    """The words of `text`, folded (see `fold`): runs of letters and digits with their marks;
    anything else (spaces, dashes, punctuation, symbols) separates them."""
    folded = fold(text)
    if folded.isascii():
        return _ASCII_WORD.findall(folded)
    import unicodedata

    return "".join(char if unicodedata.category(char)[0] in "LNM" else " " for char in folded).split()


_ASCII_WORD = re.compile(r"[a-z0-9]+")  # in folded ASCII, the letters and digits: L and N


# Apostrophes and what is typed for one: each reads as "'" in a name.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u2032\uff07", "'"))


def tidy_name(name: str) -> str:
    """A person's name as shown: in NFC (a name pasted from macOS may come decomposed), its
    spaces (runs of them, no-break ones, at either end) made single."""
    if name.isascii():
        return " ".join(name.split())
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", name).split())


# The period after an initial: `S.` of `S. Müller`, which Google Scholar writes `S Müller`.
_INITIAL_PERIOD = re.compile(r"(?<![^\W\d_])([^\W\d_])\.(?= )")


def name_key(name: str) -> str:
    """A person's name as it is compared, wherever names are (the owner's spellings, the
    co-authors'): tidied (see tidy_name), any apostrophe read as "'", an initial the same with
    or without its period (`S. Müller`, `S Müller`), and without a mark of equal contribution
    or of the corresponding author after it (al-folio's `Müller*`, `Müller†`)."""
    key = tidy_name(name).translate(_APOSTROPHES).rstrip(AUTHOR_MARKS).rstrip()
    return _INITIAL_PERIOD.sub(r"\1", key) if "." in key else key


AUTHOR_MARKS = "*†‡§¶#"


def slugify(text: str) -> str:
    """An anchor or file name part made from any text: its words joined by '-'.

    Latin letters are spelt in ASCII; letters of other scripts are kept as they are (browsers,
    GitHub Pages and file systems take UTF-8 names), so that a Chinese or Greek title has a
    name of its own rather than none: '2020-深度学习的研究', '2020-ωμέγα'.
    """
    return "-".join(words(text))


def default_slug(pub: model.Publication) -> str:
    """Year and title as a short slug, cut at a word boundary: '2023-dime-fm-distilling'; a
    title of long words (or of a script written without spaces) is cut where the length ends."""
    slug = slugify(f"{pub.shown_year or ''} {pub.title}") or "publication"
    if len(slug) > SLUG_LENGTH:
        cut = slug[:SLUG_LENGTH]
        head = cut.rsplit("-", 1)[0]
        slug = head if len(head) > SLUG_LENGTH // 2 else cut.rstrip("-")
    return slug


def assign_slugs(publications) -> dict[int, str]:
    """A unique slug per publication (by id()); given slugs first, made ones suffixed -2, -3."""
    return assign_unique(publications, lambda pub: pub.slug,
                         lambda pub: pub.made_slug or default_slug(pub),  # made when read, if read
                         lambda base, number: f"{base}-{number + 1}")


def assign_unique(publications, given, made, suffixed) -> dict[int, str]:
    """A name per publication (by id()), none the same: its own, `given(pub)`, if it has one;
    else `made(pub)`, or if that is taken `suffixed(made name, 1)`, `suffixed(..., 2)`, ..."""
    taken = {name for pub in publications if (name := given(pub))}
    # By made name, the number it was last given: the names of lower numbers stay taken, so the
    # next one alike starts there, not at 0 (which made a thousand alike take half a million tries).
    last: dict[str, int] = {}
    names = {}
    for pub in publications:
        name = given(pub)
        if not name:
            base = made(pub)
            number = last.get(base, 0)
            name = suffixed(base, number) if number else base
            while name in taken:
                number += 1
                name = suffixed(base, number)
            last[base] = number
            taken.add(name)
        names[id(pub)] = name
    return names


def site_root_url(site: model.Site) -> str:
    """The site's URL ending in '/', or '' when site.yml sets none."""
    return site.url if not site.url or site.url.endswith("/") else site.url + "/"


def host_and_port(url: str) -> tuple[str, str]:
    """(host in lower case, without the root's dot, port or '') of an http(s) URL:
    ('example.org', '8443') for 'https://Example.org.:8443/'."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:  # a bracket that encloses no IPv6 address: no host to speak of
        return "", ""
    port = _PORT.search(parts.netloc)
    return (parts.hostname or "").rstrip("."), port[1] if port else ""  # example.org. is example.org


_PORT = re.compile(r":(\d+)$")  # after the host, which may be an IPv6 address in brackets


def is_domain_name(host: str) -> bool:
    """Whether a host is a name in the DNS a custom domain may be: not localhost (or another
    name without a dot), not an IP address."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host.strip(".")
    return False


def custom_domain(site: model.Site) -> str:
    """The custom domain GitHub Pages serves the site at (its CNAME file), or '': none for
    no url, a github.io site (in any case), a sub-path site (it shares the domain of the
    user's site), or an address with a port, or on no domain name (see is_domain_name)."""
    host, port = host_and_port(site.url) if site.url else ("", "")
    if port or site.base_path != "/" or host.endswith(".github.io") or not is_domain_name(host):
        return ""
    return host


def absolute(site: model.Site, path: str) -> str:
    """An absolute URL for a URL relative to the site root ('' without a site URL), as a URI:
    made valid (see valid_url), and what is not ASCII (a slug's letters, see slugify)
    percent-encoded too, as sitemaps want."""
    root = site_root_url(site)
    return urljoin(root, quote(valid_url(path), safe=_URI_CHARACTERS)) if root else ""


# What a URL may not hold as it is (WHATWG URL's code points): '%' but where it starts a
# percent-encoded byte, '#' (valid once: valid_url keeps the first), '[' and ']' (but in a
# host), spaces, controls, '"<>\\^`{|}', surrogates and noncharacters. In ASCII text, the
# characters of _ASCII_IN_URL are all it may hold.
_ASCII_IN_URL = r"A-Za-z0-9!$&'()*+,\-./:;=?@_~%"
_ASCII_NOT_IN_URL = re.compile(rf"%(?![0-9A-Fa-f]{{2}})|[^{_ASCII_IN_URL}]")


@functools.cache
def _not_in_url() -> re.Pattern:
    """The same for any text: compiled when first needed (a class of all Unicode takes 5 ms)."""
    noncharacters = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | last) for plane in range(17)
                                              for last in (0xfffe, 0xffff))
    return re.compile(rf"%(?![0-9A-Fa-f]{{2}})|[^{_ASCII_IN_URL}\xa0-\ud7ff\ue000-\U0010fffd]"
                      rf"|[{noncharacters}]")


def _not_in_url_of(text: str) -> re.Pattern:
    return _ASCII_NOT_IN_URL if text.isascii() else _not_in_url()


_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")  # kept: an IPv6 host has brackets


def valid_url(url: str) -> str:
    """A link as a user wrote it, made a valid URL: each character a URL may not hold (a
    space, a second '#', a '%' not followed by two hex digits...) percent-encoded as UTF-8,
    nothing else; so '%20', '?query' and '#fragment' stay as written, and a valid URL the same."""
    if not _not_in_url_of(url).search(url):
        return url
    head, hash, fragment = url.partition("#")
    authority = _AUTHORITY.match(head)
    kept = authority.end() if authority else 0
    return head[:kept] + _percent_encoded(head[kept:]) + hash + _percent_encoded(fragment)


def _percent_encoded(text: str) -> str:
    return _not_in_url_of(text).sub(
        lambda match: quote(match[0].encode("utf-8", "surrogatepass"), safe=""), text)


def file_url(path: str) -> str:
    """A file's path (owner.photo) as a relative URL: '%', '?' and '#' in its name are part of
    the name (see name_in_url), then the rest as valid_url makes it."""
    return valid_url(name_in_url(path))


def name_in_url(path: str) -> str:
    """A file's path as a link must write it: its '%', '?' and '#' encoded, which would
    otherwise start an encoded byte, a query or a fragment."""
    return path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def _link(pub: model.Publication, *labels: str) -> str:
    return next((link.url for link in pub.links if link.label.lower() in labels), "")


def doi_of(url: str) -> str:
    """The DOI a link or a .bib field gives ('10.1109/ABC.2020.1'), or '': bare, after 'doi:', or
    in a doi.org address (http or https, 'dx.' or not; decoded, its query and fragment left
    out). Its case is kept, as a citation shows it; ids are compared in lower case (see
    works.work_keys), as DOIs are."""
    head = _DOI_HEAD.match(url)
    found = url[head.end():] if head else url
    if head and "/" in head[0]:  # an address: '%2F', '%23' are the DOI's '/', '#'
        found = unquote(re.split(r"[?#]", found, maxsplit=1)[0])
    return found if re.fullmatch(DOI, found) else ""


def arxiv_id_of(url: str, *, version: bool = False) -> str:
    """The arXiv id a link or a .bib field gives ('2303.18232', 'hep-th/9901001'), or '': bare,
    after 'arXiv:', or in an arxiv.org address of its abstract or PDF ('/pdf/2303.18232v2.pdf').
    Without its version, as a work is known by (citation_arxiv_id, works.work_keys); with it,
    if given, where the link to that version is meant (an export's eprint)."""
    match = _ARXIV.fullmatch(re.split(r"[?#]", url, maxsplit=1)[0])
    if not match:
        return ""
    return match["id"] if version else _ARXIV_VERSION.sub("", match["id"])


def _first_id(pub: model.Publication, id_of) -> str:
    """The first id a link of `pub` gives, whatever its label (`paper: https://doi.org/...`
    too); a link into the site ('10.1000/x.pdf' may be a file's name) gives none."""
    for link in pub.links:
        found = id_of(link.url) if "://" in link.url else ""
        if found:
            return found
    return ""


def arxiv_id(pub: model.Publication) -> str:
    return _first_id(pub, arxiv_id_of)


def doi(pub: model.Publication) -> str:
    return _first_id(pub, doi_of)


def pdf_url(pub: model.Publication, site: model.Site) -> str:
    url = _link(pub, "pdf")
    if not url and arxiv_id(pub) and "/pdf/" in _link(pub, "paper", "arxiv"):
        url = _link(pub, "paper", "arxiv")
    return valid_url(url) if "://" in url else (absolute(site, url) if url else "")


def patent_number(pub: model.Publication) -> str:
    match = _PATENT_NUMBER.search(pub.note) if pub.type == "patent" else None
    return match.group(1) if match else ""


def publication_date(pub: model.Publication, separator: str = "/") -> str:
    year, month, day = pub.sort_date
    parts = [f"{year:04d}"] + [f"{n:02d}" for n in (month, day) if n]
    return separator.join(parts) if year else ""


def atom_date(sort_date: tuple[int, int, int]) -> str:
    """An RFC 3339 time for a (year, month, day) date; missing parts count as 1."""
    year, month, day = sort_date
    return f"{year:04d}-{month or 1:02d}-{day or 1:02d}T00:00:00Z"


def page_span(pub: model.Publication) -> tuple[str, str]:
    """(first page, last page) of its `pages`, the last '' for one page: ('400', '410') of
    400--410, ('e1234', '') of e1234; of several ranges, the first's start and the last's end."""
    pages = re.split(r"\s*[–,]\s*", pub.shown_pages)
    return pages[0], pages[-1] if len(pages) > 1 else ""


def publisher(pub: model.Publication) -> str:
    """Its publisher: a book's venue is (see bibtex.VENUE_FIELDS), unless `publisher` gives one."""
    return pub.publisher or ((pub.venue_full or pub.venue) if pub.type == "book" else "")


def citation_detail(pub: model.Publication) -> str:
    """Volume, issue and pages as a citation writes them after the venue: '19(4): 400–410',
    '19', '(4)', '400–410'; '' without any."""
    issue = pub.volume + (f"({pub.number})" if pub.number else "")
    return ": ".join(part for part in (issue, pub.shown_pages) if part)


def citation_tags(pub: model.Publication, site: model.Site) -> list[tuple[str, str]]:
    """Google Scholar's citation_* meta tags, in the order its guidelines list them."""
    tags = [("citation_title", title_text(pub.title))]
    tags += [("citation_author", author) for author in pub.named_authors]
    year, _, day = pub.sort_date
    if year:  # Scholar reads a full date or a year alone
        tags.append(("citation_publication_date", publication_date(pub) if day else f"{year:04d}"))
    venue = pub.venue_full or pub.venue
    if venue and pub.type in ("conference", "workshop"):
        tags.append(("citation_conference_title", venue))
    elif venue and pub.type == "journal":
        tags.append(("citation_journal_title", venue))
    first, last = page_span(pub)
    for name, value in (("citation_volume", pub.volume), ("citation_issue", pub.number),
                        ("citation_firstpage", first), ("citation_lastpage", last),
                        ("citation_publisher", publisher(pub)),
                        ("citation_pdf_url", pdf_url(pub, site)), ("citation_doi", doi(pub)),
                        ("citation_arxiv_id", arxiv_id(pub)),
                        ("citation_patent_number", patent_number(pub))):
        if value:
            tags.append((name, value))
    return tags


def json_ld(data: dict) -> str:
    """JSON for a <script type="application/ld+json"> block; '<' escaped so it cannot close it."""
    import json

    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def person(site: model.Site) -> dict:
    owner = site.owner
    data = {"@context": "https://schema.org", "@type": "Person", "name": owner.name}
    if site.url:
        data["url"] = site_root_url(site)
    if owner.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": owner.affiliation}
    if owner.photo and site.url:
        data["image"] = absolute(site, file_url(owner.photo))
    same_as = [valid_url(link.url) for link in owner.links if link.url.startswith(("http://", "https://"))]
    if same_as:
        data["sameAs"] = same_as
    return data


def part_of(pub: model.Publication) -> dict:
    """Where it appeared, for JSON-LD: a journal's issue in its volume in the journal, as
    schema.org nests them (PublicationIssue, PublicationVolume, Periodical), those given."""
    journal = pub.type == "journal"
    part = {"@type": "Periodical" if journal else "CreativeWork", "name": pub.venue_full or pub.venue}
    if journal and pub.volume:
        part = {"@type": "PublicationVolume", "volumeNumber": pub.volume, "isPartOf": part}
    if journal and pub.number:
        part = {"@type": "PublicationIssue", "issueNumber": pub.number, "isPartOf": part}
    return part


def scholarly_article(pub: model.Publication, site: model.Site, page_url: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": title_text(pub.title),
        "name": title_text(pub.title),
        "author": [{"@type": "Organization" if name in pub.organizations else "Person", "name": name}
                   for name in pub.named_authors],
    }
    if page_url:
        data["url"] = page_url
    date = publication_date(pub, "-")
    if date:
        data["datePublished"] = date
    if pub.venue_full or pub.venue:
        data["isPartOf"] = part_of(pub)
    if pub.pages:
        data["pagination"] = pub.shown_pages
        first, last = page_span(pub)
        data["pageStart"] = first
        if last:
            data["pageEnd"] = last
    if publisher(pub):
        data["publisher"] = {"@type": "Organization", "name": publisher(pub)}
    if pub.abstract:
        from markupsafe import Markup

        data["abstract"] = Markup(pub.abstract_html).striptags()
    if doi(pub):
        data["sameAs"] = valid_url(f"https://doi.org/{doi(pub)}")
    return data
