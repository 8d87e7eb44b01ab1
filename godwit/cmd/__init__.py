"""Console entry points. oslo.messaging imports eventlet, which warns on import even
though godwit never uses it (native threads only); the warning is silenced here, before
any entry point imports oslo.messaging."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
