"""`make catalog`: the step vocabulary by concept, each step with its description, then the instructions the
embedded sandbox understands (which forms work only there), for product owners writing scenarios."""

from __future__ import annotations

import sys

from reporting import catalog
from sandbox.app import instruction_grammar


def main() -> int:
    catalog.load_steps()
    print(catalog.text(catalog.groups(), instruction_grammar()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
