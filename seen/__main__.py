import sys

from seen.cli import main

sys.exit(main())
