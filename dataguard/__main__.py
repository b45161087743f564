import sys

from dataguard.cli.main import main

sys.exit(main())
