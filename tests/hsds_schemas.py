"""The official HSDS 3.0 schemas and API reference, read from ../shared/hsds for the API tests.

- `validator(hsds_dir, "service.json")` (or "compiled/service_list.json"):
  jsonschema, draft 2020-12, with format checks; the files $ref each other by
  file name, so every file is in the registry under its name.
- `page_validator(hsds_dir, item)`: the reference's `Page` with `contents`
  of that item schema, as openapi.json composes them.
- `bundled(document, hsds_dir)`: an OpenAPI document whose $refs to the
  upstream schema URLs point at copies of the local files inside it, so that
  schemathesis needs no network. The reference's `compiled/service.json` and
  `compiled/organization.json` are not in ../shared (17 MB, and not
  canonical upstream); they are the modular schemas with $refs resolved
  (../shared/hsds/SOURCE.md), so those are used.
"""

import copy
import json
from functools import cache

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
NOT_SHIPPED = {
    "compiled/service.json": "service.json",
    "compiled/organization.json": "organization.json",
}


@cache
def _files(hsds_dir):
    schema = hsds_dir / "schema"
    paths = [*schema.glob("*.json"), *schema.glob("compiled/*.json")]
    return {str(path.relative_to(schema)): json.loads(path.read_text()) for path in paths}


def validator(hsds_dir, name):
    files = _files(hsds_dir)
    registry = Registry().with_resources(
        (n, Resource.from_contents(c, default_specification=DRAFT202012))
        for n, c in files.items()
        if "/" not in n
    )
    return Draft202012Validator(files[name], registry=registry, format_checker=FormatChecker())


def openapi(hsds_dir):
    return json.loads((hsds_dir / "openapi.json").read_text())


def page_validator(hsds_dir, item):
    """The Page of the reference (its components.schemas.Page) holding `item` documents."""
    page = copy.deepcopy(openapi(hsds_dir)["components"]["schemas"]["Page"])
    page["properties"]["contents"] = {"type": "array", "items": {"$ref": item}}
    # The reference lists no required fields; ours always has them all.
    page["required"] = [*page["properties"]]
    files = _files(hsds_dir)
    registry = Registry().with_resources(
        (n, Resource.from_contents(c, default_specification=DRAFT202012)) for n, c in files.items()
    )
    return Draft202012Validator(page, registry=registry, format_checker=FormatChecker())


def _component(name):
    return "hsds_" + name.removesuffix(".json").replace("/", "_")


def _rewrite(node, rename):
    if isinstance(node, dict):
        return {
            key: rename(value) if key == "$ref" else _rewrite(value, rename)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(value, rename) for value in node]
    return node


def bundled(document, hsds_dir):
    """`document` with every HSDS schema it refers to copied into components.schemas."""
    files = _files(hsds_dir)

    def local(ref):
        if ref.startswith(UPSTREAM):
            name = ref.removeprefix(UPSTREAM)
            return f"#/components/schemas/{_component(NOT_SHIPPED.get(name, name))}"
        if ref in files:
            return f"#/components/schemas/{_component(ref)}"
        return ref

    document = _rewrite(copy.deepcopy(document), local)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, contents in files.items():
        schemas[_component(name)] = _rewrite(contents, local)
    return document
