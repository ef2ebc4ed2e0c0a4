"""Reading template files: the bundled set, then the user's ``templates/*.toml``.

A mistake in a file becomes a message naming the file and the line, and the
rest still loads; a user template with a bundled one's id replaces it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cm_inbox.templates import (
    BRAND_NAMESPACES,
    FIXED_VARIABLES,
    TOKEN,
    Template,
    TemplateLibrary,
    TemplateText,
    known_variable_names,
    variable_hint,
)
from cm_inbox.tomlfile import FileProblems, did_you_mean, read_toml_file, type_name

BUNDLED_DIR = Path(__file__).parent / "default_templates"

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TEMPLATE_KEYS = ("title", "tags", "group", "step")
_TEXT_KEYS = ("title", "variants")


def user_templates_dir(config_path: Path) -> Path:
    """The user's templates: the ``templates`` folder beside config.toml."""
    return config_path.parent / "templates"


def load_library(user_dir: Path | None = None, *, bundled: bool = True) -> TemplateLibrary:
    """The bundled templates (unless ``bundled`` is False) and the user's ``*.toml``.

    Never raises for a mistake in a file: each one becomes a message in
    ``problems`` naming the file and the line, and the rest still loads. A
    user template with the id of a bundled one replaces it.
    """
    library = TemplateLibrary()
    by_id: dict[str, int] = {}
    folders = ([(BUNDLED_DIR, True)] if bundled else []) + (
        [(user_dir, False)] if user_dir is not None else []
    )
    for folder, is_bundled in folders:
        seen_here: dict[str, str] = {}
        try:
            files = sorted(folder.glob("*.toml"))
        except OSError as error:
            library.problems.append(
                f"{folder}: can't list the templates ({error.strerror or error})"
            )
            continue
        for path in files:
            for template in _read_file(path, library.problems):
                if template.id in seen_here:
                    library.problems.append(
                        f'{template.source}: template "{template.id}" is already in '
                        f"{seen_here[template.id]}; this one is ignored"
                    )
                    continue
                seen_here[template.id] = template.source
                if template.id in by_id and not is_bundled:
                    library.templates[by_id[template.id]] = template
                else:
                    by_id[template.id] = len(library.templates)
                    library.templates.append(template)
    return library


def _read_file(path: Path, problems: list[str]) -> list[Template]:
    parsed = read_toml_file(path)
    if parsed.data is None or parsed.problems is None:
        problems.extend(f"{message}; its templates are skipped" for message in parsed.fatal)
        return []
    found = [
        template
        for template_id, raw in parsed.data.items()
        if (template := _read_template(template_id, raw, parsed.problems, path)) is not None
    ]
    problems.extend(parsed.problems.messages)
    return found


def _read_template(
    template_id: str, raw: Any, problems: FileProblems, path: Path
) -> Template | None:
    where = f'template "{template_id}"'
    if not isinstance(raw, dict):
        problems.add(
            (template_id,),
            f"{where} must be a table ([{template_id}]) with a title and languages, "
            f"not {type_name(raw)}",
        )
        return None
    if not _ID.match(template_id):
        problems.add(
            (template_id,),
            f'{where}: ids are lowercase letters, digits, "-", "_" and "."; skipped',
        )
        return None
    fields: dict[str, Any] = {"title": template_id}
    texts: dict[str, TemplateText] = {}
    for key, value in raw.items():
        keys = (template_id, key)
        if _LANGUAGE.match(key):
            text = _read_text(template_id, key, value, problems)
            if text is not None:
                texts[key] = text
        elif key == "title" or key == "group":
            if isinstance(value, str) and value.strip():
                fields[key] = value.strip()
            else:
                problems.add(keys, f'"{key}" of {where} must be a non-empty string')
        elif key == "tags":
            if isinstance(value, list) and all(isinstance(t, str) for t in value):
                fields[key] = tuple(t.strip().lower() for t in value if t.strip())
            else:
                problems.add(
                    keys, f'"tags" of {where} must be a list of words, such as ["billing"]'
                )
        elif key == "step":
            if isinstance(value, int) and not isinstance(value, bool):
                fields[key] = value
            else:
                problems.add(keys, f'"step" of {where} must be a whole number')
        else:
            hint = did_you_mean(key, _TEMPLATE_KEYS)
            problems.add(
                keys,
                f'unknown key "{key}" in {where}{hint} (languages are codes such as "en", "fr")',
            )
    if not texts:
        problems.add(
            (template_id,),
            f"{where} has no language with variants (add [{template_id}.en] with variants = [...]); skipped",
        )
        return None
    return Template(id=template_id, texts=texts, source=str(path), **fields)


def _read_text(
    template_id: str, language: str, raw: Any, problems: FileProblems
) -> TemplateText | None:
    where = f'template "{template_id}" ({language})'
    keys = (template_id, language)
    if not isinstance(raw, dict):
        problems.add(keys, f"{where} must be a table ([{template_id}.{language}]) with variants")
        return None
    title = ""
    variants: list[str] = []
    for key, value in raw.items():
        if key == "title":
            if isinstance(value, str):
                title = value.strip()
            else:
                problems.add((*keys, key), f'"title" of {where} must be a string')
        elif key == "variants":
            if not isinstance(value, list):
                problems.add((*keys, key), f'"variants" of {where} must be a list of texts')
                continue
            for number, item in enumerate(value, start=1):
                if not isinstance(item, str) or not item.strip():
                    problems.add((*keys, key), f"variant {number} of {where} is empty or not text")
                elif item.strip() in variants:
                    problems.add(
                        (*keys, key), f"variant {number} of {where} repeats an earlier one"
                    )
                else:
                    variants.append(item.strip())
                    for name in _unknown_names(item):
                        hint = variable_hint(name, known_variable_names())
                        problems.add(
                            (*keys, key),
                            f"variant {number} of {where} uses an unknown variable {{{name}}}{hint}",
                        )
        else:
            problems.add(
                (*keys, key), f'unknown key "{key}" in {where}{did_you_mean(key, _TEXT_KEYS)}'
            )
    if not variants:
        problems.add(keys, f"{where} has no variants; skipped")
        return None
    return TemplateText(variants=tuple(variants), title=title)


def _unknown_names(text: str) -> list[str]:
    """Variables whose name can never be filled, whatever the brand book says."""
    unknown = []
    for match in TOKEN.finditer(text):
        name = match.group(1)
        if name is None or name in FIXED_VARIABLES:
            continue
        space, _, rest = name.partition(".")
        if space in BRAND_NAMESPACES and rest and "." not in rest:
            continue
        unknown.append(name)
    return unknown
