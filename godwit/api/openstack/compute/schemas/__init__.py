"""JSON Schemas (Draft 2020-12) for compute request bodies, one module per resource."""
