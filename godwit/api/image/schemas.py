"""``GET /v2/schemas/image`` and ``/images``: JSON Schemas of what this API returns."""
_NULLABLE_STRING = {"type": ["null", "string"]}
_INTEGER = {"type": ["null", "integer"]}

IMAGE = {
    "name": "image",
    "properties": {
        "id": {"type": "string", "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F])"
                                            "{4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"},
        "name": {"type": ["null", "string"], "maxLength": 255},
        "status": {"type": "string", "enum": ["queued", "saving", "active", "killed", "deleted",
                                              "uploading", "importing", "pending_delete",
                                              "deactivated"]},
        "visibility": {"type": "string", "enum": ["community", "public", "private", "shared"]},
        "owner": _NULLABLE_STRING,
        "disk_format": _NULLABLE_STRING,
        "container_format": _NULLABLE_STRING,
        "size": _INTEGER,
        "virtual_size": _INTEGER,
        "min_disk": {"type": "integer"},
        "min_ram": {"type": "integer"},
        "checksum": _NULLABLE_STRING,
        "os_hash_algo": _NULLABLE_STRING,
        "os_hash_value": _NULLABLE_STRING,
        "os_hidden": {"type": "boolean"},
        "protected": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255}},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "self": {"type": "string"},
        "schema": {"type": "string"},
    },
    "additionalProperties": {"type": "string"},
    "links": [{"rel": "self", "href": "{self}"}, {"rel": "describedby", "href": "{schema}"}],
}

IMAGES = {
    "name": "images",
    "properties": {
        "images": {"type": "array", "items": IMAGE},
        "schema": {"type": "string"},
        "first": {"type": "string"},
        "next": {"type": "string"},
    },
    "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
              {"rel": "describedby", "href": "{schema}"}],
}


class SchemasController:

    def image(self, req):
        return IMAGE

    def images(self, req):
        return IMAGES
