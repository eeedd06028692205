"""The embedded sandbox: a local WebOrdinary edit pipeline (moto server, git origin, edit workers).

Run it with `python -m sandbox up`. Only `features/environment.py`, this package's CLI and its tests
import it; the suite talks to it over HTTP exactly as it talks to AWS and GitHub.
"""
