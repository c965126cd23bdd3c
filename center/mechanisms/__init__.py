"""Mechanisms: procedures for recurring problems, the public page listing them, and the problems
(model-case tags seen often in one town) that call for one."""
