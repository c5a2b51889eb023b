"""Benchmarks: ``python manage.py bench NAME`` (``--list`` shows them).

Each ``bench/bench_<something>.py`` is found by the command without registration (bench/benches.py registers
it for core.plugins). It defines:

* ``NAME``: what to type after ``manage.py bench``;
* ``DESCRIPTION``: one line for ``bench --list``;
* ``DEFAULT_SCALE``: the scale its issue names (an int; each bench says what it counts);
* ``run(*, scale: int, repeat: int)``: returns one result dict, or a list of them, each with at least
  ``bench``, ``scale``, ``median_ms``, ``p95_ms`` and ``queries`` (``runner.result`` builds them).

``bench.generator`` builds large trusts quickly; ``bench.runner`` times, counts queries and signs people in.
Benches run on whatever database ``DATABASE_URL`` points at: point it at a scratch database, because the big
trusts stay there to be reused by the next run.
"""
