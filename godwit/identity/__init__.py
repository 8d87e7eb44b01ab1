"""The built-in identity service: users, projects, roles, tokens and the service catalog.

``godwit.api.identity`` serves it as a Keystone v3 subset; the API middleware validates
tokens with ``tokens.validate``.
"""
