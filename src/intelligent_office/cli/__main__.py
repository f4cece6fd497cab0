"""`python -m intelligent_office.cli` runs the `office` command."""

from intelligent_office.cli.entry import main

main()
