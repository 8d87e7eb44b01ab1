"""Response bodies in Nova's shapes, one module per resource."""
