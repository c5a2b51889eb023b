from django.apps import AppConfig


class BenchConfig(AppConfig):
    # Installed so the foundations find the benches the way they find every other plugin (bench/benches.py);
    # no models, and nothing is imported until ``manage.py bench`` asks.
    name = "bench"
    verbose_name = "Benchmarks"
