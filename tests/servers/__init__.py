"""Real servers on 127.0.0.1 that the tests and the benchmarks start and stop by PID.

The tests import them as ``servers.<name>`` (pytest puts ``tests/`` on ``sys.path``);
a benchmark puts ``tests/`` there itself: ``sys.path.insert(0, str(ROOT / "tests"))``.
"""
