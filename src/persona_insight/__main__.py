"""`python -m persona_insight` is the `persona-insight` command."""

from persona_insight.cli import main

# Guarded: multiprocessing's spawn re-imports the main module in every server process.
if __name__ == "__main__":
    main()
