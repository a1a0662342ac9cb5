"""No marshmallow text reaches a user untranslated: every schema the API loads (each route's
query, each body shape of services/common/shapes) is sent its typical errors (a required field
missing, a value of the wrong type for each field, an unknown field), and every message it
answers reads in Chinese once translated, as the error envelope and the pages show it; a
route's query refusal (the 400 "查询参数有误：…") carries the Chinese messages too."""
import importlib
import inspect
import pkgutil
import re

import pytest
from marshmallow import Schema, ValidationError, fields

import gateway.api
import services.common.shapes
from gateway.errors import ApiError
from gateway.params import Query, load_query
from services.common import i18n

CHINESE = re.compile(r"[\u4e00-\u9fff]")
WRONG = ([[["nested"]]], {"a": {"b": 1}}, "not-a-value-of-this-kind", -10**12, True)


def schemas() -> list[type[Schema]]:
    found: dict[str, type[Schema]] = {}
    packages = [(services.common.shapes, "services.common.shapes"), (gateway.api, "gateway.api")]
    for package, prefix in packages:
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{prefix}.{info.name}")
            for name, value in vars(module).items():
                if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module.__name__:
                    found[f"{module.__name__}.{name}"] = value
    return [found[k] for k in sorted(found)]


def leaves(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from leaves(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from leaves(value)
    else:
        yield messages


def refusals(schema: Schema):
    """The messages of each typical error the schema refuses."""
    bodies = [{}, {"no_such_field_here": 1}]
    for name in schema.fields:
        bodies += [{name: wrong} for wrong in WRONG]
    for body in bodies:
        try:
            schema.load(body)
        except ValidationError as exc:
            yield body, exc.messages
        except (TypeError, ValueError, AttributeError):
            pass  # a validator that assumes its type: not a message anyone reads


@pytest.mark.parametrize("schema_class", schemas(), ids=lambda s: f"{s.__module__}.{s.__name__}")
def test_every_message_of_every_schema_reads_in_chinese(schema_class):
    schema = schema_class()
    untranslated = {}
    for body, messages in refusals(schema):
        for message in leaves(i18n.translate_problems(messages)):
            if isinstance(message, str) and not CHINESE.search(message):
                untranslated[message] = body
    assert untranslated == {}


def test_a_query_refusal_names_the_parameter_in_chinese():
    class Example(Query):
        period = fields.String(required=True)

    with pytest.raises(ApiError) as refused:
        load_query(Example(), {})
    assert "Missing data" not in refused.value.message and refused.value.message.startswith("查询参数有误：period：")
