"""JSON Schema (Draft 2020-12) of ``/admin/v1/vms``: a definition is a server creation
(``POST /admin/v1/servers``) plus the placement fields."""
from godwit.api.admin import server_create_schemas
from godwit.compute import vm_meta

CREATE = {
    **server_create_schemas.CREATE,
    "properties": {**server_create_schemas.CREATE["properties"],
                   **vm_meta.SCHEMA_PROPERTIES},
}

META = {
    "type": "object",
    "properties": vm_meta.SCHEMA_PROPERTIES,
    "additionalProperties": False,
}
