"""`cm-inbox templates`: list or search the reply templates, as the composer's picker finds them."""

from __future__ import annotations

import argparse
import json
import sys

from rich.table import Table
from rich.text import Text

from cm_inbox.cli.common import CliError, db_path, err_console, open_store, out_console
from cm_inbox.config import load_config
from cm_inbox.drafting import composer_brand, composer_templates, is_demo_database
from cm_inbox.model import Comment
from cm_inbox.template_search import TemplateMatch, search_templates


def _comment(args: argparse.Namespace) -> Comment | None:
    if args.comment is None:
        return None
    database = db_path(args)
    with open_store(database) as store:
        comment = store.comment(args.comment)
    if comment is None:
        raise CliError(f"no comment with id {args.comment} in {database}")
    return comment


def _json(match: TemplateMatch) -> dict[str, object]:
    template = match.template
    return {
        "id": template.id,
        "title": match.title,
        "language": match.language,
        "languages": list(template.languages),
        "group": template.group or None,
        "tags": list(template.tags),
        "variants": list(template.texts[match.language].variants),
        "suggested": match.suited,
        "source": template.source,
    }


def run_templates(args: argparse.Namespace) -> int:
    config = load_config()
    errors = err_console()
    comment = _comment(args)
    demo = is_demo_database(db_path(args))
    library = composer_templates(config, demo=demo)
    for problem in library.problems:
        errors.print(Text(f"templates: {problem}", style="yellow"))
    brand = composer_brand(config, demo=demo)
    matches = search_templates(
        library,
        " ".join(args.search),
        comment=comment,
        language=args.language,
        default_language=brand.default_language,
        limit=None,
    )
    if args.json:
        sys.stdout.write(
            json.dumps([_json(match) for match in matches], ensure_ascii=False, indent=1) + "\n"
        )
        return 0
    if not matches:
        errors.print(Text("no template matches; `cm-inbox templates` lists them all"))
        return 1
    console = out_console()
    id_width = max(len(match.template.id) for match in matches) + 2
    # Four gaps of two spaces between five columns; nothing ever wraps.
    rest = console.width - id_width - 4 - 8 - 8
    title_width = min(max(len(match.title) for match in matches), max(16, rest // 2))
    preview_width = rest - title_width
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("id", no_wrap=True, width=id_width)
    table.add_column("lang", no_wrap=True, width=4)
    table.add_column("title", width=title_width, overflow="ellipsis", no_wrap=True)
    table.add_column("variants", justify="right", no_wrap=True, width=8)
    if preview_width >= 12:
        table.add_column("first variant", no_wrap=True, width=preview_width)
    for match in matches:
        marker = "★ " if match.suited and comment is not None else ""
        cells = [
            Text(marker + match.template.id),
            Text(match.language + ("" if len(match.template.languages) == 1 else "+")),
            Text(match.title),
            Text(str(len(match.template.texts[match.language].variants))),
        ]
        if preview_width >= 12:
            preview = Text(match.preview)
            preview.truncate(preview_width, overflow="ellipsis")
            cells.append(preview)
        table.add_row(*cells)
    console.print(table)
    return 0
