"""godwit's XAPI simulator: a real XML-RPC server that the unmodified ``XenAPI`` client
talks to, with its objects kept in a JSON file and its SRs as real directories.

``Simulator(state_dir, port).start()`` serves on ``.url`` until ``stop()``.
"""
from godwit.virt.xenapi.simulator.server import Simulator

__all__ = ["Simulator"]
