"""`python -m intelligent_office.cli` runs the `office` command."""

from intelligent_office.cli.main import main

main()
