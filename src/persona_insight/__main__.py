"""`python -m persona_insight` is the `persona-insight` command."""

from persona_insight.cli import main

main()
