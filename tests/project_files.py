"""What the tests that scan the project's own source read: everything but the virtual environment, the tests
themselves, and what runs leave behind (CI's artifacts, with the temporary files of its moved-clock runs,
uploads and collected static files), which is not the project's code."""

NOT_THE_PROJECT = frozenset({".venv", "tests", "node_modules", "artifacts", "media", "staticfiles"})
