"""godwit-xapi-sim: runs a simulated XenServer pool until SIGTERM or SIGINT."""
import argparse
import signal
import threading

from godwit.virt.xenapi.simulator.server import Simulator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="godwit-xapi-sim", description=__doc__)
    parser.add_argument("--state-dir", required=True,
                        help="Where the objects and SR directories are kept across restarts.")
    parser.add_argument("--port", type=int, default=0, help="Port on 127.0.0.1 (0: any free).")
    parser.add_argument("--host", action="append", dest="hosts",
                        help="A host of the pool, the first being the master (repeatable; "
                             "default: xenserver-1). Used on the first start only.")
    parser.add_argument("--username", default="root")
    parser.add_argument("--password", default="password")
    parser.add_argument("--guest-write-rate", type=int, default=0, metavar="BYTES",
                        help="Bytes per second each running VM's guest writes to its first "
                             "disk, journalled under <state-dir>/guests (default 0: none).")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    simulator = Simulator(args.state_dir, args.port, hosts=args.hosts or ("xenserver-1",),
                          username=args.username, password=args.password,
                          guest_write_rate=args.guest_write_rate).start()
    print(f"XAPI simulator listening on {simulator.url}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    simulator.stop()
