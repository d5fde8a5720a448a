"""The 100ms objects as typed models, and what hmsconf knows about each field.

``KINDS`` is the one list of document kinds a project file may hold; the
loader, the rules, the schema and the catalogue read it from here (this
module imports nothing, so the loader's hot path stays light).
"""

KINDS = ("Template", "Room", "RolePreset")
