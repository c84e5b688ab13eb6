"""``python -m autograd "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3``: see :mod:`autograd.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
