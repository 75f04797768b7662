"""Real servers on 127.0.0.1 that the tests and the benchmarks start and stop by PID.

The tests import them as ``servers.<name>`` (pytest puts ``tests/`` on ``sys.path``);
a benchmark puts ``tests/`` there itself: ``sys.path.insert(0, str(ROOT / "tests"))``.
"""

import socket


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the servers bind loopback only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
