"""Personas from evidence: a company framework of axes, matching, synthesis, discovery."""
