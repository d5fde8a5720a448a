"""The 100ms objects as typed models, and what hmsconf knows about each field.

``KINDS`` is the one list of document kinds a project file may hold; the
loader, the rules, the schema and the catalogue read it from here (this
module imports nothing, so the loader's hot path stays light).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel

KINDS = ("Template", "Room", "RolePreset")
PROJECT_CONFIG = "ProjectConfig"  # hmsconf.yaml, validated like a document kind

# kind -> (module, class) of the model that validates it; imported only when asked for
MODELS = {
    "Template": ("hmsconf.model.template", "Template"),
    "RolePreset": ("hmsconf.model.template", "RolePreset"),
    "Room": ("hmsconf.model.room", "Room"),
    PROJECT_CONFIG: ("hmsconf.model.room", "ProjectConfig"),
}


def model_class(kind: str) -> type[BaseModel]:
    """The model of a document kind (or ``PROJECT_CONFIG``); KeyError for any other."""
    module, name = MODELS[kind]
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model
