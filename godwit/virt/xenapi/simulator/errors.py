"""XAPI failures: what a handler raises, and what the client receives as ``ErrorDescription``."""


class XapiError(Exception):
    """A failure with a XAPI error code and its parameters, all strings on the wire."""

    def __init__(self, code, *params):
        super().__init__(code, *params)
        self.description = [code, *(str(param) for param in params)]


def handle_invalid(cls, ref):
    return XapiError("HANDLE_INVALID", cls, ref)


def bad_power_state(vm, expected, actual):
    """XAPI names the power states in lower case in this error."""
    return XapiError("VM_BAD_POWER_STATE", vm, expected.lower(), actual.lower())
