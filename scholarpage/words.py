"""The theme's own words in the languages researchers often write their pages in.

site.yml's `language` chooses them by its primary subtag (`de-CH` gives German), English for a
language not here; its `words` replace any one of them (see model.Words, which names them).
"""
from __future__ import annotations

import dataclasses

from . import model

BUILT_IN = {
    "en": model.Words(
        skip_to_content="Skip to content", profiles="Profiles", publications="Publications",
        abstract="Abstract", contact="Contact", email="Email:", copy="Copy",
        copy_what="BibTeX of “{title}”", copied="Copied", copy_failed="Select and copy",
        all_publications="All publications", all_as_bibtex="All publications as BibTeX",
        page_not_found="Page not found",
        no_page_here="There is no page at this address. Go to {home}.",
        home_of="{name}’s homepage", feed_title="{name}: publications"),
    "de": model.Words(
        skip_to_content="Zum Inhalt springen", profiles="Profile", publications="Publikationen",
        abstract="Zusammenfassung", contact="Kontakt", email="E-Mail:", copy="Kopieren",
        copy_what="BibTeX von „{title}“", copied="Kopiert", copy_failed="Markieren und kopieren",
        all_publications="Alle Publikationen", all_as_bibtex="Alle Publikationen als BibTeX",
        page_not_found="Seite nicht gefunden",
        no_page_here="Unter dieser Adresse gibt es keine Seite. Weiter zur {home}.",
        home_of="Homepage von {name}", feed_title="{name}: Publikationen"),
    "fr": model.Words(
        skip_to_content="Aller au contenu", profiles="Profils", publications="Publications",
        abstract="Résumé", contact="Contact", email="Courriel\u00a0:", copy="Copier",
        copy_what="BibTeX de «\u00a0{title}\u00a0»", copied="Copié",
        copy_failed="Sélectionnez et copiez", all_publications="Toutes les publications",
        all_as_bibtex="Toutes les publications en BibTeX", page_not_found="Page introuvable",
        no_page_here="Il n’y a pas de page à cette adresse. Aller à la {home}.",
        home_of="page d’accueil de {name}", feed_title="{name}\u00a0: publications"),
    "es": model.Words(
        skip_to_content="Ir al contenido", profiles="Perfiles", publications="Publicaciones",
        abstract="Resumen", contact="Contacto", email="Correo electrónico:", copy="Copiar",
        copy_what="BibTeX de «{title}»", copied="Copiado", copy_failed="Seleccione y copie",
        all_publications="Todas las publicaciones",
        all_as_bibtex="Todas las publicaciones en BibTeX", page_not_found="Página no encontrada",
        no_page_here="No hay ninguna página en esta dirección. Ir a la {home}.",
        home_of="página de inicio de {name}", feed_title="{name}: publicaciones"),
    "it": model.Words(
        skip_to_content="Vai al contenuto", profiles="Profili", publications="Pubblicazioni",
        abstract="Riassunto", contact="Contatti", email="E-mail:", copy="Copia",
        copy_what="BibTeX di «{title}»", copied="Copiato", copy_failed="Seleziona e copia",
        all_publications="Tutte le pubblicazioni",
        all_as_bibtex="Tutte le pubblicazioni in BibTeX", page_not_found="Pagina non trovata",
        no_page_here="Non c’è nessuna pagina a questo indirizzo. Vai alla {home}.",
        home_of="pagina principale di {name}", feed_title="{name}: pubblicazioni"),
    "pt": model.Words(
        skip_to_content="Ir para o conteúdo", profiles="Perfis", publications="Publicações",
        abstract="Resumo", contact="Contato", email="E-mail:", copy="Copiar",
        copy_what="BibTeX de “{title}”", copied="Copiado", copy_failed="Selecione e copie",
        all_publications="Todas as publicações", all_as_bibtex="Todas as publicações em BibTeX",
        page_not_found="Página não encontrada",
        no_page_here="Não há nenhuma página neste endereço. Ir para a {home}.",
        home_of="página inicial de {name}", feed_title="{name}: publicações"),
    "zh": model.Words(
        skip_to_content="跳到主要内容", profiles="个人主页链接", publications="发表论文",
        abstract="摘要", contact="联系方式", email="电子邮件：", copy="复制",
        copy_what="“{title}”的 BibTeX", copied="已复制", copy_failed="请选中后复制",
        all_publications="全部论文", all_as_bibtex="全部论文的 BibTeX",
        page_not_found="页面未找到", no_page_here="此地址没有页面。前往{home}。",
        home_of="{name}的主页", feed_title="{name}：发表论文"),
    "ja": model.Words(
        skip_to_content="本文へスキップ", profiles="プロフィール", publications="業績",
        abstract="概要", contact="連絡先", email="メール：", copy="コピー",
        copy_what="「{title}」の BibTeX", copied="コピーしました",
        copy_failed="選択してコピーしてください", all_publications="業績一覧",
        all_as_bibtex="全業績の BibTeX", page_not_found="ページが見つかりません",
        no_page_here="このアドレスにはページがありません。{home}へ移動してください。",
        home_of="{name}のホームページ", feed_title="{name}：業績"),
}


def theme_words(site: model.Site) -> model.Words:
    """The words the theme shows on `site`: those of its language, with site.yml's own."""
    built_in = BUILT_IN.get(site.language.split("-")[0].lower(), BUILT_IN["en"])
    given = {f.name: getattr(site.words, f.name) for f in dataclasses.fields(model.Words)}
    return dataclasses.replace(built_in, **{name: text for name, text in given.items() if text})
